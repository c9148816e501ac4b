use rocket::http::{Header, Status};
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use crate::auth::session::Sessions;
use crate::auth::Reader;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::{page, Button, CsrfForm, CsrfToken, Page, Refused, WithHeader};
use crate::routes::protection::LoginAllowed;
use crate::services::{staff, Services};

#[derive(Serialize)]
struct LoginPage<'a> {
    lang: &'static str,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
}

/// What the log-in page says above the form.
enum Message {
    Key(&'static str),
    Text(String),
}

fn login_page(
    services: &Services,
    lang: Lang,
    csrf: &CsrfToken,
    email: &str,
    status: Status,
    error: Option<Message>,
) -> Result<Page, AppError> {
    let context = LoginPage {
        lang: lang.code(),
        csrf: &csrf.0,
        email,
        error: error.map(|message| match message {
            Message::Key(key) => crate::i18n::text(lang, key),
            Message::Text(text) => text,
        }),
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
async fn login(
    services: &State<Services>,
    lang: Lang,
    sessions: Sessions<'_>,
    token: CsrfToken,
    allowed: Result<LoginAllowed<'_>, AppError>,
    form: Result<CsrfForm<Credentials>, Refused<Credentials>>,
) -> Result<Result<Redirect, WithHeader<Page>>, AppError> {
    let no_store = |page: Page| WithHeader(page, Header::new("Cache-Control", "no-store"));
    let allowed = match allowed {
        Ok(allowed) => allowed,
        Err(e @ AppError::RateLimited { .. }) => {
            let email = form.as_ref().map_or("", |f| f.email.as_str());
            let wait = e.retry_after().unwrap_or(1).to_string();
            let message = Some(Message::Text(e.message(lang)));
            return login_page(services, lang, &token, email, e.status(), message)
                .map(|page| WithHeader(page, Header::new("Retry-After", wait)))
                .map(Err);
        }
        Err(e) => return Err(e),
    };
    let form = match form {
        Ok(CsrfForm(form)) => form,
        Err(Refused::Expired(form)) => {
            let page = login_page(
                services,
                lang,
                &token,
                &form.email,
                Status::Forbidden,
                Some(Message::Key("form-expired")),
            );
            return page.map(no_store).map(Err);
        }
        Err(Refused::Malformed(status)) => return Err(crate::http::csrf::unreadable(status)),
    };
    match staff::login(&services.db, allowed.0, &form.email, &form.password).await? {
        Ok(member) => {
            // A CSRF token an onlooker saw before is worth nothing after.
            sessions.start(&member).await?;
            Ok(Ok(Redirect::to(uri!(super::events::overview))))
        }
        Err(staff::LoginError::LockedOut { retry_after_secs }) => login_page(
            services,
            lang,
            &token,
            &form.email,
            Status::TooManyRequests,
            Some(Message::Key("admin-login-locked")),
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
            Some(Message::Key("admin-login-wrong")),
        )
        .map(no_store)
        .map(Err),
    }
}

#[rocket::post("/admin/logout", data = "<_form>")]
async fn logout(
    sessions: Sessions<'_>,
    _staff: Reader,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    sessions.end().await?;
    Ok(Redirect::to(uri!(form)))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, login, logout]
}
