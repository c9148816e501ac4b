//! Organisers managing events: create (as a draft), edit, publish, close
//! registration, and cancel. Every change is audited in its transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::events::{amsterdam, seat_counts};
use super::registrations::{LockedEvent, Meeting, Reach};
use super::{audit, Services};
use crate::db::{begin_write, EventKey, WriteTxn};
use crate::domain::{Eligibility, EventInput, EventStatus, NewEvent};
use crate::entities::event;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct AdminEventRow {
    pub slug: String,
    pub title: String,
    pub status: EventStatus,
    pub starts: String,
    pub capacity: i32,
    pub confirmed: i64,
    pub waitlisted: i64,
    pub registration_closed: bool,
    pub started: bool,
}

/// One event as the overview shows it, for the page that confirms calling
/// it off.
pub async fn row(services: &Services, slug: &str) -> Result<AdminEventRow, AppError> {
    list_all(services)
        .await?
        .into_iter()
        .find(|e| e.slug == slug)
        .ok_or(AppError::NotFound)
}

/// Every event, drafts and past ones too, newest start first.
pub async fn list_all(services: &Services) -> Result<Vec<AdminEventRow>, AppError> {
    let events = event::Entity::find()
        .order_by_desc(event::Column::StartsAt)
        .all(&services.db)
        .await?;
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let counts = seat_counts(&services.db, &ids).await?;
    let now = Utc::now();
    Ok(events
        .into_iter()
        .map(|e| {
            let c = counts.get(&e.id).copied().unwrap_or_default();
            AdminEventRow {
                status: e.status,
                starts: amsterdam(e.starts_at).format("%Y-%m-%d %H:%M").to_string(),
                registration_closed: e.registration_closes_at.unwrap_or(e.starts_at) <= now,
                started: e.starts_at <= now,
                capacity: e.capacity,
                confirmed: c.confirmed,
                waitlisted: c.waitlisted,
                slug: e.slug,
                title: e.title_nl,
            }
        })
        .collect())
}

/// The edit form's fields for an existing event.
fn input_of(event: &event::Model) -> EventInput {
    let start = amsterdam(event.starts_at);
    EventInput {
        slug: event.slug.clone(),
        title_nl: event.title_nl.clone(),
        title_en: event.title_en.clone(),
        description_nl: event.description_nl.clone(),
        description_en: event.description_en.clone(),
        location: event.location.clone(),
        date: start.format("%Y-%m-%d").to_string(),
        start_time: start.format("%H:%M").to_string(),
        end_time: amsterdam(event.ends_at).format("%H:%M").to_string(),
        capacity: event.capacity.to_string(),
        waitlist: event.waitlist_enabled,
        public_sector_only: event.eligibility == Eligibility::PublicSector,
        reminder_days: event.reminder_days_before.to_string(),
        registration_opens: window_field(event.registration_opens_at),
        registration_closes: window_field(event.registration_closes_at),
        confirmation_note_nl: event.confirmation_note_nl.clone().unwrap_or_default(),
        confirmation_note_en: event.confirmation_note_en.clone().unwrap_or_default(),
    }
}

/// A moment as a `datetime-local` field shows it, in Amsterdam time.
fn window_field(at: Option<chrono::DateTime<Utc>>) -> String {
    at.map(|at| amsterdam(at).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The edit form of an event, drafts included.
pub async fn edit_input(services: &Services, slug: &str) -> Result<EventInput, AppError> {
    event::Entity::find()
        .filter(event::Column::Slug.eq(slug))
        .one(&services.db)
        .await?
        .map(|event| input_of(&event))
        .ok_or(AppError::NotFound)
}

fn apply_fields(active: &mut event::ActiveModel, new: &NewEvent) {
    active.slug = Set(new.slug.as_str().to_owned());
    active.title_nl = Set(new.title_nl.as_str().to_owned());
    active.title_en = Set(new.title_en.as_str().to_owned());
    active.description_nl = Set(new.description_nl.as_str().to_owned());
    active.description_en = Set(new.description_en.as_str().to_owned());
    active.location = Set(new.location.as_str().to_owned());
    active.starts_at = Set(new.starts_at);
    active.ends_at = Set(new.ends_at);
    active.capacity = Set(new.capacity.get());
    active.waitlist_enabled = Set(new.waitlist);
    active.eligibility = Set(if new.public_sector_only {
        Eligibility::PublicSector
    } else {
        Eligibility::Open
    });
    active.reminder_days_before = Set(new.reminder_days);
    active.registration_opens_at = Set(new.registration_opens_at);
    active.registration_closes_at = Set(new.registration_closes_at);
    active.confirmation_note_nl = Set(new.confirmation_note_nl.as_deref().map(str::to_owned));
    active.confirmation_note_en = Set(new.confirmation_note_en.as_deref().map(str::to_owned));
    active.updated_at = Set(Utc::now());
}

async fn slug_taken(txn: &WriteTxn, slug: &str, except: Option<Uuid>) -> Result<bool, AppError> {
    let found = event::Entity::find()
        .filter(event::Column::Slug.eq(slug))
        .one(txn)
        .await?;
    Ok(found.is_some_and(|e| Some(e.id) != except))
}

/// A new event starts as a draft: nobody sees it until it is published.
pub async fn create(services: &Services, new: NewEvent, actor: &str) -> Result<String, AppError> {
    let txn = begin_write(&services.db).await?;
    if slug_taken(&txn, new.slug.as_str(), None).await? {
        return Err(AppError::Conflict("error-slug-taken"));
    }
    let now = Utc::now();
    let mut active = event::ActiveModel {
        id: Set(Uuid::new_v4()),
        status: Set(EventStatus::Draft),
        reminder_sent_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    apply_fields(&mut active, &new);
    let created = active.insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        "event.create",
        &created.slug,
        None::<&()>,
        Some(&input_of(&created)),
    )
    .await?;
    txn.commit().await?;
    Ok(created.slug)
}

/// Whether the people of a meeting that moves (another date, time or
/// place) are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// Not chosen yet: a move that would mail someone is not saved; the
    /// answer says who would be mailed, so the organiser can choose.
    Ask,
    /// An updated invite to the confirmed, a notice to the waiting list.
    Everyone,
    /// A typo put right: nobody is mailed, calendars stay as they are.
    Nobody,
}

/// What an edit did.
#[derive(Debug)]
pub enum Updated {
    Saved {
        slug: String,
        /// Whether people were told of a move.
        notified: bool,
    },
    /// Nothing saved: the edit moves the meeting and would mail people.
    Ask {
        reach: Reach,
        before: Meeting,
        after: Meeting,
    },
}

/// The audit row of an edit: the fields, and for a move whether and how
/// many people were told.
#[derive(Serialize)]
struct Edited {
    #[serde(flatten)]
    fields: EventInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<MoveTold>,
}

#[derive(Serialize)]
struct MoveTold {
    notified: bool,
    confirmed: u64,
    waitlisted: u64,
}

/// Edits under the event lock. More seats move people up from the waiting
/// list at once; fewer than already confirmed is refused. A move is told
/// (or, asked to, not) in the same transaction as the edit.
pub async fn update(
    services: &Services,
    slug: &str,
    new: NewEvent,
    actor: &str,
    notify: Notify,
) -> Result<Updated, AppError> {
    let mut locked = LockedEvent::open(services, EventKey::Slug(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let event = locked.event().clone();
    if slug_taken(locked.txn(), new.slug.as_str(), Some(event.id)).await? {
        return Err(AppError::Conflict("error-slug-taken"));
    }
    if i64::from(new.capacity.get()) < locked.confirmed() {
        return Err(AppError::Conflict("error-capacity-below-confirmed"));
    }
    let before = input_of(&event);
    let updated = locked
        .update_event(|active| apply_fields(active, &new))
        .await?
        .clone();
    let (was, is) = (Meeting::of(&event), Meeting::of(&updated));
    let moved = if was.moved_to(&is) {
        let reach = locked.reach().await?;
        match notify {
            // Dropping the lock rolls the edit back.
            Notify::Ask if reach.anyone() => {
                return Ok(Updated::Ask {
                    reach,
                    before: was,
                    after: is,
                })
            }
            Notify::Ask | Notify::Everyone => {
                let told = locked.tell_of_move(was).await?;
                Some(MoveTold {
                    notified: true,
                    confirmed: told.confirmed,
                    waitlisted: told.waitlisted,
                })
            }
            Notify::Nobody => Some(MoveTold {
                notified: false,
                confirmed: 0,
                waitlisted: 0,
            }),
        }
    } else {
        None
    };
    let notified = moved
        .as_ref()
        .is_some_and(|m| m.notified && m.confirmed + m.waitlisted > 0);
    let after = Edited {
        fields: input_of(locked.event()),
        moved,
    };
    audit::record(
        locked.txn(),
        actor,
        "event.update",
        &updated.slug,
        Some(&before),
        Some(&after),
    )
    .await?;
    locked.commit().await?;
    Ok(Updated::Saved {
        slug: updated.slug,
        notified,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Publish,
    /// Stop taking sign-ups now; the event still takes place.
    CloseRegistration,
    /// Take sign-ups again after they were closed by hand or by the
    /// form's closing time, until the meeting starts.
    ReopenRegistration,
    /// Call the event off: every attendee is told, with a calendar cancel
    /// and the organiser's message, which the public page shows too.
    CallOff {
        message: Option<String>,
    },
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Publish => "event.publish",
            Change::CloseRegistration => "event.close_registration",
            Change::ReopenRegistration => "event.reopen_registration",
            Change::CallOff { .. } => "event.cancel",
        }
    }
}

pub async fn change(
    services: &Services,
    slug: &str,
    change: Change,
    actor: &str,
) -> Result<(), AppError> {
    let mut locked = LockedEvent::open(services, EventKey::Slug(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let event = locked.event().clone();
    if event.status == EventStatus::Cancelled {
        return Err(AppError::Conflict("error-event-cancelled"));
    }
    let now = Utc::now();
    let can_reopen = event.status == EventStatus::Published && now < event.starts_at;
    if change == Change::ReopenRegistration && !can_reopen {
        return Err(AppError::Conflict("error-reopen-not-possible"));
    }
    let updated = locked
        .update_event(|active| {
            active.updated_at = Set(now);
            match &change {
                Change::Publish => active.status = Set(EventStatus::Published),
                Change::CloseRegistration => active.registration_closes_at = Set(Some(now)),
                Change::ReopenRegistration => active.registration_closes_at = Set(None),
                Change::CallOff { message } => {
                    active.status = Set(EventStatus::Cancelled);
                    active.call_off_message = Set(message.clone());
                }
            }
        })
        .await?
        .clone();
    if matches!(change, Change::CallOff { .. }) {
        locked.cancel_everyone().await?;
    }
    let before = serde_json::json!({
        "status": event.status,
        "registration_closes_at": event.registration_closes_at,
    });
    let after = serde_json::json!({
        "status": updated.status,
        "registration_closes_at": updated.registration_closes_at,
    });
    audit::record(
        locked.txn(),
        actor,
        change.action(),
        &updated.slug,
        Some(&before),
        Some(&after),
    )
    .await?;
    locked.commit().await
}
