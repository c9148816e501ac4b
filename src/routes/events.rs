//! Public pages: the event list, an event with its sign-up form, and the
//! thank-you page.
use crate::http::params::SlugParam;
use std::collections::BTreeMap;

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::forms::SignUpFields;
use crate::domain::{FieldErrors, Lang, SubmissionKey};
use crate::error::{field_messages, AppError};
use crate::format;
use crate::http::lang::query;
use crate::http::{page, CsrfForm, CsrfToken, FormPage, Page, Refused};
use crate::routes::protection::SignUpAllowed;
use crate::services::events::{self, EventView};
use crate::services::sectors::{self, SectorView};
use crate::services::{registrations, Services};

#[derive(Serialize)]
struct EventCard {
    #[serde(flatten)]
    event: EventView,
    date: String,
    time: String,
    /// When sign-ups open, for a meeting that does not take them yet.
    opens: Option<String>,
}

fn card(event: EventView, lang: Lang) -> EventCard {
    let (starts, ends) = (event.starts_at.to_utc(), event.ends_at.to_utc());
    let opens = event.registration_opens_at.map(|at| {
        let date = format::long_date(at.to_utc(), lang);
        format!("{date}, {}", at.format("%H:%M"))
    });
    EventCard {
        date: format::long_date(starts, lang),
        time: format::time_range(starts, ends),
        opens,
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

#[derive(Serialize)]
struct EventPage<'a> {
    lang: &'static str,
    event: EventCard,
    sectors: Vec<SectorView>,
    form: &'a SignUpFields,
    errors: BTreeMap<&'static str, String>,
    /// A message about the whole form (duplicate, full, not eligible).
    notice: Option<String>,
    csrf: &'a str,
    form_token: String,
}

/// The event page, its form as posted (or blank), and what to say about it.
struct Shown<'a> {
    status: Status,
    form: &'a SignUpFields,
    errors: FieldErrors,
    notice: Option<String>,
}

impl<'a> Shown<'a> {
    fn blank(form: &'a SignUpFields) -> Self {
        Shown {
            status: Status::Ok,
            form,
            errors: FieldErrors::new(),
            notice: None,
        }
    }

    fn refused(form: &'a SignUpFields, status: Status, notice: String) -> Self {
        Shown {
            status,
            notice: Some(notice),
            ..Shown::blank(form)
        }
    }
}

async fn render_event(
    services: &Services,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: &CsrfToken,
    shown: Shown<'_>,
) -> Result<Page, AppError> {
    let event = events::by_slug(&services.db, &slug, lang).await?;
    // A re-shown form keeps its key: nothing was stored under it yet.
    let key =
        SubmissionKey::parse(&shown.form.form_token).unwrap_or_else(|_| SubmissionKey::generate());
    let context = EventPage {
        lang: lang.code(),
        event: card(event, lang),
        sectors: sectors::list(lang),
        form: shown.form,
        errors: field_messages(&shown.errors, lang),
        notice: shown.notice,
        csrf: &csrf.0,
        form_token: key.as_str().to_owned(),
    };
    Ok(page(
        shown.status,
        services.views.render("event.html.tera", &context)?,
    ))
}

#[rocket::get("/events/<slug>")]
async fn show(
    services: &State<Services>,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let form = SignUpFields::default();
    render_event(services, slug, lang, &csrf, Shown::blank(&form)).await
}

/// The private cookie that remembers which sign-ups this browser made, so
/// only it sees their thank-you pages (the id is no secret: it is in the
/// page's address).
const SIGNED_UP: &str = "signed_up";

fn remember_sign_up(jar: &CookieJar<'_>, id: Uuid, secure: bool) {
    let mut ids: Vec<String> = jar
        .get_private(SIGNED_UP)
        .map(|c| c.value().split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    ids.retain(|known| *known != id.to_string());
    ids.insert(0, id.to_string());
    ids.truncate(10);
    jar.add_private(
        Cookie::build((SIGNED_UP, ids.join(",")))
            .path("/events")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure),
    );
}

fn made_here(jar: &CookieJar<'_>, id: Uuid) -> bool {
    jar.get_private(SIGNED_UP)
        .is_some_and(|c| c.value().split(',').any(|known| known == id.to_string()))
}

/// The form again, filled in, with what refused it at the top.
async fn refuse(
    services: &Services,
    slug: SlugParam<'_>,
    lang: Lang,
    csrf: &CsrfToken,
    form: &SignUpFields,
    refusal: AppError,
) -> Result<FormPage, AppError> {
    let shown = Shown::refused(form, refusal.status(), refusal.message(lang));
    let page = render_event(services, slug, lang, csrf, shown).await?;
    Ok(FormPage::retrying_after(page, refusal.retry_after()))
}

/// Refusals a visitor can act on, answered with the form shown again.
fn shows_form(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Full
            | AppError::Closed
            | AppError::Ineligible(_)
            | AppError::RateLimited { .. }
            | AppError::FormExpired
    )
}

#[rocket::post("/events/<slug>/registrations", data = "<form>")]
async fn register(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    slug: SlugParam<'_>,
    lang: Lang,
    allowed: Result<SignUpAllowed<'_>, AppError>,
    csrf: CsrfToken,
    form: Result<CsrfForm<SignUpFields>, Refused<SignUpFields>>,
) -> Result<Result<Redirect, FormPage>, AppError> {
    let form = match form {
        Ok(CsrfForm(form)) => form,
        // An expired or foreign form: show it again, filled in, to resend.
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
        Ok(new) => new.with_submission_key(SubmissionKey::parse(&form.form_token).ok()),
        Err(errors) => {
            let notice = crate::i18n::text(lang, "form-has-errors");
            let shown = Shown {
                errors,
                ..Shown::refused(&form, Status::UnprocessableEntity, notice)
            };
            return render_event(services, slug, lang, &csrf, shown)
                .await
                .map(|page| Err(page.into()));
        }
    };
    let done = match allowed.mail_to(new.email.as_str()).await {
        Ok(()) => registrations::register(services, &slug, new).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(done) => {
            remember_sign_up(jar, done.id, services.base_url.starts_with("https://"));
            Ok(Ok(Redirect::to(uri!(
                _,
                thanks(slug, done.id),
                query(lang)
            ))))
        }
        Err(AppError::SubmissionKeyReused) => {
            // Sent before with other details (back, edit, send): a new key,
            // so sending it again is a sign-up of its own.
            let fresh = SignUpFields {
                form_token: String::new(),
                ..form
            };
            let notice = crate::i18n::text(lang, "form-sent-before-changed");
            let shown = Shown::refused(&fresh, Status::UnprocessableEntity, notice);
            let page = render_event(services, slug, lang, &csrf, shown).await?;
            Ok(Err(FormPage::retrying_after(page, None)))
        }
        // Not a mistake to correct: the form is not shown again.
        Err(AppError::Duplicate) => {
            let event = events::by_slug(&services.db, &slug, lang).await?;
            let context = AlreadyPage {
                lang: lang.code(),
                event: card(event, lang),
            };
            let html = services
                .views
                .render("already_registered.html.tera", &context)?;
            Ok(Err(page(Status::Conflict, html).into()))
        }
        Err(e) if shows_form(&e) => refuse(services, slug, lang, &csrf, &form, e).await.map(Err),
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct AlreadyPage {
    lang: &'static str,
    event: EventCard,
}

#[derive(Serialize)]
struct ThanksPage {
    lang: &'static str,
    event: EventCard,
    status: crate::domain::RegistrationStatus,
    waitlist_position: Option<u64>,
}

#[rocket::get("/events/<slug>/thanks/<id>")]
async fn thanks(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    slug: SlugParam<'_>,
    id: Uuid,
    lang: Lang,
) -> Result<Page, AppError> {
    // Others' sign-ups are nobody's business; theirs is in the manage link.
    if !made_here(jar, id) {
        return Err(AppError::NotFound);
    }
    let event = events::by_slug(&services.db, &slug, lang).await?;
    let registered = registrations::status_of(services, id).await?;
    let context = ThanksPage {
        lang: lang.code(),
        event: card(event, lang),
        status: registered.status,
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
