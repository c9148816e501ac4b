use rocket::serde::json::Json;

use crate::domain::Lang;
use crate::services::sectors::{self, SectorView};

#[rocket::get("/sectors")]
fn list(lang: Lang) -> Json<Vec<SectorView>> {
    Json(sectors::list(lang))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list]
}
