//! Calendar files of public meetings: a feed to subscribe to
//! (`/events.ics`) and one meeting to add (`/events/<slug>/calendar.ics`).
//! They name no one: a sign-up's own invite comes with its mail.
use rocket::State;

use crate::domain::Lang;
use crate::error::AppError;
use crate::http::params::SlugParam;
use crate::i18n::text;
use crate::mail::ics::{self, Listing};
use crate::services::events::{self, EventView, RegistrationState};
use crate::services::Services;

/// A calendar file; `file_name` makes it a download rather than a feed.
#[derive(rocket::Responder)]
#[response(content_type = "text/calendar; charset=utf-8")]
struct CalendarFile {
    body: String,
    disposition: rocket::http::Header<'static>,
    cache: rocket::http::Header<'static>,
}

impl CalendarFile {
    fn new(body: String, file_name: Option<&str>) -> Self {
        let disposition = match file_name {
            // Built from a slug: letters, digits and dashes only.
            Some(name) => format!("attachment; filename=\"{name}.ics\""),
            None => "inline".to_owned(),
        };
        CalendarFile {
            body,
            disposition: rocket::http::Header::new("Content-Disposition", disposition),
            // Calendar apps poll a feed; a few minutes old is fine.
            cache: rocket::http::Header::new("Cache-Control", "public, max-age=300"),
        }
    }
}

fn listing<'a>(event: &'a EventView, url: &'a str) -> Listing<'a> {
    Listing {
        uid: ics::listing_uid(event.id),
        title: &event.title,
        description: &event.description,
        location: &event.location,
        starts_at: event.starts_at.to_utc(),
        ends_at: event.ends_at.to_utc(),
        url,
        cancelled: event.registration_state == RegistrationState::Cancelled,
    }
}

fn page_url(services: &Services, event: &EventView, lang: Lang) -> String {
    services.link(&format!("/events/{}?lang={}", event.slug, lang.code()))
}

#[rocket::get("/events.ics")]
async fn feed(services: &State<Services>, lang: Lang) -> Result<CalendarFile, AppError> {
    let upcoming = events::upcoming(&services.db, lang).await?;
    let urls: Vec<String> = upcoming
        .iter()
        .map(|e| page_url(services, e, lang))
        .collect();
    let listings: Vec<Listing<'_>> = upcoming
        .iter()
        .zip(&urls)
        .map(|(event, url)| listing(event, url))
        .collect();
    let name = text(lang, "calendar-feed-name");
    Ok(CalendarFile::new(
        ics::render_listings(&name, &listings),
        None,
    ))
}

#[rocket::get("/events/<slug>/calendar.ics")]
async fn one(
    services: &State<Services>,
    slug: SlugParam<'_>,
    lang: Lang,
) -> Result<CalendarFile, AppError> {
    let event = events::by_slug(&services.db, &slug, lang).await?;
    let url = page_url(services, &event, lang);
    let body = ics::render_listings(&event.title, &[listing(&event, &url)]);
    Ok(CalendarFile::new(body, Some(&event.slug)))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![feed, one]
}
