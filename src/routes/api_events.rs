use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::State;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Lang, NewRegistration, RegistrationInput};
use crate::entities::registration::RegistrationStatus;
use crate::error::AppError;
use crate::routes::protection::SignUpAllowed;
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

#[rocket::post("/events/<slug>/registrations", data = "<body>")]
async fn register(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    _allowed: SignUpAllowed,
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
    let new = NewRegistration::parse(&input, mail_lang).map_err(AppError::Validation)?;
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
