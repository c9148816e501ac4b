//! Programme staff record partnerships and follow them on the dashboard.
use chrono::{Datelike, Utc};
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page};
use crate::auth::{Admin, Programme, Reader};
use crate::domain::{Category, HoursPerWeek, Lang, ParseError, Stage};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::partnerships::{self, NewPartnership, PartnershipRow};
use crate::services::{applications, eligibility, exports, Services};

#[derive(Serialize)]
struct ListPage {
    partnerships: Vec<PartnershipRow>,
    stages: &'static [Stage],
    categories: &'static [Category],
}

#[rocket::get("/admin/partnerships")]
pub(super) async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let page = ListPage {
        partnerships: partnerships::list(&services.db).await?,
        stages: Stage::ALL,
        categories: Category::ALL,
    };
    render(
        services,
        "admin/partnerships.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[derive(Debug, Default, rocket::FromForm)]
struct NewForm {
    #[field(default = String::new())]
    buyer: String,
    #[field(default = String::new())]
    supplier_name: String,
    #[field(default = String::new())]
    supplier_kvk: String,
    #[field(default = String::new())]
    category: String,
    #[field(default = String::new())]
    planned_hours: String,
    #[field(default = String::new())]
    notes: String,
}

fn invalid(field: &'static str, code: &'static str) -> AppError {
    AppError::Validation([(field, ParseError(code))].into())
}

#[rocket::post("/admin/partnerships", data = "<form>")]
async fn create(
    services: &State<Services>,
    staff: Programme,
    form: CsrfForm<NewForm>,
) -> Result<Flash<Redirect>, AppError> {
    let buyer = eligibility::find_by_exact_name(&services.db, &form.buyer)
        .await?
        .ok_or_else(|| invalid("buyer", "organisation-unknown"))?;
    let planned =
        HoursPerWeek::parse(&form.planned_hours).map_err(|e| invalid("planned_hours", e.0))?;
    let new = NewPartnership {
        buyer_organisation_id: buyer.id,
        supplier_name: form.supplier_name.clone(),
        supplier_kvk: Some(form.supplier_kvk.clone()),
        category: Category::parse(&form.category).map_err(|e| invalid("category", e.0))?,
        planned,
        notes: form.notes.clone(),
        application_id: None,
    };
    partnerships::create(services, new, &staff.email).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-partnership"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct StageForm {
    #[field(default = String::new())]
    stage: String,
}

#[rocket::post("/admin/partnerships/<id>/stage", data = "<form>")]
async fn stage(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<StageForm>,
) -> Result<Flash<Redirect>, AppError> {
    let to = Stage::parse(&form.stage).map_err(|e| invalid("stage", e.0))?;
    partnerships::change_stage(services, id, to, &staff.email, Utc::now()).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-partnership"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct HoursForm {
    #[field(default = String::new())]
    planned_hours: String,
    #[field(default = String::new())]
    realised_hours: String,
}

#[rocket::post("/admin/partnerships/<id>/hours", data = "<form>")]
async fn hours(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<HoursForm>,
) -> Result<Flash<Redirect>, AppError> {
    let planned =
        HoursPerWeek::parse(&form.planned_hours).map_err(|e| invalid("planned_hours", e.0))?;
    let realised =
        HoursPerWeek::parse(&form.realised_hours).map_err(|e| invalid("realised_hours", e.0))?;
    partnerships::set_hours(services, id, planned, realised, &staff.email).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-partnership"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct TargetForm {
    #[field(default = 0)]
    year: i32,
    #[field(default = 0)]
    started: i32,
    #[field(default = String::new())]
    jobs: String,
}

/// Admins set the yearly target.
#[rocket::post("/admin/partnerships/target", data = "<form>")]
async fn target(
    services: &State<Services>,
    staff: Admin,
    form: CsrfForm<TargetForm>,
) -> Result<Flash<Redirect>, AppError> {
    let jobs = match form.jobs.trim() {
        "" => None,
        raw => Some(
            raw.replace(',', ".")
                .parse::<f64>()
                .map_err(|_| invalid("jobs", "target-invalid"))?,
        ),
    };
    partnerships::set_target(services, form.year, form.started, jobs, &staff.email).await?;
    Ok(super::saved(
        Redirect::to(uri!(dashboard(Some(form.year)))),
        "saved-target",
    ))
}

#[rocket::get("/admin/partnerships/export/<format>")]
async fn export(
    services: &State<Services>,
    staff: Reader,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let table = partnerships::export_table(&services.db).await?;
    let table = exports::recorded(services, &staff.email, "partnerships", table).await?;
    Download::of(&table, "partnerships", format)
}

/// An accepted pilot application becomes a partnership in one step.
#[rocket::post("/admin/applications/<id>/partnership", data = "<_form>")]
async fn from_application(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    let new = applications::partnership_from(&services.db, id).await?;
    partnerships::create(services, new, &staff.email).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-partnership"))
}

#[rocket::get("/admin/partnerships/dashboard?<year>")]
async fn dashboard(
    services: &State<Services>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
    year: Option<i32>,
) -> Result<Page, AppError> {
    let year = year.unwrap_or_else(|| Utc::now().year());
    let summary = partnerships::summary(&services.db, year).await?;
    render(
        services,
        "admin/dashboard.html.tera",
        lang,
        &staff,
        &csrf,
        super::dashboard::page(summary, lang, Utc::now()),
    )
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        create,
        stage,
        hours,
        target,
        export,
        from_application,
        dashboard
    ]
}
