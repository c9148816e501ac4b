//! The personal manage link from the confirmation mail: see the sign-up,
//! cancel it with one POST.
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;

use super::events::{page, Page};
use crate::domain::{Lang, SectorCode};
use crate::error::AppError;
use crate::format;
use crate::services::registrations::{self, ManagedRegistration};
use crate::services::{events, Services};

#[derive(Serialize)]
struct ManagePage {
    lang: &'static str,
    token: String,
    registration: ManagedRegistration,
    sector_name: String,
    event_title: String,
    date: String,
    time: String,
    location: String,
    status: &'static str,
    can_cancel: bool,
}

#[rocket::get("/manage/<token>")]
async fn show(services: &State<Services>, token: &str, lang: Lang) -> Result<Page, AppError> {
    let registration = registrations::find_by_manage_token(services, token).await?;
    let event = events::by_slug(&services.db, &registration.event_slug, lang).await?;
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    let status = registration.status.as_str();
    let context = ManagePage {
        lang: lang.code(),
        token: token.to_owned(),
        sector_name: SectorCode::parse(&registration.sector)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_else(|_| registration.sector.clone()),
        event_title: event.title,
        date: format::long_date(starts, lang),
        time: format::time_range(starts, ends),
        location: event.location,
        status,
        can_cancel: status != "cancelled" && starts > chrono::Utc::now(),
        registration,
    };
    Ok(page(
        Status::Ok,
        services.views.render("manage.html.tera", &context)?,
    ))
}

#[rocket::post("/manage/<token>/cancel")]
async fn cancel(services: &State<Services>, token: &str, lang: Lang) -> Result<Redirect, AppError> {
    registrations::cancel(services, token).await?;
    Ok(Redirect::to(format!(
        "/manage/{token}?lang={}",
        lang.code()
    )))
}

/// Erases the sign-up (AVG): cancelled, then anonymised.
#[rocket::post("/manage/<token>/erase")]
async fn erase(services: &State<Services>, token: &str, lang: Lang) -> Result<Redirect, AppError> {
    crate::services::privacy::erase_by_manage_token(services, token).await?;
    Ok(Redirect::to(format!(
        "/privacy?erased=true&lang={}",
        lang.code()
    )))
}

#[derive(Serialize)]
struct PrivacyPage {
    lang: &'static str,
    erased: bool,
    sign_up_days: i64,
    application_days: i64,
}

#[rocket::get("/privacy?<erased>")]
fn privacy(
    services: &State<Services>,
    config: &State<crate::config::AppConfig>,
    lang: Lang,
    erased: Option<bool>,
) -> Result<Page, AppError> {
    let context = PrivacyPage {
        lang: lang.code(),
        erased: erased.unwrap_or(false),
        sign_up_days: config.retention_days_after_event,
        application_days: config.retention_days_applications,
    };
    Ok(page(
        Status::Ok,
        services.views.render("privacy.html.tera", &context)?,
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, cancel, erase, privacy]
}
