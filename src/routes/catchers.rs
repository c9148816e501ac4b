//! Errors Rocket raises before a handler answers (no route, body too
//! large, a refused guard) are answered as the `AppError` they stand for,
//! so they look like every other error.
use rocket::http::Status;
use rocket::{Catcher, Request};

use crate::auth::session::EnrolFirst;
use crate::error::AppError;
use crate::http::csrf::TokenRefused;
use crate::routes::protection::RetryAfter;

/// Rocket answered a request with `status` itself.
#[derive(Debug, thiserror::Error)]
#[error("Rocket answered {0} before a handler did")]
struct Caught(Status);

fn error_for(status: Status, req: &Request<'_>) -> AppError {
    match status.code {
        400 => AppError::BadRequest(status.reason_lossy().to_owned()),
        401 => AppError::SignInRequired,
        403 if req.local_cache(TokenRefused::default).0 => AppError::FormExpired,
        403 if req.local_cache(EnrolFirst::default).0 => AppError::TwoFactorEnrolmentRequired,
        403 => AppError::Forbidden,
        404 => AppError::NotFound,
        408 => AppError::RequestTimeout,
        413 => AppError::PayloadTooLarge,
        415 => AppError::UnsupportedMediaType,
        422 => AppError::Validation(Default::default()),
        429 => AppError::RateLimited {
            retry_after_secs: req.local_cache(RetryAfter::default).0.max(1),
            of: crate::error::Throttled::Client,
        },
        503 => AppError::Unavailable(sea_orm::DbErr::Custom(
            "a request guard could not reach the database".into(),
        )),
        _ => AppError::internal(Caught(status)),
    }
}

#[rocket::catch(default)]
fn any(status: Status, req: &Request<'_>) -> AppError {
    error_for(status, req)
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any]
}
