//! CSRF protection: a random token in a private (encrypted, authenticated)
//! cookie, repeated in every form; a POST is accepted only when they match.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use crate::error::AppError;

const COOKIE: &str = "csrf";

/// The current token, created on first use; put it in forms as `csrf`.
pub struct CsrfToken(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let jar = req.cookies();
        if let Some(existing) = jar.get_private(COOKIE) {
            return Outcome::Success(CsrfToken(existing.value().to_owned()));
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        jar.add_private(
            Cookie::build((COOKIE, token.clone()))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(super::session::secure_cookies(req)),
        );
        Outcome::Success(CsrfToken(token))
    }
}

/// A form whose only field is the CSRF token (buttons that act at once).
#[derive(rocket::FromForm)]
pub struct CsrfOnly {
    #[field(default = String::new())]
    pub csrf: String,
}

/// Refuses the request unless the form's token matches the cookie's.
pub fn verify(jar: &CookieJar<'_>, submitted: &str) -> Result<(), AppError> {
    let expected = jar.get_private(COOKIE).map(|c| c.value().to_owned());
    match expected {
        Some(expected) if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
        // Says what happened and what to do, not only "no access".
        _ => Err(AppError::FormExpired),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
