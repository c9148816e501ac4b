use rocket::form::Form;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use super::{download, render, Download, Html};
use crate::auth::{csrf, CsrfToken, Role, Staff};
use crate::domain::{Lang, NewRegistration, RegistrationInput, SectorCode};
use crate::entities::registration::RegistrationStatus;
use crate::error::AppError;
use crate::services::attendees::{self, AttendeeList, Filter};
use crate::services::event_admin::{self, AdminEventRow};
use crate::services::events::{self, EventView};
use crate::services::{registrations, Services};

const READERS: &[Role] = &[Role::Organiser, Role::Programme, Role::Viewer];
const ORGANISERS: &[Role] = &[Role::Organiser];

#[derive(Serialize)]
struct Overview {
    events: Vec<AdminEventRow>,
}

#[rocket::get("/admin")]
async fn overview(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
) -> Result<Html, AppError> {
    staff.require(READERS)?;
    let events = event_admin::list_all(services).await?;
    render(
        services,
        "admin/overview.html.tera",
        lang,
        &staff,
        &csrf,
        Overview { events },
    )
}

#[derive(Serialize)]
struct SectorCount {
    code: String,
    name: String,
    count: usize,
}

#[derive(Serialize)]
struct AttendeesPage {
    sectors: Vec<crate::services::sectors::SectorView>,
    event: EventView,
    list: AttendeeList,
    sector_counts: Vec<SectorCount>,
    filter: Filter,
    query_string: String,
}

fn filter_of(
    q: Option<String>,
    status: Option<String>,
    sector: Option<String>,
    organisation: Option<String>,
) -> Filter {
    Filter {
        query: q.unwrap_or_default(),
        status: status.unwrap_or_default(),
        sector: sector.unwrap_or_default(),
        organisation: organisation.unwrap_or_default(),
    }
}

fn query_string(filter: &Filter) -> String {
    [
        ("q", &filter.query),
        ("status", &filter.status),
        ("sector", &filter.sector),
        ("organisation", &filter.organisation),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", urlencode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[rocket::get("/admin/events/<slug>/attendees?<q>&<status>&<sector>&<organisation>")]
#[allow(clippy::too_many_arguments)]
async fn attendee_list(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
    slug: &str,
    q: Option<String>,
    status: Option<String>,
    sector: Option<String>,
    organisation: Option<String>,
) -> Result<Html, AppError> {
    staff.require(READERS)?;
    let event = events::by_slug(&services.db, slug, lang).await?;
    let filter = filter_of(q, status, sector, organisation);
    let list = attendees::list(&services.db, event.id, &filter).await?;
    let sector_counts = list
        .by_sector
        .iter()
        .map(|(code, count)| SectorCount {
            name: SectorCode::parse(code)
                .map(|s| s.name(lang).to_owned())
                .unwrap_or_else(|_| code.clone()),
            code: code.clone(),
            count: *count,
        })
        .collect();
    let page = AttendeesPage {
        sectors: crate::services::sectors::list(lang),
        query_string: query_string(&filter),
        event,
        list,
        sector_counts,
        filter,
    };
    render(
        services,
        "admin/attendees.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[rocket::get(
    "/admin/events/<slug>/attendees/export/<format>?<q>&<status>&<sector>&<organisation>"
)]
#[allow(clippy::too_many_arguments)]
async fn export(
    services: &State<Services>,
    staff: Staff,
    slug: &str,
    format: &str,
    q: Option<String>,
    status: Option<String>,
    sector: Option<String>,
    organisation: Option<String>,
) -> Result<Download, AppError> {
    staff.require(READERS)?;
    let event = attendees::event_by_slug(&services.db, slug).await?;
    let list = attendees::list(
        &services.db,
        event.id,
        &filter_of(q, status, sector, organisation),
    )
    .await?;
    download(
        &attendees::export_table(&list.rows),
        &format!("aanmeldingen-{slug}"),
        format,
    )
}

#[derive(Serialize)]
struct DoorPage {
    event: EventView,
    list: AttendeeList,
}

/// The door page: confirmed people, one button each.
#[rocket::get("/admin/events/<slug>/checkin?<q>")]
async fn door(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
    slug: &str,
    q: Option<String>,
) -> Result<Html, AppError> {
    staff.require(ORGANISERS)?;
    let event = events::by_slug(&services.db, slug, lang).await?;
    let filter = Filter {
        query: q.unwrap_or_default(),
        status: "confirmed".into(),
        ..Default::default()
    };
    let list = attendees::list(&services.db, event.id, &filter).await?;
    render(
        services,
        "admin/checkin.html.tera",
        lang,
        &staff,
        &csrf,
        DoorPage { event, list },
    )
}

#[derive(rocket::FromForm)]
struct Action {
    #[field(default = String::new())]
    csrf: String,
    /// Where to go back to (a path on this site).
    #[field(default = String::new())]
    back: String,
}

fn back_to(action: &Action) -> Redirect {
    let safe = action.back.starts_with("/admin") && !action.back.starts_with("//");
    Redirect::to(if safe {
        action.back.clone()
    } else {
        "/admin".to_owned()
    })
}

#[rocket::post("/admin/registrations/<id>/checkin", data = "<form>")]
async fn check_in(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: &str,
    form: Form<Action>,
) -> Result<Redirect, AppError> {
    staff.require(ORGANISERS)?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    attendees::check_in(services, id, &staff.email).await?;
    Ok(back_to(&form))
}

#[rocket::post("/admin/registrations/<id>/cancel", data = "<form>")]
async fn cancel(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: &str,
    form: Form<Action>,
) -> Result<Redirect, AppError> {
    staff.require(ORGANISERS)?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    registrations::cancel_by_id(services, id, Some(&staff.email)).await?;
    Ok(back_to(&form))
}

#[derive(rocket::FromForm)]
struct Move {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    to: String,
    #[field(default = String::new())]
    back: String,
}

#[rocket::post("/admin/registrations/<id>/move", data = "<form>")]
async fn move_registration(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    id: &str,
    form: Form<Move>,
) -> Result<Redirect, AppError> {
    staff.require(ORGANISERS)?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let to = match form.to.as_str() {
        "confirmed" => RegistrationStatus::Confirmed,
        "waitlisted" => RegistrationStatus::Waitlisted,
        _ => {
            return Err(AppError::Validation(
                [("to", crate::domain::ParseError("required"))].into(),
            ))
        }
    };
    registrations::move_registration(services, id, to, &staff.email).await?;
    Ok(back_to(&Action {
        csrf: String::new(),
        back: form.back.clone(),
    }))
}

#[derive(rocket::FromForm)]
struct ManualAdd {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    organisation: String,
    #[field(default = String::new())]
    sector: String,
}

/// An organiser adds someone by hand (a phone call, a walk-in).
#[rocket::post("/admin/events/<slug>/attendees", data = "<form>")]
async fn add(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    slug: &str,
    form: Form<ManualAdd>,
) -> Result<Redirect, AppError> {
    staff.require(ORGANISERS)?;
    csrf::verify(jar, &form.csrf)?;
    let input = RegistrationInput {
        name: form.name.clone(),
        email: form.email.clone(),
        organisation: form.organisation.clone(),
        sector: form.sector.clone(),
        ..Default::default()
    };
    let new = NewRegistration::parse(&input, Lang::Nl).map_err(AppError::Validation)?;
    registrations::register_as(services, slug, new, Some(&staff.email)).await?;
    Ok(Redirect::to(format!("/admin/events/{slug}/attendees")))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        overview,
        attendee_list,
        export,
        door,
        check_in,
        cancel,
        move_registration,
        add
    ]
}

#[derive(Serialize)]
struct ScanPage {
    attendee: attendees::Attendee,
    event_title: String,
}

/// Where the QR code in the confirmation mail leads: this attendee, with
/// one button to let them in.
#[rocket::get("/admin/checkin/<token>")]
async fn scanned(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
    token: &str,
) -> Result<Html, AppError> {
    staff.require(ORGANISERS)?;
    let (attendee, event_title) = attendees::by_check_in_token(services, token, lang).await?;
    render(
        services,
        "admin/scanned.html.tera",
        lang,
        &staff,
        &csrf,
        ScanPage {
            attendee,
            event_title,
        },
    )
}

pub fn scan_routes() -> Vec<rocket::Route> {
    rocket::routes![scanned]
}
