//! Errors Rocket raises before a handler runs (unknown route, body too
//! large, unparsable form) get the same JSON or page shape as ours.
use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Catcher, Request};

use crate::error::{render_error_page, ErrorBody};
use crate::i18n::text;

struct CaughtError(Status);

impl<'r> Responder<'r, 'static> for CaughtError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        if self.0 == Status::Unauthorized && req.uri().path().starts_with("/admin") {
            return rocket::response::Redirect::to("/admin/login").respond_to(req);
        }
        if self.0 == Status::TooManyRequests {
            let wait = req
                .local_cache(super::protection::RetryAfter::default)
                .0
                .max(1);
            let response = too_many(req, wait).respond_to(req)?;
            return Ok(response);
        }
        let lang = super::lang::detect(req);
        let (kind, key) = match self.0.code {
            400 => ("bad_request", "error-bad-request"),
            403 => ("forbidden", "error-forbidden"),
            404 => ("not_found", "error-not-found"),
            413 => ("payload_too_large", "error-payload-too-large"),
            429 => ("rate_limited", "error-rate-limited"),
            422 => ("validation", "error-validation"),
            503 => ("unavailable", "error-unavailable"),
            _ => ("internal", "error-internal"),
        };
        let message = text(lang, key);
        if req.uri().path().starts_with("/api/") {
            let body = ErrorBody {
                error: kind,
                message,
                fields: Default::default(),
            };
            return (self.0, Json(body)).respond_to(req);
        }
        render_error_page(req, self.0, lang, &message)
    }
}

#[rocket::catch(default)]
fn any(status: Status, _req: &Request<'_>) -> CaughtError {
    CaughtError(status)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any]
}

/// A 429 in the request's own shape, with the wait in Retry-After.
fn too_many<'r>(req: &'r Request<'_>, wait: u64) -> impl Responder<'r, 'static> {
    let lang = super::lang::detect(req);
    let message =
        crate::i18n::text_with(lang, "error-rate-limited", &[("seconds", wait.to_string())]);
    let header = rocket::http::Header::new("Retry-After", wait.to_string());
    let body = if req.uri().path().starts_with("/api/") {
        let json = serde_json::json!({"error": "rate_limited", "message": message});
        (rocket::http::ContentType::JSON, json.to_string())
    } else {
        (rocket::http::ContentType::Plain, message)
    };
    WithHeader(Status::TooManyRequests, header, body)
}

struct WithHeader<R>(Status, rocket::http::Header<'static>, R);

impl<'r, R: Responder<'r, 'static>> Responder<'r, 'static> for WithHeader<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut response = self.2.respond_to(req)?;
        response.set_status(self.0);
        response.set_header(self.1);
        Ok(response)
    }
}
