use rocket::{uri, State};
use serde::Serialize;

use super::{page_at, render, Page, Pages};
use crate::auth::Admin;
use crate::domain::{Email, Lang};
use crate::error::AppError;
use crate::http::CsrfToken;
use crate::services::audit::{self, Entry};
use crate::services::Services;

/// The audit log's filter and page, as the query string carries them.
#[derive(Debug, Default, Clone, rocket::FromForm, rocket::UriDisplayQuery, Serialize)]
pub(super) struct AuditQuery {
    /// One member of staff's entries.
    #[field(default = String::new())]
    actor: String,
    after: Option<String>,
    before: Option<String>,
}

impl AuditQuery {
    fn at(&self, after: Option<i64>, before: Option<i64>) -> Self {
        AuditQuery {
            after: after.map(|key| key.to_string()),
            before: before.map(|key| key.to_string()),
            ..self.clone()
        }
    }
}

#[derive(Serialize)]
struct AuditPage {
    entries: Vec<Entry>,
    filter: AuditQuery,
    pages: Pages,
}

/// Admins only: every staff change, newest first.
#[rocket::get("/admin/audit?<query..>")]
async fn log(
    services: &State<Services>,
    lang: Lang,
    staff: Admin,
    csrf: CsrfToken,
    query: AuditQuery,
) -> Result<Page, AppError> {
    let invalid = |field, e| AppError::Validation([(field, e)].into());
    let at = page_at(query.after.as_deref(), query.before.as_deref())?;
    let actor = match query.actor.trim() {
        "" => None,
        typed => Some(Email::parse(typed).map_err(|e| invalid("actor", e))?),
    };
    let window = audit::page(&services.db, actor.as_ref().map(Email::as_str), &at).await?;
    let link = |after, before| uri!(log(query.at(after, before))).to_string();
    let pages = Pages::around(&at, &window, link);
    let page = AuditPage {
        entries: window.rows,
        filter: query,
        pages,
    };
    render(services, "admin/audit.html.tera", lang, &staff, &csrf, page)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log]
}
