use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::State;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{ApplicationInput, Lang, NewApplication, ParseError};
use crate::error::AppError;
use crate::routes::protection::{EmailAction, SignUpAllowed};
use crate::services::applications::{self, Applied};
use crate::services::eligibility;
use crate::services::pilots::{self, PilotView};
use crate::services::Services;

#[rocket::get("/pilots")]
async fn list(services: &State<Services>, lang: Lang) -> Result<Json<Vec<PilotView>>, AppError> {
    Ok(Json(pilots::current(&services.db, lang).await?))
}

#[rocket::get("/pilots/<slug>")]
async fn show(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
) -> Result<Json<PilotView>, AppError> {
    Ok(Json(pilots::by_slug(&services.db, slug, lang).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationBody {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    organisation_id: Option<Uuid>,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    current_suppliers: String,
    #[serde(default)]
    market_partner: Option<String>,
    #[serde(default)]
    motivation: String,
    #[serde(default)]
    expected_jobs: Option<u32>,
    #[serde(default)]
    lang: Option<String>,
}

#[rocket::post("/pilots/<slug>/applications", data = "<body>")]
async fn apply(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    body: Result<Json<ApplicationBody>, json::Error<'_>>,
) -> Result<(Status, Json<Applied>), AppError> {
    let body = super::json_body(body)?;
    let lang = match body.lang.as_deref() {
        Some(raw) => Lang::parse(raw)
            .ok_or_else(|| AppError::Validation([("lang", ParseError("lang-unknown"))].into()))?,
        None => lang,
    };
    let input = ApplicationInput {
        organisation: body.organisation,
        organisation_id: body
            .organisation_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        sector: body.sector,
        contact_name: body.contact_name,
        email: body.email,
        phone: body.phone.unwrap_or_default(),
        current_suppliers: body.current_suppliers,
        market_partner: body.market_partner.unwrap_or_default(),
        motivation: body.motivation,
        expected_jobs: body
            .expected_jobs
            .map(|n| n.to_string())
            .unwrap_or_default(),
    };
    let new = NewApplication::parse(&input, lang).map_err(AppError::Validation)?;
    allowed.for_email(EmailAction::Application, new.email.as_str())?;
    Ok((
        Status::Created,
        Json(applications::apply(services, slug, new).await?),
    ))
}

#[derive(Serialize)]
struct OrganisationHit {
    id: Uuid,
    name: String,
    abbreviation: Option<String>,
    sector: Option<String>,
}

/// Search-as-you-type over the register.
#[rocket::get("/organisations?<q>")]
async fn search(
    services: &State<Services>,
    q: &str,
) -> Result<Json<Vec<OrganisationHit>>, AppError> {
    let hits = eligibility::search(&services.db, q, 10).await?;
    Ok(Json(
        hits.into_iter()
            .map(|o| OrganisationHit {
                id: o.id,
                name: o.name,
                abbreviation: o.abbreviation,
                sector: o.sector,
            })
            .collect(),
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, apply, search]
}
