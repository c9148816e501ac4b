//! JSON request bodies: only with `Content-Type: application/json` (a form
//! on a foreign page can send `text/plain` cross-site without asking, but
//! not JSON), read within [`BODY_TIMEOUT`], and refused with the error kinds
//! of the API.
use rocket::data::{self, Data, FromData};
use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::Request;
use serde::Deserialize;

use crate::domain::Lang;
use crate::error::AppError;
use crate::http::lang::asked_in_body;

/// The longest a client may take to send a body: a form or a sign-up over
/// a weak phone connection takes a few seconds, a slow-loris forever.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A JSON body of type `T`. Take it as `Result<JsonBody<T>, AppError>` and
/// answer the error as it is. The language its `lang` field asks for is the
/// language of the answer, errors included (see [`crate::http::lang`]).
pub struct JsonBody<T>(pub T);

/// A body that may name the language its answer and mails are in.
pub trait AsksLanguage {
    /// The language asked for; `None` when absent or not one we speak.
    fn language(&self) -> Option<Lang>;
}

/// The `lang` field of a body that did not parse as its type, so an
/// unknown field or a wrong type is still refused in the language asked.
fn language_of_unparsed(body: &str) -> Option<Lang> {
    let object: serde_json::Value = serde_json::from_str(body).ok()?;
    Lang::parse(object.get("lang")?.as_str()?)
}

#[rocket::async_trait]
impl<'r, T: Deserialize<'r> + AsksLanguage + Send> FromData<'r> for JsonBody<T> {
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
            Ok(data::Outcome::Success(json)) => {
                let body = json.into_inner();
                if let Some(lang) = body.language() {
                    asked_in_body(req, lang);
                }
                data::Outcome::Success(JsonBody(body))
            }
            Ok(data::Outcome::Forward(forward)) => data::Outcome::Forward(forward),
            Ok(data::Outcome::Error((status, error))) => {
                if let json::Error::Parse(body, _) = &error {
                    if let Some(lang) = language_of_unparsed(body) {
                        asked_in_body(req, lang);
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_of_a_body_of_the_wrong_shape_is_still_found() {
        assert_eq!(
            language_of_unparsed(r#"{"lang":"en","name":5,"extra":[1]}"#),
            Some(Lang::En)
        );
        assert_eq!(language_of_unparsed(r#"{"lang":"en-GB"}"#), Some(Lang::En));
        assert_eq!(language_of_unparsed(r#"{"lang":"de"}"#), None);
        assert_eq!(language_of_unparsed(r#"{"lang":7}"#), None);
        assert_eq!(language_of_unparsed(r#"{"lang":"en""#), None, "not JSON");
        assert_eq!(language_of_unparsed(r#"["en"]"#), None);
    }
}
