use rocket::form::Form;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;

use super::{render, CsrfOnly, Html};
use crate::auth::{csrf, CsrfToken, Role, Staff};
use crate::domain::Lang;
use crate::error::AppError;
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
    staff: Staff,
    csrf: CsrfToken,
    failed: Option<bool>,
) -> Result<Html, AppError> {
    staff.require(&[Role::Organiser, Role::Programme, Role::Viewer])?;
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

#[rocket::post("/admin/mail/<id>/resend", data = "<form>")]
async fn resend(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: i64,
    form: Form<CsrfOnly>,
) -> Result<Redirect, AppError> {
    staff.require(&[Role::Organiser, Role::Programme])?;
    csrf::verify(jar, &form.csrf)?;
    mail_log::resend(services, id, &staff.email).await?;
    Ok(Redirect::to("/admin/mail"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log, resend]
}
