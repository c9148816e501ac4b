//! Pilot pages: the list, the application form (with a register search
//! that works without JavaScript), and the pages after applying.
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use super::events::{page, Page};
use crate::auth::csrf::{self, CsrfOnly, CsrfToken};
use crate::domain::{ApplicationInput, FieldErrors, Lang, NewApplication};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::routes::protection::{EmailAction, SignUpAllowed};
use crate::services::eligibility;
use crate::services::pilots::{self, PilotView};
use crate::services::sectors::{self, SectorView};
use crate::services::{applications, Services};

#[derive(Serialize)]
struct PilotCard {
    #[serde(flatten)]
    pilot: PilotView,
    closes: String,
}

fn card(pilot: PilotView, lang: Lang) -> PilotCard {
    PilotCard {
        closes: format::long_date(pilot.closes_at.to_utc(), lang),
        pilot,
    }
}

#[derive(Serialize)]
struct ListPage {
    lang: &'static str,
    pilots: Vec<PilotCard>,
}

#[rocket::get("/pilots")]
async fn list(services: &State<Services>, lang: Lang) -> Result<Page, AppError> {
    let pilots = pilots::current(&services.db, lang).await?;
    let context = ListPage {
        lang: lang.code(),
        pilots: pilots.into_iter().map(|p| card(p, lang)).collect(),
    };
    Ok(page(
        Status::Ok,
        services.views.render("pilots.html.tera", &context)?,
    ))
}

#[derive(Debug, Default, rocket::FromForm, Serialize)]
pub struct ApplicationForm {
    #[field(default = String::new())]
    organisation: String,
    #[field(default = String::new())]
    organisation_id: String,
    #[field(default = String::new())]
    sector: String,
    #[field(default = String::new())]
    contact_name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    phone: String,
    #[field(default = String::new())]
    current_suppliers: String,
    #[field(default = String::new())]
    market_partner: String,
    #[field(default = String::new())]
    motivation: String,
    #[field(default = String::new())]
    expected_jobs: String,
    #[field(default = String::new())]
    #[serde(skip)]
    csrf: String,
}

impl ApplicationForm {
    fn input(&self) -> ApplicationInput {
        ApplicationInput {
            organisation: self.organisation.clone(),
            organisation_id: self.organisation_id.clone(),
            sector: self.sector.clone(),
            contact_name: self.contact_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            current_suppliers: self.current_suppliers.clone(),
            market_partner: self.market_partner.clone(),
            motivation: self.motivation.clone(),
            expected_jobs: self.expected_jobs.clone(),
        }
    }
}

#[derive(Serialize)]
struct Candidate {
    id: Uuid,
    name: String,
    kind: String,
}

#[derive(Serialize)]
struct ApplyPage<'a> {
    lang: &'static str,
    pilot: PilotCard,
    sectors: Vec<SectorView>,
    form: &'a ApplicationForm,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    candidates: Vec<Candidate>,
    csrf: &'a str,
}

struct Rendering<'a> {
    status: Status,
    form: &'a ApplicationForm,
    errors: FieldErrors,
    notice: Option<String>,
    candidates: Vec<Candidate>,
    csrf: &'a CsrfToken,
}

async fn render_apply(
    services: &Services,
    slug: &str,
    lang: Lang,
    r: Rendering<'_>,
) -> Result<Page, AppError> {
    let pilot = pilots::by_slug(&services.db, slug, lang).await?;
    let context = ApplyPage {
        lang: lang.code(),
        pilot: card(pilot, lang),
        sectors: sectors::list(lang),
        form: r.form,
        errors: field_messages(&r.errors, lang),
        notice: r.notice,
        candidates: r.candidates,
        csrf: &r.csrf.0,
    };
    Ok(page(
        r.status,
        services.views.render("pilot_apply.html.tera", &context)?,
    ))
}

#[rocket::get("/pilots/<slug>/apply")]
async fn apply_form(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let form = ApplicationForm::default();
    let rendering = Rendering {
        status: Status::Ok,
        form: &form,
        errors: FieldErrors::new(),
        notice: None,
        candidates: Vec::new(),
        csrf: &csrf,
    };
    render_apply(services, slug, lang, rendering).await
}

#[derive(Serialize)]
struct IneligiblePage {
    lang: &'static str,
    reason: String,
}

#[rocket::post("/pilots/<slug>/apply", data = "<form>")]
async fn apply(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    csrf: CsrfToken,
    cookies: &CookieJar<'_>,
    form: Form<ApplicationForm>,
) -> Result<Result<Redirect, Page>, AppError> {
    if csrf::verify(cookies, &form.csrf).is_err() {
        let rendering = Rendering {
            status: Status::Forbidden,
            form: &form,
            errors: FieldErrors::new(),
            notice: Some(crate::i18n::text(lang, "form-expired")),
            candidates: Vec::new(),
            csrf: &csrf,
        };
        return render_apply(services, slug, lang, rendering).await.map(Err);
    }
    let new = match NewApplication::parse(&form.input(), lang) {
        Ok(new) => new,
        Err(errors) => {
            let notice = Some(crate::i18n::text(lang, "form-has-errors"));
            let rendering = Rendering {
                status: Status::UnprocessableEntity,
                form: &form,
                errors,
                notice,
                candidates: Vec::new(),
                csrf: &csrf,
            };
            return render_apply(services, slug, lang, rendering).await.map(Err);
        }
    };
    // Without JavaScript the search happens here: a typed name that is not
    // one register entry gets the closest entries to choose from.
    let chose_none = form.organisation_id.trim() == "none";
    if new.organisation_id.is_none() && !chose_none {
        let exact =
            eligibility::find_by_exact_name(&services.db, new.organisation.as_str()).await?;
        if exact.is_none() {
            let candidates: Vec<Candidate> =
                eligibility::search(&services.db, new.organisation.as_str(), 8)
                    .await?
                    .into_iter()
                    .map(|o| Candidate {
                        id: o.id,
                        name: o.name,
                        kind: o.kind,
                    })
                    .collect();
            if !candidates.is_empty() {
                let notice = Some(crate::i18n::text(lang, "form-choose-organisation"));
                let rendering = Rendering {
                    status: Status::UnprocessableEntity,
                    form: &form,
                    errors: FieldErrors::new(),
                    notice,
                    candidates,
                    csrf: &csrf,
                };
                return render_apply(services, slug, lang, rendering).await.map(Err);
            }
        }
    }
    allowed.for_email(EmailAction::Application, new.email.as_str())?;
    match applications::apply(services, slug, new).await {
        Ok(applied) => Ok(Ok(Redirect::to(format!(
            "/pilots/{slug}/applied/{}?lang={}",
            applied.id,
            lang.code()
        )))),
        Err(AppError::IneligibleBecause(reason)) => {
            let context = IneligiblePage {
                lang: lang.code(),
                reason,
            };
            Ok(Err(page(
                Status::Forbidden,
                services
                    .views
                    .render("pilot_ineligible.html.tera", &context)?,
            )))
        }
        Err(e @ (AppError::AlreadyApplied { .. } | AppError::Duplicate | AppError::Closed)) => {
            let rendering = Rendering {
                status: e.status(),
                form: &form,
                errors: FieldErrors::new(),
                notice: Some(e.message(lang)),
                candidates: Vec::new(),
                csrf: &csrf,
            };
            render_apply(services, slug, lang, rendering).await.map(Err)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct AppliedPage {
    lang: &'static str,
    id: Uuid,
    slug: String,
    resent: bool,
    csrf: String,
}

#[rocket::get("/pilots/<slug>/applied/<id>?<resent>")]
async fn applied(
    services: &State<Services>,
    slug: &str,
    id: &str,
    resent: Option<bool>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let context = AppliedPage {
        lang: lang.code(),
        id,
        slug: slug.to_owned(),
        resent: resent.unwrap_or(false),
        csrf: csrf.0,
    };
    Ok(page(
        Status::Ok,
        services
            .views
            .render("application_sent.html.tera", &context)?,
    ))
}

#[rocket::post("/pilots/<slug>/applied/<id>/resend", data = "<form>")]
async fn resend(
    services: &State<Services>,
    slug: &str,
    id: &str,
    lang: Lang,
    _allowed: SignUpAllowed<'_>,
    cookies: &CookieJar<'_>,
    form: Form<CsrfOnly>,
) -> Result<Redirect, AppError> {
    csrf::verify(cookies, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    applications::resend_verification(services, id).await?;
    Ok(Redirect::to(format!(
        "/pilots/{slug}/applied/{id}?resent=true&lang={}",
        lang.code()
    )))
}

#[derive(Serialize)]
struct StatusPage {
    lang: &'static str,
    token: Option<String>,
    status: &'static str,
    organisation: String,
    contact_name: String,
    needs_review: bool,
    can_withdraw: bool,
    just_verified: bool,
}

fn status_page(
    services: &Services,
    lang: Lang,
    application: &crate::entities::pilot_application::Model,
    token: Option<String>,
    just_verified: bool,
) -> Result<Page, AppError> {
    use crate::entities::pilot_application::{ApplicationStatus, EligibilityDecision};
    let context = StatusPage {
        lang: lang.code(),
        can_withdraw: token.is_some()
            && !matches!(
                application.status,
                ApplicationStatus::Withdrawn | ApplicationStatus::Rejected
            ),
        token,
        status: application.status.as_str(),
        organisation: application.organisation_name.clone(),
        contact_name: application.contact_name.clone(),
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        just_verified,
    };
    Ok(page(
        Status::Ok,
        services
            .views
            .render("application_status.html.tera", &context)?,
    ))
}

#[rocket::get("/applications/verify/<token>")]
async fn verify(services: &State<Services>, token: &str, lang: Lang) -> Result<Page, AppError> {
    let application = applications::verify(services, token).await?;
    status_page(services, lang, &application, None, true)
}

#[rocket::get("/applications/<token>")]
async fn manage(services: &State<Services>, token: &str, lang: Lang) -> Result<Page, AppError> {
    let application = applications::by_manage_token(services, token).await?;
    status_page(services, lang, &application, Some(token.to_owned()), false)
}

#[rocket::post("/applications/<token>/withdraw")]
async fn withdraw(
    services: &State<Services>,
    token: &str,
    lang: Lang,
) -> Result<Redirect, AppError> {
    applications::withdraw(services, token).await?;
    Ok(Redirect::to(format!(
        "/applications/{token}?lang={}",
        lang.code()
    )))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, apply_form, apply, applied, resend, verify, manage, withdraw]
}
