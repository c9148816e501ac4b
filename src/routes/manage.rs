//! The personal manage link from the confirmation mail: see the sign-up,
//! cancel it or erase it, each after a page that asks to confirm.
use crate::http::params::TokenParam;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use crate::config::AppConfig;
use crate::domain::{Lang, RegistrationStatus, SectorCode};
use crate::error::AppError;
use crate::format;
use crate::http::lang::query;
use crate::http::{page, Button, CsrfForm, CsrfToken, Download, Page};
use crate::i18n::text;
use crate::routes::confirm::{public_page, Confirm};
use crate::services::registrations::{self, ManagedRegistration};
use crate::services::{events, Services};

#[derive(Serialize)]
struct ManagePage {
    lang: &'static str,
    token: String,
    csrf: String,
    registration: ManagedRegistration,
    sector_name: String,
    event_title: String,
    date: String,
    time: String,
    location: String,
    status: RegistrationStatus,
    can_cancel: bool,
}

#[rocket::get("/manage/<token>")]
async fn show(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let registration = registrations::find_by_manage_token(services, &token).await?;
    let event = events::by_slug(&services.db, &registration.event_slug, lang).await?;
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    let status = registration.status;
    let context = ManagePage {
        lang: lang.code(),
        token: token.as_str().to_owned(),
        csrf: csrf.0,
        sector_name: SectorCode::parse(&registration.sector)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_else(|_| registration.sector.clone()),
        event_title: event.title,
        date: format::long_date(starts, lang),
        time: format::time_range(starts, ends),
        location: event.location,
        status,
        can_cancel: status != RegistrationStatus::Cancelled && starts > chrono::Utc::now(),
        registration,
    };
    Ok(page(
        Status::Ok,
        services.views.render("manage.html.tera", &context)?,
    ))
}

#[rocket::post("/manage/<token>/cancel", data = "<_form>")]
async fn cancel(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    registrations::cancel(services, &token).await?;
    Ok(Redirect::to(uri!(_, show(token), query(lang))))
}

/// Everything stored about the sign-up, to download (AVG art. 15 and 20).
#[rocket::get("/manage/<token>/data")]
async fn data(
    services: &State<Services>,
    config: &State<AppConfig>,
    token: TokenParam<'_>,
) -> Result<Download, AppError> {
    let retention = config.retention_days_after_event;
    let stored =
        crate::services::privacy::access::sign_up_data(services, &token, retention).await?;
    Download::json(&stored, "mijn-aanmelding.json")
}

/// Cancelling cannot be undone (the seat goes to the waiting list): first
/// a page that says what happens.
#[rocket::get("/manage/<token>/cancel")]
async fn confirm_cancel(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Result<Page, Redirect>, AppError> {
    let registration = registrations::find_by_manage_token(services, &token).await?;
    if registration.status == RegistrationStatus::Cancelled {
        return Ok(Err(Redirect::to(uri!(_, show(token), query(lang)))));
    }
    let event = events::by_slug(&services.db, &registration.event_slug, lang).await?;
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    let when = format!(
        "{}, {}",
        format::long_date(starts, lang),
        format::time_range(starts, ends)
    );
    let waitlisted = registration.status == RegistrationStatus::Waitlisted;
    let consequence = if waitlisted {
        "cancel-waitlist-consequence"
    } else {
        "cancel-sign-up-consequence"
    };
    let confirm = Confirm {
        title: text(lang, "cancel-title"),
        facts: vec![
            (text(lang, "manage-event"), event.title),
            (text(lang, "event-when"), when),
            (text(lang, "form-name"), registration.name),
        ],
        consequence: text(lang, consequence),
        message: None,
        button: text(lang, "cancel-confirm"),
        action: uri!(cancel(token)).to_string(),
        back: uri!(show(token)).to_string(),
    };
    public_page(services, lang, &csrf, confirm).map(Ok)
}

/// Erasing cannot be undone: first a page that says what happens.
#[rocket::get("/manage/<token>/erase")]
async fn confirm_erase(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    registrations::find_by_manage_token(services, &token).await?;
    let confirm = Confirm {
        title: text(lang, "erase-title"),
        facts: Vec::new(),
        consequence: text(lang, "erase-sign-up-consequence"),
        message: None,
        button: text(lang, "erase-confirm"),
        action: uri!(erase(token)).to_string(),
        back: uri!(show(token)).to_string(),
    };
    public_page(services, lang, &csrf, confirm)
}

/// Erases the sign-up (AVG art. 17): the seat freed, the person removed.
#[rocket::post("/manage/<token>/erase", data = "<_form>")]
async fn erase(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    crate::services::privacy::erase_by_manage_token(services, &token).await?;
    Ok(Redirect::to(uri!(_, privacy(Some(true)), query(lang))))
}

#[derive(Serialize)]
struct PrivacyPage<'a> {
    lang: &'static str,
    erased: bool,
    controller: &'a str,
    contact: &'a str,
    legal_basis: crate::config::LegalBasis,
    sign_up_days: i64,
    application_days: i64,
    audit_days: i64,
}

#[rocket::get("/privacy?<erased>")]
pub(crate) fn privacy(
    services: &State<Services>,
    config: &State<AppConfig>,
    lang: Lang,
    erased: Option<bool>,
) -> Result<Page, AppError> {
    let context = PrivacyPage {
        lang: lang.code(),
        erased: erased.unwrap_or(false),
        controller: &config.privacy_controller,
        contact: &config.privacy_contact,
        legal_basis: config.privacy_legal_basis,
        sign_up_days: config.retention_days_after_event,
        application_days: config.retention_days_applications,
        audit_days: config.retention_days_audit,
    };
    Ok(page(
        Status::Ok,
        services.views.render("privacy.html.tera", &context)?,
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        show,
        confirm_cancel,
        cancel,
        data,
        confirm_erase,
        erase,
        privacy
    ]
}
