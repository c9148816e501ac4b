//! The second step of a log-in with two-factor: the code from the app.
//! Between the steps a private cookie (encrypted, five minutes) holds whose
//! password was right and where to go after; no session exists yet.
use rocket::http::{Cookie, CookieJar, Header, SameSite, Status};
use rocket::response::Redirect;
use rocket::time::Duration as CookieAge;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::session::Sessions;
use crate::auth::two_factor::TotpKey;
use crate::config::AppConfig;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::next::NextPage;
use crate::http::{page, CsrfForm, CsrfToken, Page, WithHeader};
use crate::routes::protection::LoginAllowed;
use crate::services::{staff, Services};

const PENDING: &str = "staff_pending_code";
const PENDING_SECS: i64 = 300;

/// Remembers, for the code step, whose password was right.
pub(super) fn remember(jar: &CookieJar<'_>, config: &AppConfig, id: Uuid, next: Option<&NextPage>) {
    let until = chrono::Utc::now().timestamp() + PENDING_SECS;
    let next = next.map_or("", NextPage::as_str);
    jar.add_private(
        Cookie::build((PENDING, format!("{id}|{until}|{next}")))
            .path("/admin/login")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(CookieAge::seconds(PENDING_SECS))
            .secure(config.base_url.starts_with("https://")),
    );
}

fn pending(jar: &CookieJar<'_>) -> Option<(Uuid, Option<NextPage>)> {
    let cookie = jar.get_private(PENDING)?;
    let mut parts = cookie.value().splitn(3, '|');
    let id = Uuid::parse_str(parts.next()?).ok()?;
    let until: i64 = parts.next()?.parse().ok()?;
    let next = parts.next().and_then(NextPage::parse);
    (until > chrono::Utc::now().timestamp()).then_some((id, next))
}

fn forget(jar: &CookieJar<'_>) {
    jar.remove_private(Cookie::build(PENDING).path("/admin/login"));
}

#[derive(Serialize)]
struct CodePage<'a> {
    lang: &'static str,
    csrf: &'a str,
    error: Option<String>,
}

fn code_page(
    services: &Services,
    lang: Lang,
    csrf: &CsrfToken,
    status: Status,
    error: Option<&str>,
) -> Result<WithHeader<Page>, AppError> {
    let context = CodePage {
        lang: lang.code(),
        csrf: &csrf.0,
        error: error.map(|key| crate::i18n::text(lang, key)),
    };
    let html = services
        .views
        .render("admin/login_code.html.tera", &context)?;
    Ok(WithHeader(
        page(status, html),
        Header::new("Cache-Control", "no-store"),
    ))
}

#[rocket::get("/admin/login/code")]
fn form(
    services: &State<Services>,
    lang: Lang,
    jar: &CookieJar<'_>,
    csrf: CsrfToken,
) -> Result<Result<WithHeader<Page>, Redirect>, AppError> {
    if pending(jar).is_none() {
        return Ok(Err(Redirect::to(uri!(super::login::form(_)))));
    }
    code_page(services, lang, &csrf, Status::Ok, None).map(Ok)
}

#[derive(Debug, Default, rocket::FromForm)]
struct Code {
    #[field(default = String::new())]
    code: String,
}

#[rocket::post("/admin/login/code", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn check(
    services: &State<Services>,
    key: &State<TotpKey>,
    lang: Lang,
    jar: &CookieJar<'_>,
    sessions: Sessions<'_>,
    csrf: CsrfToken,
    allowed: LoginAllowed<'_>,
    form: CsrfForm<Code>,
) -> Result<Result<Redirect, WithHeader<Page>>, AppError> {
    let Some((id, next)) = pending(jar) else {
        return Ok(Ok(Redirect::to(uri!(super::login::form(_)))));
    };
    match staff::login_code(&services.db, allowed.0, key, id, &form.code).await? {
        Ok(account) => {
            forget(jar);
            sessions.start(&account).await?;
            Ok(Ok(match next {
                Some(next) => Redirect::to(next.as_str().to_owned()),
                None => Redirect::to(uri!(super::events::overview)),
            }))
        }
        Err(staff::LoginError::Wrong) => code_page(
            services,
            lang,
            &csrf,
            Status::Unauthorized,
            Some("admin-login-code-wrong"),
        )
        .map(Err),
        Err(staff::LoginError::LockedOut { retry_after_secs }) => {
            // Locked: the password step starts over once the wait is done.
            forget(jar);
            let mut page = code_page(
                services,
                lang,
                &csrf,
                Status::TooManyRequests,
                Some("admin-login-locked"),
            )?;
            page.1 = Header::new("Retry-After", retry_after_secs.to_string());
            Ok(Err(page))
        }
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![form, check]
}
