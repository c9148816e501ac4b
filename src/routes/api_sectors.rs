use rocket::serde::json::Json;
use utoipa::OpenApi;

use crate::domain::Lang;
use crate::services::sectors::{self, SectorView};

/// The sectors a sign-up or application names, with their group.
#[utoipa::path(
    get,
    path = "/sectors",
    operation_id = "list_sectors",
    tag = "reference",
    params(("lang" = Option<String>, Query, description = "`nl` or `en`; others are ignored")),
    responses((status = 200, description = "Every sector", body = Vec<SectorView>)),
)]
#[rocket::get("/sectors")]
fn list(lang: Lang) -> Json<Vec<SectorView>> {
    Json(sectors::list(lang))
}

#[derive(OpenApi)]
#[openapi(paths(list))]
pub(super) struct Doc;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list]
}
