//! The register in the back office (programme staff): its date with a
//! warning when it is old, the imports, the curated corrections, one
//! organisation with its domains, and the corrections staff make.
use chrono::Utc;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page, Pages};
use crate::auth::Programme;
use crate::domain::{CorrectionAction, Lang, ParseError};
use crate::error::AppError;
use crate::http::{CsrfForm, CsrfToken};
use crate::services::eligibility::{self, OrganisationHit};
use crate::services::register::admin::{self, OrganisationDetail, Overview};
use crate::services::register::domains::{self, DomainChange};
use crate::services::Services;

#[derive(Serialize)]
struct OverviewPage {
    #[serde(flatten)]
    overview: Overview,
    /// Around the page of imports.
    pages: Pages,
    query: String,
    hits: Vec<OrganisationHit>,
}

#[rocket::get("/admin/register?<q>&<after>&<before>")]
async fn overview(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    q: Option<&str>,
    after: Option<&str>,
    before: Option<&str>,
) -> Result<Page, AppError> {
    let query = q.unwrap_or_default().trim().to_owned();
    let imports_at = super::page_at(after, before)?;
    let hits = eligibility::search(&services.db, &query, 25).await?;
    let overview = admin::overview(&services.db, Utc::now(), &imports_at).await?;
    let searched = match query.as_str() {
        "" => String::new(),
        q => format!("q={}&", super::query_value(q)),
    };
    let link = |after: Option<i64>, before: Option<i64>| match (after, before) {
        (Some(key), _) => format!("/admin/register?{searched}after={key}#imports"),
        (None, Some(key)) => format!("/admin/register?{searched}before={key}#imports"),
        (None, None) => match searched.trim_end_matches('&') {
            "" => "/admin/register#imports".to_owned(),
            searched => format!("/admin/register?{searched}#imports"),
        },
    };
    let pages = Pages::around(&imports_at, &overview.imports, link);
    let page = OverviewPage {
        overview,
        pages,
        query,
        hits,
    };
    render(
        services,
        "admin/register.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[derive(Serialize)]
struct OrganisationPage {
    organisation: OrganisationDetail,
    changed: Option<usize>,
}

#[rocket::get("/admin/register/organisations/<id>?<changed>")]
async fn organisation(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    id: Uuid,
    changed: Option<usize>,
) -> Result<Page, AppError> {
    let page = OrganisationPage {
        organisation: admin::organisation(&services.db, id).await?,
        changed,
    };
    render(
        services,
        "admin/register_organisation.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[derive(Debug, Default, rocket::FromForm)]
struct DomainForm {
    #[field(default = String::new())]
    domain: String,
    #[field(default = String::new())]
    reason: String,
    /// `yes` after the preview; anything else shows the preview.
    #[field(default = String::new())]
    confirm: String,
}

/// First a preview of which open applications the domain would change,
/// then (confirmed) the change itself.
#[rocket::post("/admin/register/organisations/<id>/domains", data = "<form>")]
async fn add_domain(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    id: Uuid,
    form: CsrfForm<DomainForm>,
) -> Result<Result<Redirect, Page>, AppError> {
    let confirm = form.confirm == "yes";
    let change: DomainChange = domains::add_domain(
        services,
        id,
        &form.domain,
        &form.reason,
        &staff.email,
        confirm,
    )
    .await?;
    if change.done {
        let changed = change.affected.len();
        return Ok(Ok(Redirect::to(uri!(organisation(id, Some(changed))))));
    }
    render(
        services,
        "admin/register_domain.html.tera",
        lang,
        &staff,
        &csrf,
        change,
    )
    .map(Err)
}

#[derive(Debug, Default, rocket::FromForm)]
struct CorrectionForm {
    #[field(default = String::new())]
    action: String,
    #[field(default = String::new())]
    value: String,
    #[field(default = String::new())]
    reason: String,
}

#[rocket::post("/admin/register/organisations/<id>/corrections", data = "<form>")]
async fn correct(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<CorrectionForm>,
) -> Result<Redirect, AppError> {
    let action = CorrectionAction::from_name(&form.action)
        .filter(|a| *a != CorrectionAction::AddDomain)
        .ok_or_else(|| AppError::Validation([("action", ParseError("required"))].into()))?;
    domains::correct(
        services,
        id,
        action,
        &form.value,
        &form.reason,
        &staff.email,
    )
    .await?;
    Ok(Redirect::to(uri!(organisation(id, None::<usize>))))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![overview, organisation, add_domain, correct]
}
