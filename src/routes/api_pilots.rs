use crate::http::json::JsonBody;
use crate::http::params::SlugParam;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::State;
use utoipa::OpenApi;

use super::forms::ApplicationFields;
use crate::domain::{Lang, ParseError};
use crate::error::{AppError, ErrorBody};
use crate::routes::protection::SignUpAllowed;
use crate::services::applications::{self, Applied};
use crate::services::eligibility::{self, OrganisationHit};
use crate::services::pilots::{self, PilotView};
use crate::services::Services;

/// Pilots that are neither drafts nor archived and whose period has not ended,
/// soonest closing first.
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

/// One pilot that is not a draft; an archived one says so in `applications`.
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
    slug: SlugParam<'_>,
    lang: Lang,
) -> Result<Json<PilotView>, AppError> {
    Ok(Json(pilots::by_slug(&services.db, &slug, lang).await?))
}

/// Applies for a pilot on behalf of an organisation.
///
/// An application is stored `unverified` and a mail asks the contact to
/// confirm the address; ineligible organisations are refused and nothing
/// of them is kept. The contact's e-mail domain identifies the
/// organisation when it belongs to one register entry.
#[utoipa::path(
    post,
    path = "/pilots/{slug}/applications",
    operation_id = "apply_for_pilot",
    tag = "pilots",
    params(
        ("slug" = String, Path, description = "The pilot's slug"),
        ("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored"),
    ),
    request_body = ApplicationFields,
    responses(
        (status = 201, description = "Applied; a verification mail is on its way", body = Applied),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 403, description = "The organisation is not eligible (`message` says why)",
            body = ErrorBody),
        (status = 404, description = "No such pilot", body = ErrorBody),
        (status = 409, description = "The organisation already holds its place in the pilot \
            (`duplicate`; this application is kept for staff, who will be in touch, and a \
            verification mail is sent), or the pilot is full (`full`) or not open (`closed`)",
            body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`",
            body = ErrorBody),
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
    slug: SlugParam<'_>,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    body: Result<JsonBody<ApplicationFields>, AppError>,
) -> Result<(Status, Json<Applied>), AppError> {
    let JsonBody(body) = body?;
    let new = body.parse(lang).map_err(AppError::Validation)?;
    allowed.mail_to(new.email.as_str()).await?;
    let applied = applications::apply(services, &slug, new).await?;
    if applied.already_applied {
        // Kept for staff; the answer names the organisation, not a person.
        return Err(AppError::AlreadyApplied {
            organisation: applied.organisation,
        });
    }
    Ok((Status::Created, Json(applied)))
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
    q: Option<&str>,
) -> Result<Json<Vec<OrganisationHit>>, AppError> {
    // Without `q` Rocket would answer 404, which the document does not
    // say; a missing field is a validation error like any other.
    let q = q.ok_or_else(|| AppError::Validation([("q", ParseError("required"))].into()))?;
    Ok(Json(eligibility::search(&services.db, q, 10).await?))
}

#[derive(OpenApi)]
#[openapi(paths(list, show, apply, search))]
pub(super) struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, show, apply, search]
}
