use crate::http::json::JsonBody;
use crate::http::params::SlugParam;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::State;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::forms::SignUpFields;
use crate::domain::{Lang, RegistrationStatus, SubmissionKey};
use crate::error::{AppError, ErrorBody};
use crate::routes::api_docs;
use crate::routes::protection::SignUpAllowed;
use crate::services::events::{self, EventView};
use crate::services::{registrations, Services};

/// Published events that have not ended, soonest first, and called-off
/// ones (`registration_state` `cancelled`) until their date.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "list_events",
    tag = "events",
    params(("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored")),
    responses(
        (status = 200, description = "The upcoming events", body = Vec<EventView>),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::get("/events")]
async fn list(services: &State<Services>, lang: Lang) -> Result<Json<Vec<EventView>>, AppError> {
    Ok(Json(events::upcoming(&services.db, lang).await?))
}

/// One published (or cancelled) event.
#[utoipa::path(
    get,
    path = "/events/{slug}",
    operation_id = "show_event",
    tag = "events",
    params(
        ("slug" = String, Path, description = "The event's slug"),
        ("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored"),
    ),
    responses(
        (status = 200, description = "The event", body = EventView),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::get("/events/<slug>")]
async fn show(
    services: &State<Services>,
    slug: SlugParam<'_>,
    lang: Lang,
) -> Result<Json<EventView>, AppError> {
    Ok(Json(events::by_slug(&services.db, &slug, lang).await?))
}

#[derive(Serialize, ToSchema)]
struct Created {
    id: Uuid,
    #[schema(schema_with = api_docs::sign_up_status)]
    status: RegistrationStatus,
    /// Place on the waiting list (1 is next); only when `waitlisted`.
    #[schema(value_type = u64, minimum = 1)]
    #[serde(skip_serializing_if = "Option::is_none")]
    waitlist_position: Option<u64>,
}

/// The optional `Idempotency-Key` header, as sent.
struct IdempotencyKey(Option<String>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for IdempotencyKey {
    type Error = std::convert::Infallible;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        let raw = req.headers().get_one("Idempotency-Key").map(str::to_owned);
        rocket::request::Outcome::Success(IdempotencyKey(raw))
    }
}

impl IdempotencyKey {
    fn parse(self) -> Result<Option<SubmissionKey>, AppError> {
        self.0
            .map(|raw| SubmissionKey::parse(&raw))
            .transpose()
            .map_err(|e| AppError::Validation([("idempotency_key", e)].into()))
    }
}

/// Signs up for an event, or for its waiting list when it is full.
///
/// A retry with the same `Idempotency-Key` and the same body answers with
/// the sign-up the first request made (201 again, same id) and sends no
/// second mail; the same key with another body is refused (422
/// `idempotency_key_reused`).
#[utoipa::path(
    post,
    path = "/events/{slug}/registrations",
    operation_id = "sign_up",
    tag = "events",
    params(
        ("slug" = String, Path, description = "The event's slug"),
        ("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[A-Za-z0-9_-]{16,64}$",
            description = "16 to 64 characters of `A-Z a-z 0-9 - _`; a retry with the same key \
                and the same body is the same sign-up, the same key with another body is \
                refused"),
    ),
    request_body = SignUpFields,
    responses(
        (status = 201, description = "Signed up, or on the waiting list; a confirmation mail \
            is on its way", body = Created),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The event is for public employers only", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 409, description = "Already signed up (`duplicate`), no seats and no waiting \
            list (`full`), or registration is not open (`closed`)", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`",
            body = ErrorBody),
        (status = 422, description = "A field is missing or wrong (`fields` says which), \
            the body has the wrong shape, or the `Idempotency-Key` came with another body \
            before (`idempotency_key_reused`)", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address or for this e-mail \
            address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::post("/events/<slug>/registrations", data = "<body>")]
async fn register(
    services: &State<Services>,
    slug: SlugParam<'_>,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    idempotency_key: IdempotencyKey,
    body: Result<JsonBody<SignUpFields>, AppError>,
) -> Result<(Status, Json<Created>), AppError> {
    let JsonBody(body) = body?;
    let key = idempotency_key.parse()?;
    let new = body
        .parse(lang)
        .map_err(AppError::Validation)?
        .with_submission_key(key);
    allowed.mail_to(new.email.as_str()).await?;
    let registered = registrations::register(services, &slug, new).await?;
    Ok((
        Status::Created,
        Json(Created {
            id: registered.id,
            status: registered.status,
            waitlist_position: registered.waitlist_position,
        }),
    ))
}

#[derive(OpenApi)]
#[openapi(paths(list, show, register))]
pub(super) struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, register]
}
