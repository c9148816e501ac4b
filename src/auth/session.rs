//! Who is signed in, as a request guard. The session lives in the database
//! (`services::sessions`); the private cookie holds only its random id.
//! The account is read with it on every request, so a deactivated account
//! or a changed role takes effect at once.
use chrono::Duration;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;
use uuid::Uuid;

use crate::config::AppConfig;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::sessions::{self, Lifetimes};
use crate::services::staff::Account;
use crate::services::Services;

const COOKIE: &str = "staff_session";

/// The signed-in staff member. Take a capability guard (`Organiser`,
/// `Programme`, ...) in routes; this one only says who it is.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Which of the account's sessions this request belongs to.
    #[serde(skip)]
    pub session: String,
    /// What the last change saved, as a `saved-*` text key: the page after
    /// a save says so (`routes::admin::saved`).
    pub saved: Option<String>,
}

pub fn lifetimes(config: &AppConfig) -> Lifetimes {
    Lifetimes {
        idle: Duration::minutes(config.session_idle_minutes.max(1)),
        absolute: Duration::hours(config.session_hours.max(1)),
    }
}

/// Starts a session for `account` in the browser of `jar`.
async fn start(
    services: &Services,
    config: &AppConfig,
    jar: &CookieJar<'_>,
    account: &Account,
    user_agent: Option<&str>,
) -> Result<(), AppError> {
    let id = sessions::start(&services.db, account.id, user_agent, lifetimes(config)).await?;
    jar.add_private(
        Cookie::build((COOKIE, id))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(config.base_url.starts_with("https://")),
    );
    Ok(())
}

/// Ends this browser's session, in the database and the cookie.
async fn end(services: &Services, jar: &CookieJar<'_>) -> Result<(), AppError> {
    if let Some(cookie) = jar.get_private(COOKIE) {
        sessions::end(&services.db, cookie.value()).await?;
    }
    jar.remove_private(Cookie::build(COOKIE).path("/"));
    Ok(())
}

/// Set when the guard refused an admin who must enrol in two-factor log-in
/// first, so the 403 catcher sends them to enrol.
#[derive(Default)]
pub struct EnrolFirst(pub bool);

/// Pages an admin who must enrol still reaches: their own account page
/// (where enrolment is) and the log-out.
fn reachable_before_enrolment(path: &str) -> bool {
    path == "/admin/logout" || path == "/admin/me" || path.starts_with("/admin/me/")
}

/// The session's account, looked up once per request however many guards ask.
async fn signed_in(req: &Request<'_>) -> Result<Staff, Status> {
    let id = req
        .cookies()
        .get_private(COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or(Status::Unauthorized)?;
    let (Some(services), Some(config)) = (
        req.rocket().state::<Services>(),
        req.rocket().state::<AppConfig>(),
    ) else {
        return Err(Status::InternalServerError);
    };
    match sessions::resume(&services.db, &id, lifetimes(config)).await {
        Ok(Some((account, session)))
            if account.role == Role::Admin
                && !account.two_factor
                && !reachable_before_enrolment(req.uri().path().as_str()) =>
        {
            match crate::services::settings::two_factor_required_for_admins(&services.db).await {
                Ok(true) => {
                    req.local_cache(|| EnrolFirst(true));
                    Err(Status::Forbidden)
                }
                Ok(false) => Ok(staff_of(account, session, req).await),
                Err(_) => Err(Status::ServiceUnavailable),
            }
        }
        Ok(Some((account, session))) => Ok(staff_of(account, session, req).await),
        Ok(None) => Err(Status::Unauthorized),
        Err(_) => Err(Status::ServiceUnavailable),
    }
}

async fn staff_of(account: Account, session: String, req: &Request<'_>) -> Staff {
    Staff {
        id: account.id,
        email: account.email,
        name: account.name,
        role: account.role,
        session,
        saved: saved_notice(req).await,
    }
}

/// The flash cookie a save left, when it names one of our `saved-*` texts.
async fn saved_notice(req: &Request<'_>) -> Option<String> {
    let flash = req
        .guard::<Option<rocket::request::FlashMessage<'_>>>()
        .await
        .succeeded()
        .flatten()?;
    let key = flash.message();
    (flash.kind() == "success" && key.starts_with("saved-") && key.len() < 40)
        .then(|| key.to_owned())
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let found = req.local_cache_async(async { signed_in(req).await }).await;
        match found {
            Ok(staff) => Outcome::Success(staff.clone()),
            Err(status) => Outcome::Error((*status, ())),
        }
    }
}

/// What starting or ending a session in this browser needs: its cookies,
/// its User-Agent (to name the session by), the settings and the database.
pub struct Sessions<'r> {
    jar: &'r CookieJar<'r>,
    agent: Option<&'r str>,
    config: &'r AppConfig,
    services: &'r Services,
}

impl Sessions<'_> {
    /// Signs `account` in here; the CSRF token changes with it.
    pub async fn start(&self, account: &Account) -> Result<(), AppError> {
        start(self.services, self.config, self.jar, account, self.agent).await?;
        crate::http::csrf::rotate(self.jar, self.config.base_url.starts_with("https://"));
        Ok(())
    }

    /// Ends this browser's session; the CSRF token changes with it.
    pub async fn end(&self) -> Result<(), AppError> {
        end(self.services, self.jar).await?;
        crate::http::csrf::rotate(self.jar, self.config.base_url.starts_with("https://"));
        Ok(())
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Sessions<'r> {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let (Some(config), Some(services)) = (
            req.rocket().state::<AppConfig>(),
            req.rocket().state::<Services>(),
        ) else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        Outcome::Success(Sessions {
            jar: req.cookies(),
            agent: req.headers().get_one("User-Agent"),
            config,
            services,
        })
    }
}
