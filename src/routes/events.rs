//! Public pages: the event list, an event with its sign-up form, and the
//! thank-you page.
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::{ContentType, CookieJar, Status};
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use crate::auth::csrf::{self, CsrfToken};
use crate::domain::{FieldErrors, Lang, NewRegistration, RegistrationInput, SubmissionKey};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::routes::protection::{EmailAction, SignUpAllowed};
use crate::services::events::{self, EventView};
use crate::services::sectors::{self, SectorView};
use crate::services::{registrations, Services};

pub type Page = (Status, (ContentType, String));

pub fn page(status: Status, html: String) -> Page {
    (status, (ContentType::HTML, html))
}

#[derive(Serialize)]
struct EventCard {
    #[serde(flatten)]
    event: EventView,
    date: String,
    time: String,
}

fn card(event: EventView, lang: Lang) -> EventCard {
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    EventCard {
        date: format::long_date(starts, lang),
        time: format::time_range(starts, ends),
        event,
    }
}

#[derive(Serialize)]
struct IndexPage {
    lang: &'static str,
    events: Vec<EventCard>,
}

#[rocket::get("/")]
async fn index(services: &State<Services>, lang: Lang) -> Result<Page, AppError> {
    let events = events::upcoming(&services.db, lang).await?;
    let context = IndexPage {
        lang: lang.code(),
        events: events.into_iter().map(|e| card(e, lang)).collect(),
    };
    Ok(page(
        Status::Ok,
        services.views.render("index.html.tera", &context)?,
    ))
}

/// The sign-up form's fields as posted; empty when absent so that every
/// problem is reported next to its field.
#[derive(Debug, Default, rocket::FromForm, Serialize)]
pub struct RegistrationForm {
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    organisation: String,
    #[field(default = String::new())]
    sector: String,
    #[field(default = String::new())]
    job_title: String,
    #[field(default = String::new())]
    remarks: String,
    /// Same value as the CSRF cookie; never echoed back.
    #[field(default = String::new())]
    #[serde(skip)]
    csrf: String,
    /// The idempotency key of this copy of the form.
    #[field(default = String::new())]
    form_token: String,
}

impl RegistrationForm {
    /// The posted key, or a fresh one when there is none worth keeping.
    fn submission_key(&self) -> Option<SubmissionKey> {
        SubmissionKey::parse(&self.form_token).ok()
    }
}

#[derive(Serialize)]
struct EventPage<'a> {
    lang: &'static str,
    event: EventCard,
    sectors: Vec<SectorView>,
    form: &'a RegistrationForm,
    errors: BTreeMap<&'static str, String>,
    /// A message about the whole form (duplicate, full, not eligible).
    notice: Option<String>,
    csrf: &'a str,
    form_token: String,
}

struct Rendering<'a> {
    status: Status,
    form: &'a RegistrationForm,
    errors: FieldErrors,
    notice: Option<String>,
    csrf: &'a CsrfToken,
}

impl<'a> Rendering<'a> {
    fn blank(form: &'a RegistrationForm, csrf: &'a CsrfToken) -> Self {
        Rendering {
            status: Status::Ok,
            form,
            errors: FieldErrors::new(),
            notice: None,
            csrf,
        }
    }

    fn refused(self, status: Status, notice: String) -> Self {
        Rendering {
            status,
            notice: Some(notice),
            ..self
        }
    }
}

async fn render_event(
    services: &Services,
    slug: &str,
    lang: Lang,
    r: Rendering<'_>,
) -> Result<Page, AppError> {
    let event = events::by_slug(&services.db, slug, lang).await?;
    // A re-shown form keeps its key: nothing was stored under it yet.
    let key = r
        .form
        .submission_key()
        .unwrap_or_else(SubmissionKey::generate);
    let context = EventPage {
        lang: lang.code(),
        event: card(event, lang),
        sectors: sectors::list(lang),
        form: r.form,
        errors: field_messages(&r.errors, lang),
        notice: r.notice,
        csrf: &r.csrf.0,
        form_token: key.as_str().to_owned(),
    };
    Ok(page(
        r.status,
        services.views.render("event.html.tera", &context)?,
    ))
}

#[rocket::get("/events/<slug>")]
async fn show(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let form = RegistrationForm::default();
    render_event(services, slug, lang, Rendering::blank(&form, &csrf)).await
}

#[rocket::post("/events/<slug>/registrations", data = "<form>")]
async fn register(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    allowed: SignUpAllowed<'_>,
    csrf: CsrfToken,
    cookies: &CookieJar<'_>,
    form: Form<RegistrationForm>,
) -> Result<Result<Redirect, Page>, AppError> {
    let shown = Rendering::blank(&form, &csrf);
    if csrf::verify(cookies, &form.csrf).is_err() {
        // An expired or foreign form: show it again, filled in, to resend.
        let notice = crate::i18n::text(lang, "form-expired");
        let page = render_event(
            services,
            slug,
            lang,
            shown.refused(Status::Forbidden, notice),
        );
        return page.await.map(Err);
    }
    let input = RegistrationInput {
        name: form.name.clone(),
        email: form.email.clone(),
        organisation: form.organisation.clone(),
        sector: form.sector.clone(),
        job_title: form.job_title.clone(),
        remarks: form.remarks.clone(),
    };
    let new = match NewRegistration::parse(&input, lang) {
        Ok(new) => new.with_submission_key(form.submission_key()),
        Err(errors) => {
            let notice = crate::i18n::text(lang, "form-has-errors");
            let rendering = Rendering {
                errors,
                ..shown.refused(Status::UnprocessableEntity, notice)
            };
            return render_event(services, slug, lang, rendering).await.map(Err);
        }
    };
    allowed.for_email(EmailAction::SignUp, new.email.as_str())?;
    match registrations::register(services, slug, new).await {
        Ok(done) => Ok(Ok(Redirect::to(format!(
            "/events/{slug}/thanks/{}?lang={}",
            done.id,
            lang.code()
        )))),
        Err(
            e @ (AppError::Duplicate | AppError::Full | AppError::Closed | AppError::Ineligible(_)),
        ) => {
            let rendering = shown.refused(e.status(), e.message(lang));
            render_event(services, slug, lang, rendering).await.map(Err)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct ThanksPage {
    lang: &'static str,
    event: EventCard,
    status: &'static str,
    waitlist_position: Option<u64>,
}

#[rocket::get("/events/<slug>/thanks/<id>")]
async fn thanks(
    services: &State<Services>,
    slug: &str,
    id: &str,
    lang: Lang,
) -> Result<Page, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let event = events::by_slug(&services.db, slug, lang).await?;
    let registered = registrations::status_of(services, id).await?;
    let context = ThanksPage {
        lang: lang.code(),
        event: card(event, lang),
        status: registered.status.as_str(),
        waitlist_position: registered.waitlist_position,
    };
    Ok(page(
        Status::Ok,
        services.views.render("thanks.html.tera", &context)?,
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![index, show, register, thanks]
}
