use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use uuid::Uuid;

use super::{render, Page};
use crate::auth::Programme;
use crate::domain::{Lang, ParseError};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::applications::{self, ReviewPage};
use crate::services::{exports, Services};

#[rocket::get("/admin/applications")]
pub(super) async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let applications = applications::for_review(&services.db).await?;
    render(
        services,
        "admin/applications.html.tera",
        lang,
        &staff,
        &csrf,
        ReviewPage { applications },
    )
}

#[rocket::get("/admin/applications/export/<format>")]
async fn export(
    services: &State<Services>,
    staff: Programme,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let rows = applications::for_review(&services.db).await?;
    let table = applications::export_table(&rows);
    let what = "aanmeldingen voor proeftuinen";
    let table = exports::recorded(services, &staff.email, what, table).await?;
    Download::of(&table, "aanmeldingen-proeftuinen", format)
}

#[derive(Debug, Default, rocket::FromForm)]
struct Decision {
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    message: String,
}

#[rocket::post("/admin/applications/<id>/decide", data = "<form>")]
async fn decide(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<Decision>,
) -> Result<Flash<Redirect>, AppError> {
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Validation(
                [("decision", ParseError("required"))].into(),
            ))
        }
    };
    applications::decide(services, id, accept, &staff.email, form.message.trim()).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-decision"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Vouch {
    #[field(default = String::new())]
    reason: String,
}

/// Staff vouch for one application's organisation, with a reason; the
/// register entry is not touched.
#[rocket::post("/admin/applications/<id>/vouch", data = "<form>")]
async fn vouch(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<Vouch>,
) -> Result<Flash<Redirect>, AppError> {
    applications::vouch(services, id, &staff.email, &form.reason).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-vouch"))
}

/// A second application of an organisation is folded into the first.
#[rocket::post("/admin/applications/<id>/merge", data = "<_form>")]
async fn merge(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    applications::merge(services, id, &staff.email).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-merge"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, export, decide, vouch, merge]
}
