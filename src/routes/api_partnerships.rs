use chrono::{Datelike, Utc};
use rocket::serde::json::Json;
use rocket::State;

use crate::config::AppConfig;
use crate::error::AppError;
use crate::services::partnerships::{self, Summary};
use crate::services::Services;

/// Public figures for a year, without names of people; off when
/// `public_partnership_figures` is false.
#[rocket::get("/partnerships/summary?<year>")]
async fn summary(
    services: &State<Services>,
    config: &State<AppConfig>,
    year: Option<i32>,
) -> Result<Json<Summary>, AppError> {
    if !config.public_partnership_figures {
        return Err(AppError::NotFound);
    }
    let year = year.unwrap_or_else(|| Utc::now().year());
    if !(2000..=2100).contains(&year) {
        return Err(AppError::Validation(
            [("year", crate::domain::ParseError("target-invalid"))].into(),
        ));
    }
    Ok(Json(partnerships::summary(&services.db, year).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![summary]
}
