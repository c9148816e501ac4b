use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page};
use crate::auth::Programme;
use crate::domain::{Lang, ParseError};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::applications::{self, ReviewRow};
use crate::services::{exports, Services};

#[derive(Serialize)]
struct ReviewPage {
    applications: Vec<ReviewRow>,
}

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
) -> Result<Redirect, AppError> {
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
    Ok(Redirect::to(uri!(list)))
}

#[rocket::post("/admin/applications/<id>/verify-organisation", data = "<_form>")]
async fn verify_organisation(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    applications::verify_organisation(services, id, &staff.email).await?;
    Ok(Redirect::to(uri!(list)))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, export, decide, verify_organisation]
}
