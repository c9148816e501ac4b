//! Who is signed in, as a request guard. The session is a private cookie
//! holding the staff id and when it was issued; the account is re-read on
//! every request, so a deactivated account is out at once.
use chrono::{DateTime, Duration, Utc};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

use crate::entities::staff_user;
use crate::error::AppError;
use crate::services::Services;

const COOKIE: &str = "staff_session";
const SESSION_LENGTH: Duration = Duration::hours(12);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including accounts and the audit log.
    Admin,
    /// Events and their sign-ups.
    Organiser,
    /// Pilots, applications and partnerships.
    Programme,
    /// Reads everything staff may read; changes nothing.
    Viewer,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "organiser" | "organizer" => Some(Role::Organiser),
            "programme" | "program" => Some(Role::Programme),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
            Role::Programme => "programme",
            Role::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl Staff {
    /// Refuses with 403 unless the role is one of `allowed` (admins always pass).
    pub fn require(&self, allowed: &[Role]) -> Result<(), AppError> {
        if self.role == Role::Admin || allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Cookies are marked Secure when the app is served over https.
pub fn secure_cookies(req: &Request<'_>) -> bool {
    req.rocket()
        .state::<Services>()
        .is_some_and(|s| s.base_url.starts_with("https://"))
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

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Staff {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some((id, issued)) = req
            .cookies()
            .get_private(COOKIE)
            .and_then(|c| parse(c.value()))
        else {
            return Outcome::Error((Status::Unauthorized, ()));
        };
        if Utc::now() - issued > SESSION_LENGTH {
            return Outcome::Error((Status::Unauthorized, ()));
        }
        let Some(services) = req.rocket().state::<Services>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        match staff_user::Entity::find_by_id(id).one(&services.db).await {
            Ok(Some(user)) if user.active => match Role::parse(&user.role) {
                Some(role) => Outcome::Success(Staff {
                    id: user.id,
                    email: user.email,
                    name: user.name,
                    role,
                }),
                None => Outcome::Error((Status::Forbidden, ())),
            },
            Ok(_) => Outcome::Error((Status::Unauthorized, ())),
            Err(_) => Outcome::Error((Status::ServiceUnavailable, ())),
        }
    }
}
