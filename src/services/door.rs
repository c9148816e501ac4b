//! The door of a meeting: the confirmed people in name order with how many
//! are in, letting someone in (or taking it back), and the attendee a
//! scanned QR code stands for. Every change goes through [`LockedEvent`].
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, Select};
use serde::Serialize;
use uuid::Uuid;

use super::attendees::{self, Attendee};
use super::events::EventView;
use super::paging::{by_key_then_id, like};
use super::registrations::door::{is_meeting_day, meeting_days};
use super::registrations::{CheckedIn, LockedEvent};
use super::Services;
use crate::domain::{Lang, PageAt, RegistrationStatus, Search, TokenPurpose, Window, PAGE_SIZE};
use crate::entities::{event, registration};
use crate::error::AppError;
use crate::i18n::text_with;

/// The door list of one meeting.
#[derive(Debug, Serialize)]
pub struct DoorList {
    /// A page of the confirmed people matching the search, by name; keyed
    /// by registration id, so no name appears in a link.
    pub page: Window<Attendee, Uuid>,
    /// Over the whole meeting, not only the rows shown.
    pub checked_in: u64,
    pub confirmed: u64,
    /// Set when today is not one of the meeting's days: its date, written out.
    pub not_today: Option<String>,
}

pub async fn list(
    services: &Services,
    event: &EventView,
    search: &Search,
    at: &PageAt<Uuid>,
    lang: Lang,
) -> Result<DoorList, AppError> {
    let db = &services.db;
    let by_status = attendees::counts(db, event.id).await?;
    let rows = page_query(event.id, search, at).all(db).await?;
    let page = Window::from_rows(rows, at, PAGE_SIZE, |r| r.id).map(Attendee::from);
    // Leaving the confirmed list clears a check-in, so each one counted
    // here is of a confirmed person.
    let count = |key: &str| by_status.get(key).copied().unwrap_or(0);
    Ok(DoorList {
        checked_in: count("checked_in"),
        confirmed: count("confirmed"),
        not_today: not_today(event.starts_at.to_utc(), event.ends_at.to_utc(), lang),
        page,
    })
}

/// The read of one page of the door list (public for the index check in
/// `tests/api/list_paging.rs`). "de Vries" and "Émile" sort as a person
/// reads them: the search key starts with the folded name.
pub fn page_query(
    event_id: Uuid,
    search: &Search,
    at: &PageAt<Uuid>,
) -> Select<registration::Entity> {
    let mut query = attendees::of_event(event_id)
        .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed));
    if !search.is_empty() {
        let key = Expr::col((registration::Entity, registration::Column::SearchKey));
        query = query.filter(like(key, search.anywhere()));
    }
    let order_by = (registration::Column::SearchKey, registration::Column::Id);
    by_key_then_id(query, order_by, Order::Asc, at, PAGE_SIZE)
}

/// The meeting's date(s) as the door page names them, when today is not one.
fn not_today(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, lang: Lang) -> Option<String> {
    if is_meeting_day(Utc::now(), starts_at, ends_at) {
        return None;
    }
    let (first, last) = meeting_days(starts_at, ends_at);
    let locale = match lang {
        Lang::Nl => chrono::Locale::nl_NL,
        Lang::En => chrono::Locale::en_GB,
    };
    let day = |d: chrono::NaiveDate| d.format_localized("%A %-d %B %Y", locale).to_string();
    Some(if first == last {
        day(first)
    } else {
        text_with(
            lang,
            "admin-door-days",
            &[("first", day(first)), ("last", day(last))],
        )
    })
}

/// Who a door change was about, for the notice and the way back.
#[derive(Debug, Clone, Serialize)]
pub struct AtTheDoor {
    pub id: Uuid,
    pub name: String,
    pub event_slug: String,
}

/// What pressing "Binnen" came to.
pub enum CheckIn {
    Done(AtTheDoor),
    /// Refused: not the meeting's day and no override asked.
    NotMeetingDay(AtTheDoor),
}

/// Lets a confirmed attendee in; `outside_day` is the organiser's explicit
/// choice to do so on another day than the meeting's.
pub async fn check_in(
    services: &Services,
    id: Uuid,
    actor: &str,
    outside_day: bool,
) -> Result<CheckIn, AppError> {
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let slug = locked.event().slug.clone();
    let outcome = locked.check_in(id, actor, outside_day).await?;
    locked.commit().await?;
    let at = |reg: registration::Model| AtTheDoor {
        id: reg.id,
        name: reg.name,
        event_slug: slug.clone(),
    };
    Ok(match outcome {
        CheckedIn::In(reg) => CheckIn::Done(at(reg)),
        CheckedIn::NotMeetingDay(reg) => CheckIn::NotMeetingDay(at(reg)),
    })
}

/// Takes a check-in back.
pub async fn undo_check_in(
    services: &Services,
    id: Uuid,
    actor: &str,
) -> Result<AtTheDoor, AppError> {
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let event_slug = locked.event().slug.clone();
    let reg = locked.undo_check_in(id, actor).await?;
    locked.commit().await?;
    Ok(AtTheDoor {
        id: reg.id,
        name: reg.name,
        event_slug,
    })
}

/// A confirmed attendee of `event`, for the line that says what just
/// happened to them; `None` for anyone else (an id from another meeting's
/// link, someone who left the list since).
pub async fn attendee_of(
    services: &Services,
    event: &EventView,
    id: Uuid,
) -> Result<Option<Attendee>, AppError> {
    let found = registration::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .filter(|r| r.event_id == event.id && r.status == RegistrationStatus::Confirmed);
    Ok(found.map(Attendee::from))
}

/// The attendee a scanned QR code stands for.
#[derive(Debug, Serialize)]
pub struct Scanned {
    pub attendee: Attendee,
    pub event_title: String,
    pub event_slug: String,
    pub not_today: Option<String>,
}

pub async fn by_check_in_token(
    services: &Services,
    token: &str,
    lang: Lang,
) -> Result<Scanned, AppError> {
    let id = super::tokens::resolve(&services.db, TokenPurpose::CheckIn, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let (reg, event) = registration::Entity::find_by_id(id)
        .find_also_related(event::Entity)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = event.ok_or(AppError::NotFound)?;
    Ok(Scanned {
        attendee: reg.into(),
        not_today: not_today(event.starts_at, event.ends_at, lang),
        event_title: match lang {
            Lang::Nl => event.title_nl,
            Lang::En => event.title_en,
        },
        event_slug: event.slug,
    })
}
