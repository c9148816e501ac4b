use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use super::{render, Page};
use crate::auth::Organiser;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::services::mail_log::{self, MailRow};
use crate::services::Services;

#[derive(Serialize)]
struct MailPage {
    mails: Vec<MailRow>,
    failed_only: bool,
}

#[rocket::get("/admin/mail?<failed>")]
async fn log(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    failed: Option<bool>,
) -> Result<Page, AppError> {
    let failed_only = failed.unwrap_or(false);
    let mails = mail_log::list(services, failed_only, 500).await?;
    render(
        services,
        "admin/mail.html.tera",
        lang,
        &staff,
        &csrf,
        MailPage { mails, failed_only },
    )
}

#[rocket::post("/admin/mail/<id>/resend", data = "<_form>")]
async fn resend(
    services: &State<Services>,
    staff: Organiser,
    id: i64,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    mail_log::resend(services, id, &staff.email).await?;
    Ok(Redirect::to(uri!(log(None::<bool>))))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log, resend]
}
