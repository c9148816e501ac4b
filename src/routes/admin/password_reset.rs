//! The page a reset link opens: a new password, once. It names no account,
//! so the page tells nobody which addresses have one.
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::State;
use serde::Serialize;

use crate::domain::{FieldErrors, Lang};
use crate::error::{field_messages, AppError};
use crate::http::{page, CsrfForm, CsrfToken, Page};
use crate::routes::protection::LoginAllowed;
use crate::services::staff::password_reset;
use crate::services::Services;

#[derive(Serialize)]
struct ResetPage<'a> {
    lang: &'static str,
    csrf: &'a str,
    token: &'a str,
    done: bool,
    errors: BTreeMap<&'static str, String>,
}

fn reset_page(
    services: &Services,
    lang: Lang,
    csrf: &CsrfToken,
    token: &str,
    status: Status,
    errors: &FieldErrors,
) -> Result<Page, AppError> {
    let context = ResetPage {
        lang: lang.code(),
        csrf: &csrf.0,
        token,
        done: status == Status::Ok && token.is_empty(),
        errors: field_messages(errors, lang),
    };
    let html = services
        .views
        .render("admin/password_reset.html.tera", &context)?;
    Ok(page(status, html))
}

#[rocket::get("/admin/password/<token>")]
async fn form(
    services: &State<Services>,
    lang: Lang,
    csrf: CsrfToken,
    token: &str,
) -> Result<Page, AppError> {
    if !password_reset::link_is_live(&services.db, token).await? {
        return Err(AppError::LinkExpiredOrUnknown);
    }
    reset_page(
        services,
        lang,
        &csrf,
        token,
        Status::Ok,
        &FieldErrors::new(),
    )
}

#[derive(Debug, Default, rocket::FromForm)]
struct NewPassword {
    #[field(default = String::new())]
    new_password: String,
    #[field(default = String::new())]
    repeated_password: String,
}

#[rocket::post("/admin/password/<token>", data = "<form>")]
async fn set(
    services: &State<Services>,
    lang: Lang,
    csrf: CsrfToken,
    token: &str,
    _allowed: LoginAllowed<'_>,
    form: CsrfForm<NewPassword>,
) -> Result<Page, AppError> {
    match password_reset::reset(
        &services.db,
        token,
        &form.new_password,
        &form.repeated_password,
    )
    .await
    {
        Ok(()) => reset_page(services, lang, &csrf, "", Status::Ok, &FieldErrors::new()),
        Err(AppError::Validation(errors)) => reset_page(
            services,
            lang,
            &csrf,
            token,
            Status::UnprocessableEntity,
            &errors,
        ),
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, set]
}
