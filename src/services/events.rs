//! Reading events with their live seat counts.
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::Lang;
use crate::domain::{Eligibility, EventStatus};
use crate::entities::event;
use crate::entities::event_seats;
use crate::error::AppError;

/// Where an event's registration stands right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationState {
    NotYetOpen,
    Open,
    /// No seats left, but the waiting list takes sign-ups.
    WaitlistOnly,
    Full,
    Closed,
    /// Called off by the organiser: the meeting will not take place.
    Cancelled,
}

impl RegistrationState {
    pub fn of(event: &event::Model, confirmed: u64, now: DateTime<Utc>) -> Self {
        if event.status == EventStatus::Cancelled {
            return RegistrationState::Cancelled;
        }
        let closes_at = event.registration_closes_at.unwrap_or(event.starts_at);
        if event.status != EventStatus::Published || now >= closes_at {
            return RegistrationState::Closed;
        }
        if event.registration_opens_at.is_some_and(|opens| now < opens) {
            return RegistrationState::NotYetOpen;
        }
        let seats_left = u64::try_from(event.capacity)
            .unwrap_or(0)
            .saturating_sub(confirmed);
        match (seats_left, event.waitlist_enabled) {
            (0, true) => RegistrationState::WaitlistOnly,
            (0, false) => RegistrationState::Full,
            _ => RegistrationState::Open,
        }
    }

    pub fn accepts_sign_ups(self) -> bool {
        matches!(
            self,
            RegistrationState::Open | RegistrationState::WaitlistOnly
        )
    }
}

/// An event as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    #[serde(skip)]
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub location: String,
    pub capacity: i32,
    pub seats_left: i64,
    pub waitlist: bool,
    pub waitlisted: i64,
    /// `public_sector`: only for employers in the public sector groups.
    #[schema(value_type = String, pattern = "^(open|public_sector)$")]
    pub eligibility: Eligibility,
    #[serde(skip)]
    pub status: EventStatus,
    pub registration_open: bool,
    pub registration_state: RegistrationState,
    /// When sign-ups open, if the organiser set a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// When sign-ups close, if before the start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// What the organiser said when calling the meeting off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_off_message: Option<String>,
}

pub fn amsterdam(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&Amsterdam).fixed_offset()
}

#[derive(Default, Clone, Copy)]
pub struct SeatCounts {
    pub confirmed: i64,
    pub waitlisted: i64,
}

impl From<&event_seats::Model> for SeatCounts {
    fn from(row: &event_seats::Model) -> Self {
        SeatCounts {
            confirmed: row.confirmed,
            waitlisted: row.waitlisted,
        }
    }
}

fn view(event: event::Model, counts: SeatCounts, lang: Lang, now: DateTime<Utc>) -> EventView {
    let state = RegistrationState::of(&event, u64::try_from(counts.confirmed).unwrap_or(0), now);
    let (title, description) = match lang {
        Lang::Nl => (event.title_nl, event.description_nl),
        Lang::En => (event.title_en, event.description_en),
    };
    EventView {
        id: event.id,
        slug: event.slug,
        title,
        description,
        starts_at: amsterdam(event.starts_at),
        ends_at: amsterdam(event.ends_at),
        location: event.location,
        capacity: event.capacity,
        seats_left: (i64::from(event.capacity) - counts.confirmed).max(0),
        waitlist: event.waitlist_enabled,
        waitlisted: counts.waitlisted,
        eligibility: event.eligibility,
        status: event.status,
        registration_open: state.accepts_sign_ups(),
        registration_state: state,
        registration_opens_at: event.registration_opens_at.map(amsterdam),
        registration_closes_at: event.registration_closes_at.map(amsterdam),
        call_off_message: event.call_off_message,
    }
}

/// Confirmed and waitlisted counts for the given events, from the counters
/// the database keeps on every change of a sign-up (migration 13): reading
/// them costs the same for an event of ten sign-ups as for one of 100,000.
pub async fn seat_counts(
    db: &impl ConnectionTrait,
    event_ids: &[Uuid],
) -> Result<HashMap<Uuid, SeatCounts>, DbErr> {
    let rows = event_seats::Entity::find()
        .filter(event_seats::Column::EventId.is_in(event_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.event_id, SeatCounts::from(&row)))
        .collect())
}

/// Published events that have not ended, soonest first, with those called
/// off until their date: someone who planned to go should see why not.
pub async fn upcoming(db: &impl ConnectionTrait, lang: Lang) -> Result<Vec<EventView>, AppError> {
    let now = Utc::now();
    let events = event::Entity::find()
        .filter(event::Column::Status.is_in([EventStatus::Published, EventStatus::Cancelled]))
        .filter(event::Column::EndsAt.gt(now))
        .order_by_asc(event::Column::StartsAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let counts = seat_counts(db, &ids).await?;
    Ok(events
        .into_iter()
        .map(|e| {
            let c = counts.get(&e.id).copied().unwrap_or_default();
            view(e, c, lang, now)
        })
        .collect())
}

/// A published (or cancelled, so links keep working) event by its slug.
pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    lang: Lang,
) -> Result<EventView, AppError> {
    let event = by_slug_for_staff(db, slug, lang).await?;
    match event.status {
        EventStatus::Draft => Err(AppError::NotFound),
        _ => Ok(event),
    }
}

/// Any event by its slug, drafts included: for the back office.
pub async fn by_slug_for_staff(
    db: &impl ConnectionTrait,
    slug: &str,
    lang: Lang,
) -> Result<EventView, AppError> {
    let event = event::Entity::find()
        .filter(event::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let counts = seat_counts(db, &[event.id]).await?;
    let c = counts.get(&event.id).copied().unwrap_or_default();
    Ok(view(event, c, lang, Utc::now()))
}
