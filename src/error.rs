//! One error type for every use case, mapped to HTTP here and nowhere else:
//! a JSON [`ErrorBody`] under `/api/`, a Dutch or English page elsewhere.
//! Rocket's own refusals (no route, body too large, too many requests)
//! reach the catchers, which answer with an `AppError` too.
//!
//! Which variant to use: `Validation` for input a person can correct field
//! by field; `NotFound` for anything a visitor may not know exists;
//! `Conflict` (with a translation key) for a change the current state does
//! not allow; `Unavailable` when the database cannot be reached; `Internal`
//! for everything unexpected: its whole cause chain is logged while the user
//! sees an opaque message.
use std::collections::BTreeMap;
use std::error::Error as StdError;

use rocket::http::{Header, Status};
use rocket::response::{self, Redirect, Responder};
use rocket::serde::json::Json;
use rocket::Request;
use sea_orm::DbErr;
use serde::Serialize;

use crate::domain::{FieldErrors, Lang};
use crate::i18n::{count_text, text, text_with, try_text};
use crate::views::Views;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Validation(FieldErrors),
    /// Well-formed JSON of the wrong shape (unknown field, wrong type).
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// A JSON body without `Content-Type: application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The body did not arrive in time.
    #[error("request body too slow")]
    RequestTimeout,
    #[error("not found")]
    NotFound,
    #[error("the link is unknown or has expired")]
    LinkExpiredOrUnknown,
    #[error("already signed up with this e-mail address")]
    Duplicate,
    #[error("no seats left and no waiting list")]
    Full,
    #[error("registration is not open")]
    Closed,
    /// Not eligible, with the reason already in the reader's language.
    #[error("not eligible: {0}")]
    Ineligible(String),
    /// The organisation already holds its place in the pilot. The second
    /// application is kept for staff; no refusal names the person who
    /// applied first.
    #[error("{organisation} already applied")]
    AlreadyApplied { organisation: String },
    /// A state conflict, with the translation key that explains it.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Not signed in to the back office.
    #[error("not signed in")]
    SignInRequired,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// An admin without two-factor log-in while admins must have it: sent
    /// to enrol before any other page.
    #[error("two-factor enrolment required")]
    TwoFactorEnrolmentRequired,
    /// The form's CSRF token does not match: an old or foreign form.
    #[error("form expired or not from this site")]
    FormExpired,
    /// An `Idempotency-Key` (or a form's own key) that came in before with
    /// another sign-up; says nothing of that sign-up.
    #[error("submission key used for another sign-up")]
    SubmissionKeyReused,
    /// Too many requests from one client or about one e-mail address.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited {
        retry_after_secs: u64,
        of: Throttled,
    },
    #[error("database unavailable")]
    Unavailable(#[source] DbErr),
    #[error("internal error")]
    Internal(#[source] Box<dyn StdError + Send + Sync>),
}

/// Whose allowance ran out, which decides what the refusal says: "you
/// sent this form often" or "this address had much mail already".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Forms or log-ins from one client address.
    Client,
    /// Mail to one typed e-mail address.
    Recipient,
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

impl From<crate::mail::outbox::QueueError> for AppError {
    fn from(err: crate::mail::outbox::QueueError) -> Self {
        match err {
            crate::mail::outbox::QueueError::Database(e) => e.into(),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

/// Every machine-readable kind an `ErrorBody` can carry.
pub const KINDS: [&str; 17] = [
    "validation",
    "idempotency_key_reused",
    "bad_request",
    "payload_too_large",
    "unsupported_media_type",
    "timeout",
    "not_found",
    "duplicate",
    "full",
    "closed",
    "ineligible",
    "conflict",
    "unauthenticated",
    "forbidden",
    "rate_limited",
    "unavailable",
    "internal",
];

impl AppError {
    pub fn internal(err: impl StdError + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(err))
    }

    pub fn status(&self) -> Status {
        match self {
            AppError::Validation(_) | AppError::InvalidBody(_) | AppError::SubmissionKeyReused => {
                Status::UnprocessableEntity
            }
            AppError::BadRequest(_) => Status::BadRequest,
            AppError::PayloadTooLarge => Status::PayloadTooLarge,
            AppError::UnsupportedMediaType => Status::UnsupportedMediaType,
            AppError::RequestTimeout => Status::RequestTimeout,
            AppError::NotFound | AppError::LinkExpiredOrUnknown => Status::NotFound,
            AppError::Duplicate
            | AppError::AlreadyApplied { .. }
            | AppError::Full
            | AppError::Closed
            | AppError::Conflict(_) => Status::Conflict,
            AppError::Ineligible(_) => Status::Forbidden,
            AppError::SignInRequired => Status::Unauthorized,
            AppError::Forbidden | AppError::FormExpired | AppError::TwoFactorEnrolmentRequired => {
                Status::Forbidden
            }
            AppError::RateLimited { .. } => Status::TooManyRequests,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// Stable machine-readable kind for API clients, one of [`KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Validation(_) | AppError::InvalidBody(_) => "validation",
            AppError::SubmissionKeyReused => "idempotency_key_reused",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::RequestTimeout => "timeout",
            AppError::NotFound | AppError::LinkExpiredOrUnknown => "not_found",
            AppError::Duplicate | AppError::AlreadyApplied { .. } => "duplicate",
            AppError::Full => "full",
            AppError::Closed => "closed",
            AppError::Ineligible(_) => "ineligible",
            AppError::Conflict(_) => "conflict",
            AppError::SignInRequired => "unauthenticated",
            AppError::Forbidden | AppError::FormExpired | AppError::TwoFactorEnrolmentRequired => {
                "forbidden"
            }
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// What a person reads, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Validation(_) => text(lang, "error-validation"),
            AppError::InvalidBody(detail) => {
                format!("{}: {detail}", text(lang, "error-invalid-body"))
            }
            AppError::BadRequest(_) => text(lang, "error-bad-request"),
            AppError::PayloadTooLarge => text(lang, "error-payload-too-large"),
            AppError::UnsupportedMediaType => text(lang, "error-unsupported-media-type"),
            AppError::RequestTimeout => text(lang, "error-request-timeout"),
            AppError::NotFound => text(lang, "error-not-found"),
            AppError::LinkExpiredOrUnknown => text(lang, "error-link-expired"),
            AppError::Duplicate => text(lang, "error-duplicate"),
            AppError::Full => text(lang, "error-full"),
            AppError::Closed => text(lang, "error-closed"),
            AppError::Ineligible(reason) => reason.clone(),
            AppError::AlreadyApplied { organisation } => text_with(
                lang,
                "error-already-applied",
                &[("organisation", organisation.clone())],
            ),
            AppError::Conflict(key) => text(lang, key),
            AppError::SignInRequired => text(lang, "error-sign-in-required"),
            AppError::Forbidden => text(lang, "error-forbidden"),
            AppError::TwoFactorEnrolmentRequired => text(lang, "error-two-factor-enrol"),
            AppError::FormExpired => text(lang, "form-expired"),
            AppError::SubmissionKeyReused => text(lang, "error-submission-key-reused"),
            AppError::RateLimited {
                retry_after_secs,
                of,
            } => {
                let key = match of {
                    Throttled::Client => "error-rate-limited",
                    Throttled::Recipient => "error-rate-limited-recipient",
                };
                text_with(lang, key, &[("wait", wait_text(lang, *retry_after_secs))])
            }
            AppError::Unavailable(_) => text(lang, "error-unavailable"),
            AppError::Internal(_) => text(lang, "error-internal"),
        }
    }

    /// How long the client should wait before trying again, if at all.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// Logs the whole cause chain of an unexpected error, once, wherever
    /// it ends: here for an answer, in a task for work after the answer.
    pub(crate) fn log(&self) {
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

/// "2 minuten", "45 seconden": a wait as people say it, rounded up.
pub fn wait_text(lang: Lang, secs: u64) -> String {
    if secs < 60 {
        count_text(lang, "wait-seconds", secs.max(1))
    } else {
        count_text(lang, "wait-minutes", secs.div_ceil(60))
    }
}

/// Translates each field's error code into a sentence that says what to
/// do with that field: `field-error-<field>-<code>` where the field has a
/// message of its own ("Kies de sector van uw werkgever"), else the
/// general `field-error-<code>`.
pub fn field_messages(fields: &FieldErrors, lang: Lang) -> BTreeMap<&'static str, String> {
    fields
        .iter()
        .map(|(field, code)| {
            let own = format!("field-error-{}-{code}", field.replace('_', "-"));
            let message =
                try_text(lang, &own).unwrap_or_else(|| text(lang, &format!("field-error-{code}")));
            (*field, message)
        })
        .collect()
}

/// What every JSON error looks like, whoever raised it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    #[schema(schema_with = error_kind_schema)]
    pub error: &'static str,
    /// For people, in the language of the request.
    pub message: String,
    /// What is wrong with each field, on validation errors only.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = BTreeMap<String, String>)]
    pub fields: BTreeMap<&'static str, String>,
}

fn error_kind_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(KINDS))
        .description(Some(
            "Stable machine-readable kind; `message` says it in the reader's language.",
        ))
        .build()
}

#[derive(Serialize)]
struct ErrorPage<'a> {
    lang: &'static str,
    status: u16,
    message: &'a str,
    /// What is wrong with each field, for forms that are not shown again.
    details: Vec<String>,
}

/// Whether `req` is answered in JSON rather than with a page.
pub fn wants_json(req: &Request<'_>) -> bool {
    let path = req.uri().path();
    path.starts_with("/api/") || path == "/healthz"
}

/// The log-in, coming back afterwards to the page asked for (a scanned QR
/// code's attendee); a form sent without a session starts over instead.
fn login_uri(req: &Request<'_>) -> String {
    let uri = req.uri().to_string();
    match crate::http::next::NextPage::parse(&uri) {
        Some(next) if req.method() == rocket::http::Method::Get && uri != "/admin" => {
            next.login_uri()
        }
        _ => "/admin/login".to_owned(),
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        self.log();
        if matches!(self, AppError::SignInRequired) && !wants_json(req) {
            return Redirect::to(login_uri(req)).respond_to(req);
        }
        if matches!(self, AppError::TwoFactorEnrolmentRequired) && !wants_json(req) {
            return Redirect::to("/admin/me/two-factor").respond_to(req);
        }
        let lang = crate::http::lang::detect(req);
        let status = self.status();
        let message = match &self {
            // The connection may have broken after the change was made.
            AppError::Unavailable(_) if req.method() != rocket::http::Method::Get => {
                text(lang, "error-unavailable-after-post")
            }
            _ => self.message(lang),
        };
        let fields = match &self {
            AppError::Validation(fields) => field_messages(fields, lang),
            _ => BTreeMap::new(),
        };
        let mut response = if wants_json(req) {
            let body = ErrorBody {
                error: self.kind(),
                message,
                fields,
            };
            (status, Json(body)).respond_to(req)?
        } else {
            let details = fields.into_values().collect();
            render_error_page(req, status, lang, &message, details)?
        };
        if let Some(wait) = self.retry_after() {
            response.set_header(Header::new("Retry-After", wait.to_string()));
        }
        Ok(response)
    }
}

/// The HTML error page; falls back to plain text if even templates fail.
fn render_error_page(
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
        Some(html) => (status, (rocket::http::ContentType::HTML, html)).respond_to(req),
        None => (status, message.to_owned()).respond_to(req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant. The match makes a new variant fail to compile
    /// here until it is listed.
    fn one_of_each() -> Vec<(&'static str, AppError)> {
        let all = vec![
            ("Validation", AppError::Validation(FieldErrors::new())),
            ("InvalidBody", AppError::InvalidBody("x".into())),
            ("BadRequest", AppError::BadRequest("x".into())),
            ("PayloadTooLarge", AppError::PayloadTooLarge),
            ("UnsupportedMediaType", AppError::UnsupportedMediaType),
            ("RequestTimeout", AppError::RequestTimeout),
            ("NotFound", AppError::NotFound),
            ("LinkExpiredOrUnknown", AppError::LinkExpiredOrUnknown),
            ("Duplicate", AppError::Duplicate),
            ("Full", AppError::Full),
            ("Closed", AppError::Closed),
            ("Ineligible", AppError::Ineligible("reden".into())),
            (
                "AlreadyApplied",
                AppError::AlreadyApplied {
                    organisation: "B".into(),
                },
            ),
            ("Conflict", AppError::Conflict("error-conflict")),
            ("SignInRequired", AppError::SignInRequired),
            ("Forbidden", AppError::Forbidden),
            (
                "TwoFactorEnrolmentRequired",
                AppError::TwoFactorEnrolmentRequired,
            ),
            ("FormExpired", AppError::FormExpired),
            ("SubmissionKeyReused", AppError::SubmissionKeyReused),
            (
                "RateLimited",
                AppError::RateLimited {
                    retry_after_secs: 120,
                    of: Throttled::Client,
                },
            ),
            (
                "RateLimited",
                AppError::RateLimited {
                    retry_after_secs: 3000,
                    of: Throttled::Recipient,
                },
            ),
            (
                "Unavailable",
                AppError::Unavailable(DbErr::Custom("x".into())),
            ),
            ("Internal", AppError::Internal("x".into())),
        ];
        for (_, error) in &all {
            match error {
                AppError::Validation(_)
                | AppError::InvalidBody(_)
                | AppError::BadRequest(_)
                | AppError::PayloadTooLarge
                | AppError::UnsupportedMediaType
                | AppError::RequestTimeout
                | AppError::NotFound
                | AppError::LinkExpiredOrUnknown
                | AppError::TwoFactorEnrolmentRequired
                | AppError::Duplicate
                | AppError::Full
                | AppError::Closed
                | AppError::Ineligible(_)
                | AppError::AlreadyApplied { .. }
                | AppError::Conflict(_)
                | AppError::SignInRequired
                | AppError::Forbidden
                | AppError::FormExpired
                | AppError::SubmissionKeyReused
                | AppError::RateLimited { .. }
                | AppError::Unavailable(_)
                | AppError::Internal(_) => {}
            }
        }
        all
    }

    #[test]
    fn every_variant_is_constructed_somewhere_outside_this_file() {
        let mut sources = String::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("error.rs")
                {
                    sources.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        // Unavailable and Internal are made by the From impls above.
        let unused: Vec<&str> = one_of_each()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !["Unavailable", "Internal"].contains(name))
            .filter(|name| !sources.contains(&format!("AppError::{name}")))
            .collect();
        assert!(unused.is_empty(), "never constructed: {unused:?}");
    }

    /// Every `"..."` literal that follows `marker` in the app's sources.
    fn literals_after(marker: &str) -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for (at, _) in source.match_indices(marker) {
                        let rest = &source[at + marker.len()..];
                        if let Some(end) = rest.find('"') {
                            found.insert(rest[..end].to_owned());
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_conflict_and_field_error_the_code_raises_reads_as_a_sentence_in_both_languages() {
        let conflicts = literals_after("AppError::Conflict(\"");
        assert!(
            conflicts.len() > 5,
            "conflicts were not found: {conflicts:?}"
        );
        let codes = literals_after("ParseError(\"");
        assert!(codes.len() > 10, "field codes were not found: {codes:?}");
        for lang in Lang::ALL {
            for key in &conflicts {
                let own = try_text(lang, key);
                assert!(own.is_some_and(|m| !m.is_empty()), "{key} in {lang:?}");
            }
            for code in &codes {
                let mut fields = FieldErrors::new();
                fields.insert(
                    "field",
                    crate::domain::ParseError(Box::leak(code.clone().into_boxed_str())),
                );
                let message = &field_messages(&fields, lang)["field"];
                assert!(
                    !message.contains("Unknown localization") && message.ends_with('.'),
                    "field-error-{code} in {lang:?}: {message}"
                );
            }
        }
    }

    #[test]
    fn fields_with_a_message_of_their_own_say_what_to_do_with_that_field() {
        let mut fields = FieldErrors::new();
        fields.insert("sector", crate::domain::ParseError("required"));
        fields.insert("email", crate::domain::ParseError("email-invalid"));
        fields.insert("job_title", crate::domain::ParseError("too-long"));
        let nl = field_messages(&fields, Lang::Nl);
        assert_eq!(nl["sector"], "Kies de sector van uw werkgever.");
        assert!(nl["email"].starts_with("Vul een e-mailadres in zoals naam@gemeente.nl."));
        assert_eq!(nl["job_title"], "Dit is te lang. Maak de tekst korter.");
        let en = field_messages(&fields, Lang::En);
        assert_eq!(en["sector"], "Choose the sector of your employer.");
    }

    #[test]
    fn every_error_has_a_real_message_in_dutch_and_english_and_a_listed_kind() {
        for (name, error) in one_of_each() {
            assert!(KINDS.contains(&error.kind()), "{name}: {}", error.kind());
            for lang in Lang::ALL {
                let message = error.message(lang);
                assert!(
                    !message.is_empty() && !message.contains("Unknown localization"),
                    "{name} in {lang:?}: {message}"
                );
            }
        }
        let waiting = AppError::RateLimited {
            retry_after_secs: 120,
            of: Throttled::Client,
        };
        assert_eq!(
            waiting.message(Lang::Nl),
            "U heeft dit formulier vaak verstuurd. Probeer het over 2 minuten opnieuw."
        );
        let one = AppError::RateLimited {
            retry_after_secs: 1,
            of: Throttled::Recipient,
        };
        assert!(
            one.message(Lang::En).contains("1 second."),
            "{}",
            one.message(Lang::En)
        );
    }
}
