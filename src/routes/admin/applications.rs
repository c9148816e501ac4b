use rocket::form::Form;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use super::{download, render, CsrfOnly, Download, Html};
use crate::auth::{csrf, CsrfToken, Role, Staff};
use crate::domain::Lang;
use crate::error::AppError;
use crate::services::applications::{self, ReviewRow};
use crate::services::{audit, Services};

#[derive(Serialize)]
struct ReviewPage {
    applications: Vec<ReviewRow>,
}

#[rocket::get("/admin/applications")]
async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
) -> Result<Html, AppError> {
    staff.require(&[Role::Programme, Role::Viewer])?;
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
    staff: Staff,
    format: &str,
) -> Result<Download, AppError> {
    staff.require(&[Role::Programme, Role::Viewer])?;
    let rows = applications::for_review(&services.db).await?;
    download(
        &applications::export_table(&rows),
        "aanmeldingen-proeftuinen",
        format,
    )
}

#[derive(rocket::FromForm)]
struct Decision {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    message: String,
}

#[rocket::post("/admin/applications/<id>/decide", data = "<form>")]
async fn decide(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: &str,
    form: Form<Decision>,
) -> Result<Redirect, AppError> {
    staff.require(&[Role::Programme])?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Validation(
                [("decision", crate::domain::ParseError("required"))].into(),
            ))
        }
    };
    let updated =
        applications::decide(services, id, accept, &staff.email, form.message.trim()).await?;
    let after =
        serde_json::json!({"status": updated.status.as_str(), "message": form.message.trim()});
    audit::record(
        &services.db,
        &staff.email,
        "application.decide",
        &format!("application {id}"),
        None::<&()>,
        Some(&after),
    )
    .await?;
    Ok(Redirect::to("/admin/applications"))
}

#[rocket::post("/admin/applications/<id>/verify-organisation", data = "<form>")]
async fn verify_organisation(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: &str,
    form: Form<CsrfOnly>,
) -> Result<Redirect, AppError> {
    staff.require(&[Role::Programme])?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    applications::verify_organisation(services, id, &staff.email).await?;
    Ok(Redirect::to("/admin/applications"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, export, decide, verify_organisation]
}
