use rocket::http::Status;
use rocket::serde::json::{json, Json, Value};
use rocket::State;

use crate::error::AppError;
use crate::services::Services;

/// 200 while the database answers, 503 otherwise: for load balancers.
#[rocket::get("/healthz")]
async fn healthz(services: &State<Services>) -> Result<(Status, Json<Value>), AppError> {
    services.db.ping().await.map_err(AppError::Unavailable)?;
    Ok((Status::Ok, Json(json!({"status": "ok"}))))
}

/// 200 as long as the process answers, without touching the database:
/// a liveness probe, and the framework's own ceiling in the benchmark.
#[rocket::get("/livez")]
fn livez() -> &'static str {
    "ok"
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![healthz, livez]
}
