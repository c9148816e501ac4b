//! One error type for every use case, mapped to HTTP in one place: a JSON
//! body under `/api/`, a Dutch or English page elsewhere.
//!
//! Services return the specific variants; anything unexpected becomes
//! `Internal`, whose whole cause chain is logged while the user sees an
//! opaque message.
use std::collections::BTreeMap;
use std::error::Error as StdError;

use rocket::http::{ContentType, Header, Status};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::Request;
use sea_orm::DbErr;
use serde::Serialize;

use crate::domain::{FieldErrors, Lang};
use crate::i18n::text;
use crate::views::Views;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("already signed up with this e-mail address")]
    Duplicate,
    #[error("no seats left and no waiting list")]
    Full,
    #[error("registration is not open")]
    Closed,
    /// Carries the translation key of the reason.
    #[error("not eligible: {0}")]
    Ineligible(&'static str),
    /// Not eligible, with the reason already in the reader's language.
    #[error("not eligible: {0}")]
    IneligibleBecause(String),
    #[error("{contact_name} already applied for {organisation}")]
    AlreadyApplied {
        contact_name: String,
        organisation: String,
    },
    /// A state conflict, with the translation key that explains it.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("the link is unknown or has expired")]
    LinkExpiredOrUnknown,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token does not match: an old or foreign form.
    #[error("form expired or not from this site")]
    FormExpired,
    /// Well-formed JSON of the wrong shape (unknown field, wrong type).
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// Too many requests about one e-mail address.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    #[error("internal error")]
    Internal(#[source] Box<dyn StdError + Send + Sync>),
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            AppError::Unavailable(err)
        } else {
            AppError::Internal(Box::new(err))
        }
    }
}

impl From<tera::Error> for AppError {
    fn from(err: tera::Error) -> Self {
        AppError::Internal(Box::new(err))
    }
}

impl AppError {
    pub fn internal(err: impl StdError + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(err))
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::Validation(_) | AppError::InvalidBody(_) => Status::UnprocessableEntity,
            AppError::NotFound => Status::NotFound,
            AppError::Duplicate
            | AppError::AlreadyApplied { .. }
            | AppError::Full
            | AppError::Closed
            | AppError::Conflict(_) => Status::Conflict,
            AppError::Ineligible(_) | AppError::IneligibleBecause(_) => Status::Forbidden,
            AppError::LinkExpiredOrUnknown => Status::NotFound,
            AppError::Forbidden | AppError::FormExpired => Status::Forbidden,
            AppError::PayloadTooLarge => Status::PayloadTooLarge,
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::RateLimited { .. } => Status::TooManyRequests,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// Stable machine-readable kind for API clients.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Validation(_) | AppError::InvalidBody(_) => "validation",
            AppError::NotFound => "not_found",
            AppError::Duplicate | AppError::AlreadyApplied { .. } => "duplicate",
            AppError::Conflict(_) => "conflict",
            AppError::LinkExpiredOrUnknown => "not_found",
            AppError::Forbidden | AppError::FormExpired => "forbidden",
            AppError::Full => "full",
            AppError::Closed => "closed",
            AppError::Ineligible(_) | AppError::IneligibleBecause(_) => "ineligible",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::BadRequest(_) => "bad_request",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Ineligible(reason) => text(lang, reason),
            AppError::IneligibleBecause(reason) => reason.clone(),
            AppError::AlreadyApplied {
                contact_name,
                organisation,
            } => crate::i18n::text_with(
                lang,
                "error-already-applied",
                &[
                    ("contact", contact_name.clone()),
                    ("organisation", organisation.clone()),
                ],
            ),
            AppError::Conflict(key) => text(lang, key),
            AppError::LinkExpiredOrUnknown => text(lang, "error-link-expired"),
            AppError::FormExpired => text(lang, "form-expired"),
            AppError::InvalidBody(detail) => {
                format!("{}: {detail}", text(lang, "error-invalid-body"))
            }
            _ => text(lang, &format!("error-{}", self.kind().replace('_', "-"))),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(_) | AppError::Unavailable(_) => {
                let mut chain = self.to_string();
                let mut source = self.source();
                while let Some(cause) = source {
                    chain.push_str(": ");
                    chain.push_str(&cause.to_string());
                    source = cause.source();
                }
                tracing::error!(kind = self.kind(), "{chain}");
            }
            _ => tracing::debug!(kind = self.kind(), "{self}"),
        }
    }
}

/// Translates each field's error code into a sentence.
pub fn field_messages(fields: &FieldErrors, lang: Lang) -> BTreeMap<&'static str, String> {
    fields
        .iter()
        .map(|(field, code)| (*field, text(lang, &format!("field-error-{code}"))))
        .collect()
}

/// What every JSON error looks like, whoever raised it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    #[schema(schema_with = crate::routes::api_docs::error_kind)]
    pub error: &'static str,
    /// For people, in the language of the request.
    pub message: String,
    /// What is wrong with each field, on validation errors only.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = BTreeMap<String, String>)]
    pub fields: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    lang: &'static str,
    status: u16,
    message: &'a str,
    /// What is wrong with each field, for forms that are not shown again.
    details: Vec<String>,
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        self.log();
        let lang = crate::routes::lang::detect(req);
        let status = self.status();
        let message = self.message(lang);
        let fields = match &self {
            AppError::Validation(fields) => field_messages(fields, lang),
            _ => BTreeMap::new(),
        };
        let mut response =
            if req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz" {
                let body = ErrorBody {
                    error: self.kind(),
                    message,
                    fields,
                };
                (status, Json(body)).respond_to(req)?
            } else {
                let details = fields.into_values().collect();
                render_error_page_with(req, status, lang, &message, details)?
            };
        if let AppError::RateLimited { retry_after_secs } = self {
            response.set_header(Header::new("Retry-After", retry_after_secs.to_string()));
        }
        Ok(response)
    }
}

/// The HTML error page; falls back to plain text if even templates fail.
pub fn render_error_page(
    req: &Request<'_>,
    status: Status,
    lang: Lang,
    message: &str,
) -> response::Result<'static> {
    render_error_page_with(req, status, lang, message, Vec::new())
}

fn render_error_page_with(
    req: &Request<'_>,
    status: Status,
    lang: Lang,
    message: &str,
    details: Vec<String>,
) -> response::Result<'static> {
    let page = ErrorPage {
        lang: lang.code(),
        status: status.code,
        message,
        details,
    };
    let html = req
        .rocket()
        .state::<Views>()
        .and_then(|views| views.render("error.html.tera", &page).ok());
    match html {
        Some(html) => (status, (ContentType::HTML, html)).respond_to(req),
        None => (status, message.to_owned()).respond_to(req),
    }
}
