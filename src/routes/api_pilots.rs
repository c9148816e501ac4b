use rocket::http::Status;
use rocket::serde::json::{self, Json};
use rocket::State;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use crate::domain::{ApplicationInput, Lang, NewApplication, ParseError};
use crate::error::{AppError, ErrorBody};
use crate::routes::api_docs;
use crate::routes::protection::{EmailAction, SignUpAllowed};
use crate::services::applications::{self, Applied};
use crate::services::eligibility;
use crate::services::pilots::{self, PilotView};
use crate::services::Services;

/// Pilots that are not drafts and have not closed, soonest closing first.
#[utoipa::path(
    get,
    path = "/pilots",
    operation_id = "list_pilots",
    tag = "pilots",
    params(("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored")),
    responses(
        (status = 200, description = "The current pilots", body = Vec<PilotView>),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::get("/pilots")]
async fn list(services: &State<Services>, lang: Lang) -> Result<Json<Vec<PilotView>>, AppError> {
    Ok(Json(pilots::current(&services.db, lang).await?))
}

/// One pilot that is not a draft.
#[utoipa::path(
    get,
    path = "/pilots/{slug}",
    operation_id = "show_pilot",
    tag = "pilots",
    params(
        ("slug" = String, Path, description = "The pilot's slug"),
        ("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored"),
    ),
    responses(
        (status = 200, description = "The pilot", body = PilotView),
        (status = 404, description = "No such pilot", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::get("/pilots/<slug>")]
async fn show(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
) -> Result<Json<PilotView>, AppError> {
    Ok(Json(pilots::by_slug(&services.db, slug, lang).await?))
}

/// As with sign-ups, the schema marks what an application needs as
/// required; a missing field is answered with 422 per field.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ApplicationBody {
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<300>, required)]
    organisation: String,
    /// The register entry, from `GET /api/v1/organisations`.
    #[serde(default)]
    #[schema(nullable)]
    organisation_id: Option<Uuid>,
    #[serde(default)]
    #[schema(schema_with = api_docs::sector_code, required)]
    sector: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<200>, required)]
    contact_name: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::email, required)]
    email: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::phone)]
    phone: Option<String>,
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<2000>, required)]
    current_suppliers: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::optional_text::<300>)]
    market_partner: Option<String>,
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<4000>, required)]
    motivation: String,
    /// A JSON number: `4.0` is the integer 4, as JSON Schema has it.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 0, maximum = 1000, required)]
    expected_jobs: Option<serde_json::Number>,
    #[serde(default)]
    #[schema(schema_with = api_docs::lang_field)]
    lang: Option<String>,
}

/// Applies for a pilot on behalf of an organisation.
///
/// An application is stored `unverified` and a mail asks the contact to
/// confirm the address; ineligible organisations are refused and nothing
/// of them is kept.
#[utoipa::path(
    post,
    path = "/pilots/{slug}/applications",
    operation_id = "apply_for_pilot",
    tag = "pilots",
    params(
        ("slug" = String, Path, description = "The pilot's slug"),
        ("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored"),
    ),
    request_body = ApplicationBody,
    responses(
        (status = 201, description = "Applied; a verification mail is on its way", body = Applied),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The organisation is not eligible (`message` says why)",
            body = ErrorBody),
        (status = 404, description = "No such pilot", body = ErrorBody),
        (status = 409, description = "The organisation already applied (`duplicate`), the \
            pilot is full (`full`) or not open (`closed`)", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A field is missing or wrong (`fields` says which), or \
            the body has the wrong shape", body = ErrorBody),
        (status = 429, description = "Too many applications from this address or for this \
            e-mail address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
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
        expected_jobs: body.expected_jobs.map(whole_number).unwrap_or_default(),
    };
    let new = NewApplication::parse(&input, lang).map_err(AppError::Validation)?;
    allowed.for_email(EmailAction::Application, new.email.as_str())?;
    Ok((
        Status::Created,
        Json(applications::apply(services, slug, new).await?),
    ))
}

/// The number as the form would send it: integral floats such as `4.0`
/// lose their fraction, anything else is passed on for the parser to refuse.
fn whole_number(n: serde_json::Number) -> String {
    let integral = n
        .as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f));
    match (n.as_u64(), integral) {
        (Some(whole), _) => whole.to_string(),
        // In range and without a fraction, so the cast is exact.
        (None, Some(f)) => (f as u64).to_string(),
        (None, None) => n.to_string(),
    }
}

#[derive(Serialize, ToSchema)]
struct OrganisationHit {
    id: Uuid,
    name: String,
    abbreviation: Option<String>,
    sector: Option<String>,
}

/// Search-as-you-type over the register.
#[utoipa::path(
    get,
    path = "/organisations",
    operation_id = "search_organisations",
    tag = "pilots",
    params(("q" = String, Query, description = "Part of a name or abbreviation; fewer than \
        two characters find nothing")),
    responses(
        (status = 200, description = "At most ten active organisations, shortest name first",
            body = Vec<OrganisationHit>),
        (status = 422, description = "`q` is missing", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
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

#[derive(OpenApi)]
#[openapi(paths(list, show, apply, search))]
pub(super) struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, apply, search]
}
