use rocket::State;
use serde::Serialize;

use super::{render, Html};
use crate::auth::{CsrfToken, Staff};
use crate::domain::Lang;
use crate::error::AppError;
use crate::services::{audit, Services};

#[derive(Serialize)]
struct Entry {
    at: String,
    actor: String,
    action: String,
    subject: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Serialize)]
struct AuditPage {
    entries: Vec<Entry>,
}

/// Admins only: every staff change, newest first.
#[rocket::get("/admin/audit")]
async fn log(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
) -> Result<Html, AppError> {
    staff.require(&[])?;
    let entries = audit::recent(&services.db, 500)
        .await?
        .into_iter()
        .map(|e| Entry {
            at: crate::services::events::amsterdam(e.created_at)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            before: e.before,
            after: e.after,
        })
        .collect();
    render(
        services,
        "admin/audit.html.tera",
        lang,
        &staff,
        &csrf,
        AuditPage { entries },
    )
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log]
}
