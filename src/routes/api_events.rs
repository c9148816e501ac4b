use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::State;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Lang, NewRegistration, RegistrationInput, SubmissionKey};
use crate::entities::registration::RegistrationStatus;
use crate::error::AppError;
use crate::routes::protection::{EmailAction, SignUpAllowed};
use crate::services::events::{self, EventView};
use crate::services::{registrations, Services};

#[rocket::get("/events")]
async fn list(services: &State<Services>, lang: Lang) -> Result<Json<Vec<EventView>>, AppError> {
    Ok(Json(events::upcoming(&services.db, lang).await?))
}

#[rocket::get("/events/<slug>")]
async fn show(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
) -> Result<Json<EventView>, AppError> {
    Ok(Json(events::by_slug(&services.db, slug, lang).await?))
}

/// Every field defaults to empty so a missing one is reported per field,
/// like on the form; fields we do not know are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrationBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    job_title: Option<String>,
    #[serde(default)]
    remarks: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Serialize)]
struct Created {
    id: Uuid,
    status: RegistrationStatus,
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

/// A retry with the same `Idempotency-Key` answers with the sign-up the
/// first request made (201 again, same id) and sends no second mail.
#[rocket::post("/events/<slug>/registrations", data = "<body>")]
async fn register(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    idempotency_key: IdempotencyKey,
    body: Result<Json<RegistrationBody>, json::Error<'_>>,
) -> Result<(Status, Json<Created>), AppError> {
    let body = super::json_body(body)?;
    let mail_lang = match body.lang.as_deref() {
        Some(raw) => Lang::parse(raw).ok_or_else(|| {
            AppError::Validation([("lang", crate::domain::ParseError("lang-unknown"))].into())
        })?,
        None => lang,
    };
    let input = RegistrationInput {
        name: body.name,
        email: body.email,
        organisation: body.organisation,
        sector: body.sector,
        job_title: body.job_title.unwrap_or_default(),
        remarks: body.remarks.unwrap_or_default(),
    };
    let key = idempotency_key.parse()?;
    let new = NewRegistration::parse(&input, mail_lang)
        .map_err(AppError::Validation)?
        .with_submission_key(key);
    allowed.for_email(EmailAction::SignUp, new.email.as_str())?;
    let registered = registrations::register(services, slug, new).await?;
    Ok((
        Status::Created,
        Json(Created {
            id: registered.id,
            status: registered.status,
            waitlist_position: registered.waitlist_position,
        }),
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, register]
}
