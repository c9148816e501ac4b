//! JSON request bodies: only with `Content-Type: application/json` (a form
//! on a foreign page can send `text/plain` cross-site without asking, but
//! not JSON), read within [`BODY_TIMEOUT`], and refused with the error kinds
//! of the API.
use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::Request;
use serde::Deserialize;

use crate::error::AppError;

/// The longest a client may take to send a body: a form or a sign-up over
/// a weak phone connection takes a few seconds, a slow-loris forever.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A JSON body of type `T`. Take it as `Result<JsonBody<T>, AppError>` and
/// answer the error as it is.
pub struct JsonBody<T>(pub T);

#[rocket::async_trait]
impl<'r, T: Deserialize<'r> + Send> FromData<'r> for JsonBody<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !req.content_type().is_some_and(|ct| ct.is_json()) {
            return data::Outcome::Error((
                Status::UnsupportedMediaType,
                AppError::UnsupportedMediaType,
            ));
        }
        let read = tokio::time::timeout(BODY_TIMEOUT, Json::<T>::from_data(req, data)).await;
        match read {
            Err(_) => data::Outcome::Error((Status::RequestTimeout, AppError::RequestTimeout)),
            Ok(data::Outcome::Success(json)) => data::Outcome::Success(JsonBody(json.into_inner())),
            Ok(data::Outcome::Forward(forward)) => data::Outcome::Forward(forward),
            Ok(data::Outcome::Error((status, error))) => {
                let error = refusal(error);
                data::Outcome::Error((error.status().max(status), error))
            }
        }
    }
}

/// Too large 413, well-formed but of the wrong shape (an unknown field, a
/// wrong type) 422, otherwise 400.
fn refusal(error: json::Error<'_>) -> AppError {
    match error {
        json::Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AppError::PayloadTooLarge
        }
        json::Error::Io(e) => AppError::BadRequest(e.to_string()),
        json::Error::Parse(_, e) if e.classify() == serde_json::error::Category::Data => {
            AppError::InvalidBody(e.to_string())
        }
        json::Error::Parse(_, e) => AppError::BadRequest(e.to_string()),
    }
}
