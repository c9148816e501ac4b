use rocket::http::{CookieJar, Header, Status};
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use crate::auth::session::Sessions;
use crate::auth::Reader;
use crate::config::AppConfig;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::next::NextPage;
use crate::http::{page, Button, CsrfForm, CsrfToken, Page, Refused, WithHeader};
use crate::routes::protection::LoginAllowed;
use crate::services::{staff, Services};

#[derive(Serialize)]
struct LoginPage<'a> {
    lang: &'static str,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
    next: Option<&'a str>,
}

/// What the log-in page says above the form.
enum Message {
    Key(&'static str),
    Text(String),
}

/// The log-in form as it is shown, with what it says and where it returns.
struct Shown<'a> {
    email: &'a str,
    next: Option<&'a NextPage>,
}

fn login_page(
    services: &Services,
    lang: Lang,
    csrf: &CsrfToken,
    shown: Shown<'_>,
    status: Status,
    error: Option<Message>,
) -> Result<Page, AppError> {
    let context = LoginPage {
        lang: lang.code(),
        csrf: &csrf.0,
        email: shown.email,
        next: shown.next.map(NextPage::as_str),
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

/// `next`: the page that sent the visitor here; anything but a page of
/// the back office is dropped.
#[rocket::get("/admin/login?<next>")]
pub(super) fn form(
    services: &State<Services>,
    lang: Lang,
    csrf: CsrfToken,
    next: Option<NextPage>,
) -> Result<Page, AppError> {
    let shown = Shown {
        email: "",
        next: next.as_ref(),
    };
    login_page(services, lang, &csrf, shown, Status::Ok, None)
}

#[derive(Debug, Default, rocket::FromForm)]
struct Credentials {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    password: String,
    next: Option<NextPage>,
}

impl Credentials {
    fn shown(&self) -> Shown<'_> {
        Shown {
            email: &self.email,
            next: self.next.as_ref(),
        }
    }
}

#[rocket::post("/admin/login", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn login(
    services: &State<Services>,
    config: &State<AppConfig>,
    jar: &CookieJar<'_>,
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
            let shown = form.as_ref().map_or(
                Shown {
                    email: "",
                    next: None,
                },
                |f| f.shown(),
            );
            let wait = e.retry_after().unwrap_or(1).to_string();
            let message = Some(Message::Text(e.message(lang)));
            return login_page(services, lang, &token, shown, e.status(), message)
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
                form.shown(),
                Status::Forbidden,
                Some(Message::Key("form-expired")),
            );
            return page.map(no_store).map(Err);
        }
        Err(Refused::Malformed(status)) => return Err(crate::http::csrf::unreadable(status)),
    };
    match staff::login(&services.db, allowed.0, &form.email, &form.password).await? {
        Ok(staff::LoginStep::CodeNeeded { staff_id }) => {
            super::login_code::remember(jar, config, staff_id, form.next.as_ref());
            Ok(Ok(Redirect::to("/admin/login/code")))
        }
        Ok(staff::LoginStep::SignedIn(member)) => {
            // A CSRF token an onlooker saw before is worth nothing after.
            sessions.start(&member).await?;
            Ok(Ok(match form.next {
                Some(next) => Redirect::to(next.as_str().to_owned()),
                None => Redirect::to(uri!(super::events::overview)),
            }))
        }
        Err(staff::LoginError::LockedOut { retry_after_secs }) => login_page(
            services,
            lang,
            &token,
            form.shown(),
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
            form.shown(),
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
    Ok(Redirect::to(uri!(form(_))))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, login, logout]
}
