use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::State;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::error::{AppError, ErrorBody};
use crate::services::Services;

/// What `/healthz` answers while the database does.
#[derive(Serialize, ToSchema)]
struct Healthy {
    #[schema(pattern = "^ok$")]
    status: &'static str,
}

/// 200 while the database answers, 503 otherwise: for load balancers.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "health",
    responses(
        (status = 200, description = "The app and its database answer", body = Healthy),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    ),
)]
#[rocket::get("/healthz")]
async fn healthz(services: &State<Services>) -> Result<(Status, Json<Healthy>), AppError> {
    services.db.ping().await.map_err(AppError::Unavailable)?;
    Ok((Status::Ok, Json(Healthy { status: "ok" })))
}

/// 200 as long as the process answers, without touching the database:
/// a liveness probe, and the framework's own ceiling in the benchmark.
#[utoipa::path(
    get,
    path = "/livez",
    operation_id = "livez",
    tag = "health",
    responses(
        (status = 200, description = "The process answers; `ok`", body = String,
            content_type = "text/plain"),
    ),
)]
#[rocket::get("/livez")]
fn livez() -> &'static str {
    "ok"
}

#[derive(OpenApi)]
#[openapi(paths(healthz, livez))]
pub(super) struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![healthz, livez]
}
