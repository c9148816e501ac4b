//! Public pages: the event list, an event with its sign-up form, and the
//! thank-you page.
use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::{ContentType, Status};
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{FieldErrors, Lang, NewRegistration, RegistrationInput};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::routes::protection::SignUpAllowed;
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
}

async fn render_event(
    services: &Services,
    slug: &str,
    lang: Lang,
    status: Status,
    form: &RegistrationForm,
    errors: &FieldErrors,
    notice: Option<String>,
) -> Result<Page, AppError> {
    let event = events::by_slug(&services.db, slug, lang).await?;
    let context = EventPage {
        lang: lang.code(),
        event: card(event, lang),
        sectors: sectors::list(lang),
        form,
        errors: field_messages(errors, lang),
        notice,
    };
    Ok(page(
        status,
        services.views.render("event.html.tera", &context)?,
    ))
}

#[rocket::get("/events/<slug>")]
async fn show(services: &State<Services>, slug: &str, lang: Lang) -> Result<Page, AppError> {
    render_event(
        services,
        slug,
        lang,
        Status::Ok,
        &RegistrationForm::default(),
        &FieldErrors::new(),
        None,
    )
    .await
}

#[rocket::post("/events/<slug>/registrations", data = "<form>")]
async fn register(
    services: &State<Services>,
    slug: &str,
    lang: Lang,
    _allowed: SignUpAllowed,
    form: Form<RegistrationForm>,
) -> Result<Result<Redirect, Page>, AppError> {
    let input = RegistrationInput {
        name: form.name.clone(),
        email: form.email.clone(),
        organisation: form.organisation.clone(),
        sector: form.sector.clone(),
        job_title: form.job_title.clone(),
        remarks: form.remarks.clone(),
    };
    let new = match NewRegistration::parse(&input, lang) {
        Ok(new) => new,
        Err(errors) => {
            let notice = Some(crate::i18n::text(lang, "form-has-errors"));
            let page = render_event(
                services,
                slug,
                lang,
                Status::UnprocessableEntity,
                &form,
                &errors,
                notice,
            );
            return page.await.map(Err);
        }
    };
    match registrations::register(services, slug, new).await {
        Ok(done) => Ok(Ok(Redirect::to(format!(
            "/events/{slug}/thanks/{}?lang={}",
            done.id,
            lang.code()
        )))),
        Err(
            e @ (AppError::Duplicate | AppError::Full | AppError::Closed | AppError::Ineligible(_)),
        ) => {
            let notice = Some(e.message(lang));
            render_event(
                services,
                slug,
                lang,
                e.status(),
                &form,
                &FieldErrors::new(),
                notice,
            )
            .await
            .map(Err)
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
