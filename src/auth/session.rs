//! Who is signed in, as a request guard. The session is a private cookie
//! holding the staff id and when it was issued; the account is re-read on
//! every request, so a deactivated account is out at once.
use chrono::{DateTime, Duration, Utc};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::Role;
use crate::services::staff::{self, Account};
use crate::services::Services;

const COOKIE: &str = "staff_session";
const SESSION_LENGTH: Duration = Duration::hours(12);

/// The signed-in staff member. Take a capability guard (`Organiser`,
/// `Programme`, ...) in routes; this one only says who it is.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl From<Account> for Staff {
    fn from(account: Account) -> Self {
        Staff {
            id: account.id,
            email: account.email,
            name: account.name,
            role: account.role,
        }
    }
}

pub fn start(jar: &CookieJar<'_>, staff_id: Uuid, secure: bool) {
    let value = format!("{staff_id}|{}", Utc::now().timestamp());
    jar.add_private(
        Cookie::build((COOKIE, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure),
    );
}

pub fn end(jar: &CookieJar<'_>) {
    jar.remove_private(Cookie::build(COOKIE).path("/"));
}

fn parse(value: &str) -> Option<(Uuid, DateTime<Utc>)> {
    let (id, issued) = value.split_once('|')?;
    let issued = DateTime::from_timestamp(issued.parse().ok()?, 0)?;
    Some((Uuid::parse_str(id).ok()?, issued))
}

/// The session's account, looked up once per request however many guards ask.
async fn signed_in(req: &Request<'_>) -> Result<Staff, Status> {
    let (id, issued) = req
        .cookies()
        .get_private(COOKIE)
        .and_then(|c| parse(c.value()))
        .ok_or(Status::Unauthorized)?;
    if Utc::now() - issued > SESSION_LENGTH {
        return Err(Status::Unauthorized);
    }
    let services = req
        .rocket()
        .state::<Services>()
        .ok_or(Status::InternalServerError)?;
    match staff::active_account(&services.db, id).await {
        Ok(Some(account)) => Ok(account.into()),
        Ok(None) => Err(Status::Unauthorized),
        Err(_) => Err(Status::ServiceUnavailable),
    }
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
