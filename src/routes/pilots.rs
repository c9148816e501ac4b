//! Pilot pages: the list, the application form (with a register search
//! that works without JavaScript), and the pages after applying.
use crate::http::params::{SlugParam, TokenParam};
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::forms::ApplicationFields;
use crate::config::AppConfig;
use crate::domain::{ApplicationStatus, FieldErrors, Lang, ParseError};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::http::lang::query;
use crate::http::Download;
use crate::http::{page, Button, CsrfForm, CsrfToken, FormPage, Page, Refused};
use crate::i18n::text;
use crate::routes::confirm::{public_page, Confirm};
use crate::routes::protection::SignUpAllowed;
use crate::services::applications::{self, ApplicationView};
use crate::services::eligibility;
use crate::services::pilots::{self, Applications, PilotView};
use crate::services::privacy;
use crate::services::sectors::{self, SectorView};
use crate::services::Services;

#[derive(Serialize)]
struct PilotCard {
    #[serde(flatten)]
    pilot: PilotView,
    closes: String,
    /// The sectors that may apply, when not all of Overheid and Onderwijs.
    only_for: Option<String>,
    /// Why applications are not taken now, with the dates that matter.
    not_open: Option<String>,
}

fn card(pilot: PilotView, lang: Lang) -> PilotCard {
    let closes = format::long_date(pilot.closes_at.to_utc(), lang);
    let only_for = (!pilot.sector_set.is_all_public()).then(|| {
        let names: Vec<&str> = pilot.sector_set.iter().map(|s| s.name(lang)).collect();
        names.join("; ")
    });
    let not_open = match pilot.applications {
        Applications::Open => None,
        state => {
            let key = format!("pilot-applications-{}", state_name(state));
            let opens = format::long_date(pilot.opens_at.to_utc(), lang);
            Some(crate::i18n::text_with(
                lang,
                &key,
                &[("opens", opens), ("closes", closes.clone())],
            ))
        }
    };
    PilotCard {
        closes,
        only_for,
        not_open,
        pilot,
    }
}

fn state_name(state: Applications) -> &'static str {
    match state {
        Applications::Open => "open",
        Applications::NotYetOpen => "not-yet-open",
        Applications::Ended => "ended",
        Applications::Closed => "closed",
        Applications::Archived => "archived",
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
    form: &'a ApplicationFields,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    candidates: Vec<Candidate>,
    /// The register has more entries like the typed name than are shown.
    more_results: bool,
    csrf: &'a str,
}

/// The form as posted (or blank), and what to say about it.
struct Shown<'a> {
    status: Status,
    form: &'a ApplicationFields,
    errors: FieldErrors,
    notice: Option<String>,
    candidates: Vec<Candidate>,
    more_results: bool,
}

impl<'a> Shown<'a> {
    fn with_notice(form: &'a ApplicationFields, status: Status, notice: String) -> Self {
        Shown {
            status,
            form,
            errors: FieldErrors::new(),
            notice: Some(notice),
            candidates: Vec::new(),
            more_results: false,
        }
    }
}

async fn render_apply(
    services: &Services,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: &CsrfToken,
    shown: Shown<'_>,
) -> Result<Page, AppError> {
    let pilot = pilots::by_slug(&services.db, &slug, lang).await?;
    let context = ApplyPage {
        lang: lang.code(),
        pilot: card(pilot, lang),
        sectors: sectors::list(lang),
        form: shown.form,
        errors: field_messages(&shown.errors, lang),
        notice: shown.notice,
        candidates: shown.candidates,
        more_results: shown.more_results,
        csrf: &csrf.0,
    };
    Ok(page(
        shown.status,
        services.views.render("pilot_apply.html.tera", &context)?,
    ))
}

#[rocket::get("/pilots/<slug>/apply")]
async fn apply_form(
    services: &State<Services>,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let form = ApplicationFields::default();
    let shown = Shown {
        status: Status::Ok,
        form: &form,
        errors: FieldErrors::new(),
        notice: None,
        candidates: Vec::new(),
        more_results: false,
    };
    render_apply(services, slug, lang, &csrf, shown).await
}

#[derive(Serialize)]
struct IneligiblePage {
    lang: &'static str,
    reason: String,
}

/// How many register entries the chooser offers, and how many after
/// "more results".
const CANDIDATES: usize = 8;
const MORE_CANDIDATES: usize = 40;

/// `more`: the chooser's "more results" button; `choosing`: the form was
/// sent from the chooser, so sending it without a choice is an error.
#[rocket::post("/pilots/<slug>/apply?<more>&<choosing>", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn apply(
    services: &State<Services>,
    slug: SlugParam<'_>,
    more: Option<bool>,
    choosing: Option<bool>,
    lang: Lang,
    allowed: Result<SignUpAllowed<'_>, AppError>,
    csrf: CsrfToken,
    form: Result<CsrfForm<ApplicationFields>, Refused<ApplicationFields>>,
) -> Result<Result<Redirect, FormPage>, AppError> {
    let form = match form {
        Ok(CsrfForm(form)) => form,
        Err(Refused::Expired(form)) => {
            return refuse(services, slug, lang, &csrf, &form, AppError::FormExpired)
                .await
                .map(Err)
        }
        Err(Refused::Malformed(status)) => return Err(crate::http::csrf::unreadable(status)),
    };
    let allowed = match allowed {
        Ok(allowed) => allowed,
        Err(e) if shows_form(&e) => {
            return refuse(services, slug, lang, &csrf, &form, e).await.map(Err)
        }
        Err(e) => return Err(e),
    };
    let new = match form.parse(lang) {
        Ok(new) => new,
        Err(errors) => {
            let notice = crate::i18n::text(lang, "form-has-errors");
            let shown = Shown {
                errors,
                ..Shown::with_notice(&form, Status::UnprocessableEntity, notice)
            };
            return render_apply(services, slug, lang, &csrf, shown)
                .await
                .map(|page| Err(page.into()));
        }
    };
    // Without JavaScript the search happens here: when neither the e-mail
    // domain nor the typed name places the organisation, the applicant gets
    // the closest register entries to choose from.
    let more = more.unwrap_or(false);
    if more || (new.organisation_id.is_none() && !form.chose_none()) {
        let claim = eligibility::Claim {
            organisation_id: None,
            organisation_name: new.organisation.as_str(),
            sector: new.sector,
            email: &new.email,
            // The chooser finds the organisation; whether its sector may
            // take part is said when the application is sent.
            sectors: crate::domain::PilotSectors::all_public(),
        };
        let wanted = if more { MORE_CANDIDATES } else { CANDIDATES };
        let mut candidates: Vec<Candidate> =
            eligibility::candidates(&services.db, claim, wanted as u64 + 1)
                .await?
                .into_iter()
                .map(|o| Candidate {
                    id: o.id,
                    name: o.name,
                    kind: o.kind,
                })
                .collect();
        let more_results = candidates.len() > wanted;
        candidates.truncate(wanted);
        if !candidates.is_empty() {
            let mut errors = FieldErrors::new();
            if choosing.unwrap_or(false) && !more {
                errors.insert("organisation_id", ParseError("required"));
            }
            let notice = if errors.is_empty() {
                "form-choose-organisation"
            } else {
                "form-has-errors"
            };
            let shown = Shown {
                candidates,
                more_results,
                errors,
                ..Shown::with_notice(&form, Status::UnprocessableEntity, text(lang, notice))
            };
            return render_apply(services, slug, lang, &csrf, shown)
                .await
                .map(|page| Err(page.into()));
        }
    }
    let applied = match allowed.mail_to(new.email.as_str()).await {
        Ok(()) => applications::apply(services, &slug, new).await,
        Err(e) => Err(e),
    };
    match applied {
        // A second application of an organisation is kept for staff; the
        // page says so without naming who applied first.
        Ok(applied) => Ok(Ok(Redirect::to(uri!(
            _,
            applied(
                slug,
                applied.id,
                None::<bool>,
                applied.already_applied.then_some(true)
            ),
            query(lang)
        )))),
        Err(AppError::Ineligible(reason)) => {
            let context = IneligiblePage {
                lang: lang.code(),
                reason,
            };
            Ok(Err(page(
                Status::Forbidden,
                services
                    .views
                    .render("pilot_ineligible.html.tera", &context)?,
            )
            .into()))
        }
        Err(e) if shows_form(&e) => refuse(services, slug, lang, &csrf, &form, e).await.map(Err),
        Err(e) => Err(e),
    }
}

/// Refusals an applicant can act on, answered with the form shown again.
fn shows_form(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Duplicate
            | AppError::Closed
            | AppError::RateLimited { .. }
            | AppError::FormExpired
    )
}

/// The form again, filled in, with what refused it at the top.
async fn refuse(
    services: &Services,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: &CsrfToken,
    form: &ApplicationFields,
    refusal: AppError,
) -> Result<FormPage, AppError> {
    let shown = Shown::with_notice(form, refusal.status(), refusal.message(lang));
    let page = render_apply(services, slug, lang, csrf, shown).await?;
    Ok(FormPage::retrying_after(page, refusal.retry_after()))
}

#[derive(Serialize)]
struct AppliedPage {
    lang: &'static str,
    id: Uuid,
    slug: String,
    resent: bool,
    already_applied: bool,
    csrf: String,
    /// Why a new mail was not sent.
    notice: Option<String>,
    /// Shown for a verification link that ran out.
    expired: bool,
}

fn applied_page(
    services: &Services,
    status: Status,
    context: &AppliedPage,
) -> Result<Page, AppError> {
    Ok(page(
        status,
        services
            .views
            .render("application_sent.html.tera", context)?,
    ))
}

#[rocket::get("/pilots/<slug>/applied/<id>?<resent>&<duplicate>")]
async fn applied(
    services: &State<Services>,
    slug: SlugParam<'_>,
    id: Uuid,
    resent: Option<bool>,
    duplicate: Option<bool>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let context = AppliedPage {
        lang: lang.code(),
        id,
        slug: slug.as_str().to_owned(),
        resent: resent.unwrap_or(false),
        already_applied: duplicate.unwrap_or(false),
        csrf: csrf.0,
        notice: None,
        expired: false,
    };
    applied_page(services, Status::Ok, &context)
}

#[rocket::post("/pilots/<slug>/applied/<id>/resend", data = "<_form>")]
async fn resend(
    services: &State<Services>,
    slug: SlugParam<'_>,
    id: Uuid,
    lang: Lang,
    allowed: Result<SignUpAllowed<'_>, AppError>,
    csrf: CsrfToken,
    _form: CsrfForm<Button>,
) -> Result<Result<Redirect, FormPage>, AppError> {
    let resent = match allowed {
        Ok(_) => applications::resend_verification(services, id).await,
        Err(e) => Err(e),
    };
    match resent {
        Ok(()) => Ok(Ok(Redirect::to(uri!(
            _,
            applied(slug, id, Some(true), None::<bool>),
            query(lang)
        )))),
        Err(e @ AppError::RateLimited { .. }) => {
            let context = AppliedPage {
                lang: lang.code(),
                id,
                slug: slug.as_str().to_owned(),
                resent: false,
                already_applied: false,
                csrf: csrf.0,
                notice: Some(e.message(lang)),
                expired: false,
            };
            Ok(Err(FormPage::retrying_after(
                applied_page(services, e.status(), &context)?,
                e.retry_after(),
            )))
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct StatusPage {
    lang: &'static str,
    token: Option<String>,
    csrf: String,
    status: ApplicationStatus,
    organisation: String,
    contact_name: String,
    needs_review: bool,
    duplicate: bool,
    can_withdraw: bool,
    just_verified: bool,
}

fn status_page(
    services: &Services,
    lang: Lang,
    csrf: CsrfToken,
    application: ApplicationView,
    token: Option<String>,
    just_verified: bool,
) -> Result<Page, AppError> {
    let context = status_context(lang, csrf, application, token, just_verified);
    Ok(page(
        Status::Ok,
        services
            .views
            .render("application_status.html.tera", &context)?,
    ))
}

fn status_context(
    lang: Lang,
    csrf: CsrfToken,
    application: ApplicationView,
    token: Option<String>,
    just_verified: bool,
) -> StatusPage {
    StatusPage {
        lang: lang.code(),
        can_withdraw: token.is_some()
            && matches!(
                application.status,
                ApplicationStatus::Unverified
                    | ApplicationStatus::Submitted
                    | ApplicationStatus::Accepted
            ),
        token,
        csrf: csrf.0,
        status: application.status,
        organisation: application.organisation,
        contact_name: application.contact_name,
        needs_review: application.needs_review,
        duplicate: application.duplicate,
        just_verified,
    }
}

#[derive(Serialize)]
struct ConfirmPage {
    lang: &'static str,
    token: String,
    csrf: String,
    organisation: String,
    already: bool,
}

/// The link in the verification mail: a page with one button. Opening the
/// link confirms nothing, so a mail scanner that follows it does no harm.
#[rocket::get("/applications/verify/<token>")]
async fn confirm_form(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let application = match applications::to_verify(services, &token).await {
        Ok(application) => application,
        // A link that ran out offers a new one on the spot.
        Err(AppError::LinkExpiredOrUnknown) => {
            let Some((id, slug)) = applications::expired_verification(services, &token).await?
            else {
                return Err(AppError::LinkExpiredOrUnknown);
            };
            let context = AppliedPage {
                lang: lang.code(),
                id,
                slug,
                resent: false,
                already_applied: false,
                csrf: csrf.0,
                notice: None,
                expired: true,
            };
            return applied_page(services, Status::NotFound, &context);
        }
        Err(e) => return Err(e),
    };
    let context = ConfirmPage {
        lang: lang.code(),
        token: token.as_str().to_owned(),
        csrf: csrf.0,
        already: application.status != ApplicationStatus::Unverified,
        organisation: application.organisation,
    };
    Ok(page(
        Status::Ok,
        services
            .views
            .render("application_confirm.html.tera", &context)?,
    ))
}

#[rocket::post("/applications/verify/<token>", data = "<_form>")]
async fn verify(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
    _form: CsrfForm<Button>,
) -> Result<Page, AppError> {
    let application = applications::verify(services, &token).await?;
    status_page(services, lang, csrf, application, None, true)
}

#[derive(Serialize)]
struct ManagePage {
    #[serde(flatten)]
    status: StatusPage,
    /// Everything stored about the application, as its applicant may see it.
    stored: privacy::access::ApplicationData,
}

#[rocket::get("/applications/<token>")]
async fn manage(
    services: &State<Services>,
    config: &State<AppConfig>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let application = applications::by_manage_token(services, &token).await?;
    let retention = config.retention_days_applications;
    let stored = privacy::access::application_data(services, &token, retention).await?;
    let context = ManagePage {
        status: status_context(
            lang,
            csrf,
            application,
            Some(token.as_str().to_owned()),
            false,
        ),
        stored,
    };
    Ok(page(
        Status::Ok,
        services
            .views
            .render("application_status.html.tera", &context)?,
    ))
}

/// Everything stored about the application, to download.
#[rocket::get("/applications/<token>/data", rank = 2)]
async fn data(
    services: &State<Services>,
    config: &State<AppConfig>,
    token: TokenParam<'_>,
) -> Result<Download, AppError> {
    let retention = config.retention_days_applications;
    let stored = privacy::access::application_data(services, &token, retention).await?;
    Download::json(&stored, "mijn-aanmelding-proeftuin.json")
}

#[rocket::get("/applications/<token>/erase", rank = 2)]
async fn confirm_erase(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    applications::by_manage_token(services, &token).await?;
    let confirm = Confirm {
        title: text(lang, "erase-title"),
        facts: Vec::new(),
        consequence: text(lang, "erase-application-consequence"),
        message: None,
        button: text(lang, "erase-confirm"),
        action: uri!(erase(token)).to_string(),
        back: uri!(manage(token)).to_string(),
    };
    public_page(services, lang, &csrf, confirm)
}

/// The applicant erases their application: withdrawn and anonymised.
#[rocket::post("/applications/<token>/erase", data = "<_form>", rank = 2)]
async fn erase(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    privacy::erase_application_by_token(services, &token).await?;
    Ok(Redirect::to(uri!(
        _,
        crate::routes::manage::privacy(Some(true)),
        query(lang)
    )))
}

#[rocket::post("/applications/<token>/withdraw", data = "<_form>", rank = 2)]
async fn withdraw(
    services: &State<Services>,
    token: TokenParam<'_>,
    lang: Lang,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    applications::withdraw(services, &token).await?;
    Ok(Redirect::to(uri!(_, manage(token), query(lang))))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        apply_form,
        apply,
        applied,
        resend,
        confirm_form,
        verify,
        manage,
        data,
        confirm_erase,
        erase,
        withdraw
    ]
}
