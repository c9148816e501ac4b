//! Programme staff record partnerships and follow them on the dashboard.
use chrono::{Datelike, Utc};
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page};
use crate::auth::{Admin, Programme, Reader};
use crate::domain::{Category, HoursPerWeek, Lang, ParseError, Stage};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::partnerships::{self, NewPartnership, PartnershipRow, Summary};
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
) -> Result<Redirect, AppError> {
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
    Ok(Redirect::to(uri!(list)))
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
) -> Result<Redirect, AppError> {
    let to = Stage::parse(&form.stage).map_err(|e| invalid("stage", e.0))?;
    partnerships::change_stage(services, id, to, &staff.email, Utc::now()).await?;
    Ok(Redirect::to(uri!(list)))
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
) -> Result<Redirect, AppError> {
    let planned =
        HoursPerWeek::parse(&form.planned_hours).map_err(|e| invalid("planned_hours", e.0))?;
    let realised =
        HoursPerWeek::parse(&form.realised_hours).map_err(|e| invalid("realised_hours", e.0))?;
    partnerships::set_hours(services, id, planned, realised, &staff.email).await?;
    Ok(Redirect::to(uri!(list)))
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
) -> Result<Redirect, AppError> {
    let jobs = match form.jobs.trim() {
        "" => None,
        raw => Some(
            raw.replace(',', ".")
                .parse::<f64>()
                .map_err(|_| invalid("jobs", "target-invalid"))?,
        ),
    };
    partnerships::set_target(services, form.year, form.started, jobs, &staff.email).await?;
    Ok(Redirect::to(uri!(dashboard(Some(form.year)))))
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
) -> Result<Redirect, AppError> {
    let new = applications::partnership_from(&services.db, id).await?;
    partnerships::create(services, new, &staff.email).await?;
    Ok(Redirect::to(uri!(list)))
}

#[derive(Serialize)]
struct Bar {
    label: String,
    value: String,
    width: f64,
}

#[derive(Serialize)]
struct DashboardPage {
    summary: Summary,
    percentage: u32,
    progress_width: f64,
    funnel: Vec<Bar>,
    sectors: Vec<Bar>,
    categories: Vec<Bar>,
    jobs: Vec<Bar>,
    /// SVG polyline points of the cumulative line, and the target line's y.
    line_points: String,
    target_y: f64,
    months: Vec<(u32, f64, u32)>,
}

const BAR_MAX: f64 = 400.0;

fn bars(items: Vec<(String, f64, String)>) -> Vec<Bar> {
    let max = items.iter().map(|(_, v, _)| *v).fold(1.0_f64, f64::max);
    items
        .into_iter()
        .map(|(label, value, shown)| Bar {
            label,
            value: shown,
            width: (value / max * BAR_MAX).round(),
        })
        .collect()
}

fn dashboard_page(summary: Summary, lang: Lang) -> DashboardPage {
    let target = summary.target.max(1) as f64;
    let text = |key: String| crate::i18n::text(lang, &key);
    let funnel = bars(
        summary
            .funnel
            .iter()
            .map(|(s, n)| {
                (
                    text(format!("stage-{}", s.as_str().replace('_', "-"))),
                    *n as f64,
                    n.to_string(),
                )
            })
            .collect(),
    );
    let sector_name = |code: &str| {
        crate::domain::SectorCode::parse(code)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let sectors = bars(
        summary
            .by_sector
            .iter()
            .map(|c| (sector_name(&c.key), c.started as f64, c.started.to_string()))
            .collect(),
    );
    let categories = bars(
        summary
            .by_category
            .iter()
            .map(|c| {
                (
                    text(format!("category-{}", c.key.replace('_', "-"))),
                    c.started as f64,
                    c.started.to_string(),
                )
            })
            .collect(),
    );
    let jobs = bars(vec![
        (
            text("dashboard-jobs-planned".into()),
            summary.jobs_planned,
            format!("{:.1}", summary.jobs_planned),
        ),
        (
            text("dashboard-jobs-realised".into()),
            summary.jobs_realised,
            format!("{:.1}", summary.jobs_realised),
        ),
    ]);
    // Line chart: 12 months over 480 px, counts over 200 px.
    let top = target.max(summary.started as f64).max(1.0);
    let y = |v: f64| (220.0 - v / top * 200.0).round();
    let months: Vec<(u32, f64, u32)> = (0..12)
        .map(|m| {
            (
                m as u32 + 1,
                40.0 + m as f64 * 40.0,
                summary.cumulative_by_month[m],
            )
        })
        .collect();
    let line_points = months
        .iter()
        .map(|(_, x, n)| format!("{x},{}", y(*n as f64)))
        .collect::<Vec<_>>()
        .join(" ");
    DashboardPage {
        percentage: (summary.started as f64 / target * 100.0).round() as u32,
        progress_width: (summary.started as f64 / target).min(1.0) * BAR_MAX,
        target_y: y(summary.target as f64),
        funnel,
        sectors,
        categories,
        jobs,
        line_points,
        months,
        summary,
    }
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
        dashboard_page(summary, lang),
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
