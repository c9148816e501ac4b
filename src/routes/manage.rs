//! The personal manage link from the confirmation mail: see the sign-up,
//! cancel it or erase it, each after a page that asks to confirm.
use crate::http::params::TokenParam;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use crate::config::AppConfig;
use std::collections::BTreeMap;

use crate::domain::{FieldErrors, Lang, RegistrationStatus, SectorCode};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::http::lang::query;
use crate::http::{page, Button, CsrfForm, CsrfToken, Download, Page};
use crate::i18n::text;
use crate::routes::confirm::{public_page, Confirm};
use crate::services::registrations::{self, DetailsInput, ManagedRegistration};
use crate::services::sectors::{self, SectorView};
use crate::services::{events, Services};

#[derive(Serialize)]
struct ManagePage {
    lang: &'static str,
    /// Whether the person may still change their details, the form as
    /// shown (stored or as posted), and what was wrong with it.
    can_change: bool,
    form: DetailsForm,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    saved: bool,
    sectors: Vec<SectorView>,
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

#[rocket::get("/manage/<token>?<saved>")]
async fn show(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
    saved: Option<bool>,
) -> Result<Page, AppError> {
    let shown = Shown {
        saved: saved.unwrap_or(false),
        ..Shown::default()
    };
    manage_page(services, &token, lang, &csrf, shown).await
}

/// What the manage page shows besides the sign-up: a refused change
/// with its messages, or that a change was saved.
#[derive(Default)]
struct Shown {
    status: Option<Status>,
    posted: Option<DetailsForm>,
    errors: FieldErrors,
    notice: Option<String>,
    saved: bool,
}

async fn manage_page(
    services: &Services,
    token: &str,
    lang: Lang,
    csrf: &CsrfToken,
    shown: Shown,
) -> Result<Page, AppError> {
    let registration = registrations::find_by_manage_token(services, token).await?;
    let event = events::by_slug(&services.db, &registration.event_slug, lang).await?;
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    let status = registration.status;
    let open = status != RegistrationStatus::Cancelled && starts > chrono::Utc::now();
    let form = shown.posted.unwrap_or_else(|| DetailsForm {
        name: registration.name.clone(),
        organisation: registration.organisation.clone(),
        sector: registration.sector.clone(),
        job_title: registration.job_title.clone().unwrap_or_default(),
        remarks: registration.remarks.clone().unwrap_or_default(),
    });
    let context = ManagePage {
        lang: lang.code(),
        can_change: open,
        form,
        errors: field_messages(&shown.errors, lang),
        notice: shown.notice,
        saved: shown.saved,
        sectors: sectors::list(lang),
        token: token.to_owned(),
        csrf: csrf.0.clone(),
        sector_name: SectorCode::parse(&registration.sector)
            .map(|s| s.name(lang).to_owned())
            .unwrap_or_else(|_| registration.sector.clone()),
        event_title: event.title,
        date: format::long_date(starts, lang),
        time: format::time_range(starts, ends),
        location: event.location,
        status,
        can_cancel: open,
        registration,
    };
    Ok(page(
        shown.status.unwrap_or(Status::Ok),
        services.views.render("manage.html.tera", &context)?,
    ))
}

/// The details a person may change, as the manage page's form sends them.
#[derive(Debug, Clone, Default, rocket::FromForm, Serialize)]
struct DetailsForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    organisation: String,
    #[field(default = String::new())]
    sector: String,
    #[field(default = String::new())]
    job_title: String,
    #[field(default = String::new())]
    remarks: String,
}

/// Saves changed details; a refused change comes back in its form with a
/// message per field, or with why it cannot be made.
#[rocket::post("/manage/<token>/details", data = "<form>")]
async fn change_details(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
    form: CsrfForm<DetailsForm>,
) -> Result<Result<Redirect, Page>, AppError> {
    let CsrfForm(form) = form;
    let input = DetailsInput {
        name: form.name.clone(),
        organisation: form.organisation.clone(),
        sector: form.sector.clone(),
        job_title: form.job_title.clone(),
        remarks: form.remarks.clone(),
    };
    let shown = match registrations::change_details(services, &token, &input).await {
        Ok(_) => {
            let saved = format!("/manage/{}?lang={}&saved=true", token.as_str(), lang.code());
            return Ok(Ok(Redirect::to(saved)));
        }
        Err(AppError::Validation(errors)) => Shown {
            status: Some(Status::UnprocessableEntity),
            errors,
            notice: Some(text(lang, "form-has-errors")),
            ..Shown::default()
        },
        Err(err @ (AppError::Conflict(_) | AppError::Ineligible(_))) => Shown {
            status: Some(err.status()),
            notice: Some(err.message(lang)),
            ..Shown::default()
        },
        Err(err) => return Err(err),
    };
    let shown = Shown {
        posted: Some(form),
        ..shown
    };
    manage_page(services, &token, lang, &csrf, shown)
        .await
        .map(Err)
}

#[rocket::post("/manage/<token>/cancel", data = "<_form>")]
async fn cancel(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    registrations::cancel(services, &token).await?;
    Ok(Redirect::to(uri!(_, show(token, _), query(lang))))
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
        return Ok(Err(Redirect::to(uri!(_, show(token, _), query(lang)))));
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
        back: uri!(show(token, _)).to_string(),
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
        back: uri!(show(token, _)).to_string(),
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
        change_details,
        confirm_cancel,
        cancel,
        data,
        confirm_erase,
        erase,
        privacy
    ]
}
