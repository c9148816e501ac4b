use rocket::http::{CookieJar, Header, Status};
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use crate::auth::session::{self, UserAgent};
use crate::auth::Reader;
use crate::config::AppConfig;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::{csrf, page, Button, CsrfForm, CsrfToken, Page, Refused, WithHeader};
use crate::routes::protection::LoginAllowed;
use crate::services::{staff, Services};

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
    csrf: &CsrfToken,
    email: &str,
    status: Status,
    error: Option<&str>,
) -> Result<Page, AppError> {
    let context = LoginPage {
        lang: lang.code(),
        csrf: &csrf.0,
        email,
        error: error.map(|key| crate::i18n::text(lang, key)),
    };
    Ok(page(
        status,
        services.views.render("admin/login.html.tera", &context)?,
    ))
}

#[rocket::get("/admin/login")]
pub(super) fn form(
    services: &State<Services>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    login_page(services, lang, &csrf, "", Status::Ok, None)
}

#[derive(Debug, Default, rocket::FromForm)]
struct Credentials {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
}

#[rocket::post("/admin/login", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn login(
    services: &State<Services>,
    config: &State<AppConfig>,
    lang: Lang,
    jar: &CookieJar<'_>,
    token: CsrfToken,
    allowed: LoginAllowed<'_>,
    agent: UserAgent,
    form: Result<CsrfForm<Credentials>, Refused<Credentials>>,
) -> Result<Result<Redirect, WithHeader<Page>>, AppError> {
    let no_store = |page: Page| WithHeader(page, Header::new("Cache-Control", "no-store"));
    let form = match form {
        Ok(CsrfForm(form)) => form,
        Err(Refused::Expired(form)) => {
            let page = login_page(
                services,
                lang,
                &token,
                &form.email,
                Status::Forbidden,
                Some("form-expired"),
            );
            return page.map(no_store).map(Err);
        }
        Err(Refused::Malformed(status)) => return Err(crate::http::csrf::unreadable(status)),
    };
    let secure = services.base_url.starts_with("https://");
    match staff::login(&services.db, allowed.0, &form.email, &form.password).await? {
        Ok(member) => {
            session::start(services, config, jar, &member, agent.0.as_deref()).await?;
            // A token an onlooker saw before the log-in is worth nothing after.
            csrf::rotate(jar, secure);
            Ok(Ok(Redirect::to(uri!(super::events::overview))))
        }
        Err(staff::LoginError::LockedOut { retry_after_secs }) => login_page(
            services,
            lang,
            &token,
            &form.email,
            Status::TooManyRequests,
            Some("admin-login-locked"),
        )
        .map(|page| {
            WithHeader(
                page,
                Header::new("Retry-After", retry_after_secs.to_string()),
            )
        })
        .map(Err),
        Err(staff::LoginError::Wrong) => login_page(
            services,
            lang,
            &token,
            &form.email,
            Status::Unauthorized,
            Some("admin-login-wrong"),
        )
        .map(no_store)
        .map(Err),
    }
}

#[rocket::post("/admin/logout", data = "<_form>")]
async fn logout(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    _staff: Reader,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    session::end(services, jar).await?;
    csrf::rotate(jar, services.base_url.starts_with("https://"));
    Ok(Redirect::to(uri!(form)))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, login, logout]
}
