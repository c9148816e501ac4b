//! Programme staff record partnerships and follow them on the dashboard.
use std::collections::BTreeMap;

use chrono::{Datelike, Utc};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, render_with, Page, Pages};
use crate::auth::{Admin, Programme, Reader, Staff};
use crate::domain::{Category, FieldErrors, HoursPerWeek, Lang, PageAt, ParseError, Search, Stage};
use crate::error::{field_messages, AppError};
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::partnerships::{self, NewPartnership, PartnershipRow};
use crate::services::{applications, eligibility, exports, Services};

#[derive(Serialize)]
struct ListPage<'a> {
    partnerships: Vec<PartnershipRow>,
    pages: Pages,
    /// The search as typed, and whether the list is narrowed by one.
    q: &'a str,
    filtered: bool,
    stages: &'static [Stage],
    categories: &'static [Category],
    /// The new-partnership form as posted, when it was refused.
    new: Option<&'a NewForm>,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
}

/// The partnerships, newest first, a page at a time; those whose buyer or
/// supplier contains `q`, when asked.
#[rocket::get("/admin/partnerships?<q>&<after>&<before>")]
#[allow(clippy::too_many_arguments)]
pub(super) async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
    q: Option<&str>,
    after: Option<&str>,
    before: Option<&str>,
) -> Result<Page, AppError> {
    let at = super::page_at(after, before)?;
    let listed = Listed {
        q: q.unwrap_or_default(),
        at,
    };
    list_page(services, lang, &staff, &csrf, Status::Ok, &listed, None).await
}

/// Which partnerships the list shows: a search, and where the page starts.
struct Listed<'a> {
    q: &'a str,
    at: PageAt<Uuid>,
}

/// The list, with a refused new partnership shown again in its form.
async fn list_page(
    services: &Services,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    status: Status,
    listed: &Listed<'_>,
    refused: Option<(&NewForm, FieldErrors, Option<String>)>,
) -> Result<Page, AppError> {
    let search = Search::parse(listed.q).map_err(|e| AppError::Validation([("q", e)].into()))?;
    let (new, errors, notice) = match refused {
        Some((form, errors, notice)) => (Some(form), field_messages(&errors, lang), notice),
        None => (None, BTreeMap::new(), None),
    };
    let window = partnerships::page(&services.db, &search, &listed.at).await?;
    let filters = match listed.q {
        "" => String::new(),
        q => format!("q={}&", super::query_value(q)),
    };
    let link = |after: Option<Uuid>, before: Option<Uuid>| match (after, before) {
        (Some(key), _) => format!("/admin/partnerships?{filters}after={key}"),
        (None, Some(key)) => format!("/admin/partnerships?{filters}before={key}"),
        (None, None) => match filters.trim_end_matches('&') {
            "" => "/admin/partnerships".to_owned(),
            filters => format!("/admin/partnerships?{filters}"),
        },
    };
    let pages = Pages::around(&listed.at, &window, link);
    let page = ListPage {
        partnerships: window.rows,
        pages,
        q: listed.q,
        filtered: !search.is_empty(),
        stages: Stage::ALL,
        categories: Category::ALL,
        new,
        errors,
        notice,
    };
    render_with(
        services,
        status,
        "admin/partnerships.html.tera",
        lang,
        staff,
        csrf,
        page,
    )
}

#[derive(Debug, Default, rocket::FromForm, Serialize)]
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
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    form: CsrfForm<NewForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let CsrfForm(form) = form;
    let mut errors = FieldErrors::new();
    let buyer = eligibility::find_by_exact_name(&services.db, &form.buyer).await?;
    if buyer.is_none() {
        errors.insert("buyer", ParseError("organisation-unknown"));
    }
    let planned = HoursPerWeek::parse(&form.planned_hours)
        .map_err(|e| errors.insert("planned_hours", e))
        .ok();
    let category = Category::parse(&form.category)
        .map_err(|e| errors.insert("category", e))
        .ok();
    let (status, errors, notice) = match (buyer, planned, category) {
        (Some(buyer), Some(planned), Some(category)) if errors.is_empty() => {
            let new = NewPartnership {
                buyer_organisation_id: buyer.id,
                supplier_name: form.supplier_name.clone(),
                supplier_kvk: Some(form.supplier_kvk.clone()),
                category,
                planned,
                notes: form.notes.clone(),
                application_id: None,
            };
            match partnerships::create(services, new, &staff.email).await {
                Ok(_) => {
                    let saved =
                        super::saved(Redirect::to(uri!(list(_, _, _))), "saved-partnership");
                    return Ok(Ok(saved));
                }
                Err(AppError::Validation(fields)) => (Status::UnprocessableEntity, fields, None),
                Err(err @ AppError::Conflict(_)) => {
                    (err.status(), FieldErrors::new(), Some(err.message(lang)))
                }
                Err(err) => return Err(err),
            }
        }
        _ => (Status::UnprocessableEntity, errors, None),
    };
    let refused = Some((&form, errors, notice));
    list_page(
        services,
        lang,
        &staff,
        &csrf,
        status,
        &Listed {
            q: "",
            at: PageAt::First,
        },
        refused,
    )
    .await
    .map(Err)
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
    Ok(super::saved(
        Redirect::to(uri!(list(_, _, _))),
        "saved-partnership",
    ))
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
    Ok(super::saved(
        Redirect::to(uri!(list(_, _, _))),
        "saved-partnership",
    ))
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
    let (rows, sheet, source) = partnerships::export(&services.db).await?;
    let export =
        exports::recorded(services, &staff.email, "partnerships", rows, sheet, source).await?;
    Ok(Download::export(export, "partnerships", format))
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
    Ok(super::saved(
        Redirect::to(uri!(list(_, _, _))),
        "saved-partnership",
    ))
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
