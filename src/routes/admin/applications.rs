use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use uuid::Uuid;

use serde::Serialize;

use super::{render, Page, Pages};
use crate::auth::Programme;
use crate::domain::{ApplicationStatus, Lang, ParseError};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken, Download, ExportFormat};
use crate::services::applications::{self, ReviewFilter, ReviewRow};
use crate::services::{exports, Services};

#[derive(Serialize)]
struct ReviewPage {
    applications: Vec<ReviewRow>,
    pages: Pages,
    /// The filters as typed, for the form.
    q: String,
    status: String,
    statuses: Vec<&'static str>,
    filtered: bool,
}

/// The applications, newest first, a page at a time; those of one
/// organisation or address, or one status, when asked.
#[rocket::get("/admin/applications?<q>&<status>&<after>&<before>")]
#[allow(clippy::too_many_arguments)]
pub(super) async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    q: Option<&str>,
    status: Option<&str>,
    after: Option<&str>,
    before: Option<&str>,
) -> Result<Page, AppError> {
    let (q, status) = (q.unwrap_or_default(), status.unwrap_or_default());
    let filter = ReviewFilter::parse(q, status)
        .map_err(|(field, e)| AppError::Validation([(field, e)].into()))?;
    let at = super::page_at(after, before)?;
    let window = applications::review_page(&services.db, &filter, &at).await?;
    let mut filters = String::new();
    for (name, value) in [("q", q), ("status", status)] {
        if !value.is_empty() {
            filters.push_str(&format!("{name}={}&", super::query_value(value)));
        }
    }
    let link = |after: Option<Uuid>, before: Option<Uuid>| match (after, before) {
        (Some(key), _) => format!("/admin/applications?{filters}after={key}"),
        (None, Some(key)) => format!("/admin/applications?{filters}before={key}"),
        (None, None) => match filters.trim_end_matches('&') {
            "" => "/admin/applications".to_owned(),
            filters => format!("/admin/applications?{filters}"),
        },
    };
    let pages = Pages::around(&at, &window, link);
    let page = ReviewPage {
        applications: window.rows,
        pages,
        q: q.to_owned(),
        status: status.trim().to_owned(),
        statuses: ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect(),
        filtered: !filter.is_empty(),
    };
    render(
        services,
        "admin/applications.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[rocket::get("/admin/applications/export/<format>")]
async fn export(
    services: &State<Services>,
    staff: Programme,
    format: ExportFormat,
) -> Result<Download, AppError> {
    let (rows, sheet, source) = applications::export(&services.db).await?;
    let what = "aanmeldingen voor proeftuinen";
    let export = exports::recorded(services, &staff.email, what, rows, sheet, source).await?;
    Ok(Download::export(export, "aanmeldingen-proeftuinen", format))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Decision {
    #[field(default = String::new())]
    decision: String,
    #[field(default = String::new())]
    message: String,
}

#[rocket::post("/admin/applications/<id>/decide", data = "<form>")]
async fn decide(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<Decision>,
) -> Result<Flash<Redirect>, AppError> {
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return Err(AppError::Validation(
                [("decision", ParseError("required"))].into(),
            ))
        }
    };
    applications::decide(services, id, accept, &staff.email, form.message.trim()).await?;
    Ok(super::saved(
        Redirect::to(uri!("/admin/applications")),
        "saved-decision",
    ))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Vouch {
    #[field(default = String::new())]
    reason: String,
}

/// Staff vouch for one application's organisation, with a reason; the
/// register entry is not touched.
#[rocket::post("/admin/applications/<id>/vouch", data = "<form>")]
async fn vouch(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    form: CsrfForm<Vouch>,
) -> Result<Flash<Redirect>, AppError> {
    applications::vouch(services, id, &staff.email, &form.reason).await?;
    Ok(super::saved(
        Redirect::to(uri!("/admin/applications")),
        "saved-vouch",
    ))
}

/// A second application of an organisation is folded into the first.
#[rocket::post("/admin/applications/<id>/merge", data = "<_form>")]
async fn merge(
    services: &State<Services>,
    staff: Programme,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    applications::merge(services, id, &staff.email).await?;
    Ok(super::saved(
        Redirect::to(uri!("/admin/applications")),
        "saved-merge",
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, export, decide, vouch, merge]
}
