//! Defences every response and every state-changing endpoint share:
//! security headers, and rate limits per client and per e-mail address
//! (429 with Retry-After), counted in `services::limits`.
use rocket::fairing::AdHoc;
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::shield::{Frame, Referrer, Shield};
use rocket::Request;

use crate::error::AppError;
use crate::http::client::ClientAddr;
use crate::services::limits::{Limit, Limits};
use crate::services::Services;

/// No inline scripts or styles anywhere on our pages, so the policy can
/// be strict; `frame-ancestors` keeps the forms out of other sites' frames.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Rocket's shield (nosniff, no framing, no referrer: manage links carry
/// tokens) plus a Content-Security-Policy, no caching of anything but the
/// static files (pages and exports hold personal data; the versioned
/// stylesheet and the icon are kept a year), and HSTS when the app is
/// served over https.
pub fn headers() -> (Shield, AdHoc) {
    let shield = Shield::default()
        .enable(Frame::Deny)
        .enable(Referrer::NoReferrer);
    let ours = AdHoc::on_response("Content-Security-Policy, caching, HSTS", |req, response| {
        Box::pin(async move {
            response.set_header(Header::new(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY,
            ));
            let path = req.uri().path();
            let versioned = req
                .uri()
                .query()
                .is_some_and(|q| q.as_str().starts_with("v="));
            let cache = if path == "/favicon.ico" || (path.starts_with("/static/") && versioned) {
                // The address changes with the content (`views::stylesheet_url`).
                "public, max-age=31536000, immutable"
            } else if path.starts_with("/static/") {
                "public, max-age=3600"
            } else {
                "no-store"
            };
            response.set_header(Header::new("Cache-Control", cache));
            let https = req
                .rocket()
                .state::<crate::config::AppConfig>()
                .is_some_and(|c| c.base_url.starts_with("https://"));
            if https {
                response.set_header(Header::new(
                    "Strict-Transport-Security",
                    "max-age=31536000; includeSubDomains",
                ));
            }
        })
    });
    (shield, ours)
}

/// Seconds the refused client should wait, for the 429 catcher's header.
#[derive(Clone, Copy, Default)]
pub struct RetryAfter(pub u64);

/// Counts the request against `limit` for its client; without an address
/// (a misconfigured proxy) nobody is blamed. A route that takes the guard
/// as `Result<_, AppError>` gets the refusal to show its form again with
/// it; otherwise the catcher answers it.
async fn check<'r>(req: &'r Request<'_>, limit: Limit) -> Outcome<&'r Limits, AppError> {
    let Some(services) = req.rocket().state::<Services>() else {
        return Outcome::Error((Status::InternalServerError, AppError::internal(NoServices)));
    };
    let limits = &*services.limits;
    let ClientAddr(client) = match req.guard::<ClientAddr>().await {
        Outcome::Success(client) => client,
        _ => ClientAddr(None),
    };
    let Some(client) = client else {
        return Outcome::Success(limits);
    };
    match limits.check(limit, &client.to_string()).await {
        Ok(()) => Outcome::Success(limits),
        Err(refused) => {
            if let Some(wait) = refused.retry_after() {
                req.local_cache(|| RetryAfter(wait));
            }
            Outcome::Error((refused.status(), refused))
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the app's services are not managed by Rocket")]
struct NoServices;

/// Guards the public forms that store something or send mail (sign-ups,
/// applications, resends) per client; the route adds the per-recipient
/// check once it has read the address.
pub struct SignUpAllowed<'r>(&'r Limits);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignUpAllowed<'r> {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, Limit::FormsFromClient).await.map(SignUpAllowed)
    }
}

impl SignUpAllowed<'_> {
    /// Refuses when this address has had its hourly allowance of mail,
    /// however many clients ask: what stops one person's inbox being
    /// flooded from many addresses.
    pub async fn mail_to(&self, email: &str) -> Result<(), AppError> {
        self.0.check(Limit::MailToAddress, email).await
    }
}

/// Guards the staff log-in per client, beside the per-address count of
/// wrong passwords and the per-account lock-out.
pub struct LoginAllowed<'r>(pub &'r Limits);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LoginAllowed<'r> {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        check(req, Limit::LogInsFromClient).await.map(LoginAllowed)
    }
}
