use rocket::State;

use super::{render, Page};
use crate::auth::Admin;
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::CsrfToken;
use crate::services::audit::{self, AuditPage};
use crate::services::Services;

/// Admins only: every staff change, newest first.
#[rocket::get("/admin/audit")]
async fn log(
    services: &State<Services>,
    lang: Lang,
    staff: Admin,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let page: AuditPage = audit::recent(&services.db, 500).await?;
    render(services, "admin/audit.html.tera", lang, &staff, &csrf, page)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log]
}
