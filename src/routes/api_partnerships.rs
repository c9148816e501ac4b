use chrono::{Datelike, Utc};
use rocket::http::uri::Origin;
use rocket::serde::json::Json;
use rocket::State;
use utoipa::OpenApi;

use crate::config::AppConfig;
use crate::error::{AppError, ErrorBody};
use crate::services::partnerships::{self, Summary};
use crate::services::Services;

/// Public figures for a year, without names of people; off when
/// `public_partnership_figures` is false.
#[utoipa::path(
    get,
    path = "/partnerships/summary",
    operation_id = "partnership_summary",
    tag = "partnerships",
    params(("year" = Option<i32>, Query, minimum = 2000, maximum = 2100,
        description = "Defaults to the current year")),
    responses(
        (status = 200, description = "The figures of the year", body = Summary),
        (status = 404, description = "Public figures are switched off", body = ErrorBody),
        (status = 422, description = "The year is not a number from 2000 to 2100",
            body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody),
    ),
)]
#[rocket::get("/partnerships/summary")]
async fn summary(
    services: &State<Services>,
    config: &State<AppConfig>,
    uri: &Origin<'_>,
) -> Result<Json<Summary>, AppError> {
    if !config.public_partnership_figures {
        return Err(AppError::NotFound);
    }
    let year = match requested_year(uri)? {
        Some(year) => year,
        None => Utc::now().year(),
    };
    Ok(Json(partnerships::summary(&services.db, year).await?))
}

#[derive(OpenApi)]
#[openapi(paths(summary))]
pub(super) struct Doc;

/// `?year=` read by hand: Rocket's `Option<i32>` would take `year=abc` or
/// a repeated `year` for no year and answer with this year's figures.
fn requested_year(uri: &Origin<'_>) -> Result<Option<i32>, AppError> {
    let mut years = uri
        .query()
        .into_iter()
        .flat_map(|q| q.segments())
        .filter(|(key, _)| *key == "year");
    let invalid =
        || AppError::Validation([("year", crate::domain::ParseError("target-invalid"))].into());
    match (years.next(), years.next()) {
        (None, _) => Ok(None),
        (Some((_, raw)), None) => raw
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(invalid),
        (Some(_), Some(_)) => Err(invalid()),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![summary]
}
