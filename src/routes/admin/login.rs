use rocket::form::Form;
use rocket::http::{ContentType, CookieJar, Status};
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;

use super::{CsrfOnly, Html};
use crate::auth::{csrf, session, CsrfToken, Staff};
use crate::domain::Lang;
use crate::error::AppError;
use crate::routes::protection::LoginAllowed;
use crate::services::{audit, staff, Services};

#[derive(Serialize)]
struct LoginPage<'a> {
    lang: &'static str,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
}

fn login_page(
    services: &Services,
    lang: Lang,
    csrf: &str,
    email: &str,
    status: Status,
    error: Option<&str>,
) -> Result<Html, AppError> {
    let context = LoginPage {
        lang: lang.code(),
        csrf,
        email,
        error: error.map(|key| crate::i18n::text(lang, key)),
    };
    Ok((
        status,
        (
            ContentType::HTML,
            services.views.render("admin/login.html.tera", &context)?,
        ),
    ))
}

#[rocket::get("/admin/login")]
fn form(services: &State<Services>, lang: Lang, csrf: CsrfToken) -> Result<Html, AppError> {
    login_page(services, lang, &csrf.0, "", Status::Ok, None)
}

#[derive(rocket::FromForm)]
struct Credentials {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    #[field(default = String::new())]
    csrf: String,
}

#[rocket::post("/admin/login", data = "<form>")]
async fn login(
    services: &State<Services>,
    lang: Lang,
    jar: &CookieJar<'_>,
    token: CsrfToken,
    allowed: LoginAllowed<'_>,
    form: Form<Credentials>,
) -> Result<Result<Redirect, Html>, AppError> {
    csrf::verify(jar, &form.csrf)?;
    allowed.for_email(form.email.trim())?;
    match staff::login(&services.db, &form.email, &form.password).await? {
        Ok(member) => {
            session::start(jar, member.id, services.base_url.starts_with("https://"));
            audit::record(
                &services.db,
                &member.email,
                "staff.login",
                &member.email,
                None::<&()>,
                None::<&()>,
            )
            .await?;
            Ok(Ok(Redirect::to("/admin")))
        }
        Err(staff::LoginError::LockedOut) => login_page(
            services,
            lang,
            &token.0,
            &form.email,
            Status::TooManyRequests,
            Some("admin-login-locked"),
        )
        .map(Err),
        Err(staff::LoginError::Wrong) => login_page(
            services,
            lang,
            &token.0,
            &form.email,
            Status::Unauthorized,
            Some("admin-login-wrong"),
        )
        .map(Err),
    }
}

#[rocket::post("/admin/logout", data = "<form>")]
fn logout(jar: &CookieJar<'_>, _staff: Staff, form: Form<CsrfOnly>) -> Result<Redirect, AppError> {
    csrf::verify(jar, &form.csrf)?;
    session::end(jar);
    Ok(Redirect::to("/admin/login"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, login, logout]
}
