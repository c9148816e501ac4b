//! Organisers' messages to a meeting's people: who an audience reaches,
//! sending, and what was sent (see `registrations::message`).
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::events::amsterdam;
use super::registrations::{reaches, LockedEvent};
use super::Services;
use crate::db::EventKey;
use crate::domain::{Audience, MessageDraft, RegistrationStatus};
use crate::entities::{event_message, registration};
use crate::error::AppError;

/// How many people each audience reaches now, in [`Audience::ALL`] order:
/// one read of the live sign-ups, without the event's lock (a page that
/// only shows counts must not hold up sign-ups; the send counts again
/// under the lock).
pub async fn audience_sizes(
    services: &Services,
    event_id: uuid::Uuid,
) -> Result<Vec<(Audience, usize)>, AppError> {
    let live = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .all(&services.db)
        .await?;
    Ok(Audience::ALL
        .iter()
        .map(|audience| {
            let count = live.iter().filter(|r| reaches(*audience, r)).count();
            (*audience, count)
        })
        .collect())
}

/// Sends `draft` to its audience; returns how many it went to.
pub async fn send(
    services: &Services,
    slug: &str,
    draft: &MessageDraft,
    staff: &str,
) -> Result<usize, AppError> {
    let mut locked = LockedEvent::open(services, EventKey::Slug(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let count = locked.send_message(draft, staff).await?;
    locked.commit().await?;
    Ok(count)
}

/// A message as the meeting's page lists it.
#[derive(Debug, Serialize)]
pub struct SentMessage {
    pub audience: Audience,
    pub subject: String,
    pub body: String,
    pub sent_by: String,
    pub recipients: i32,
    /// Amsterdam time, `YYYY-MM-DD HH:MM`.
    pub sent_at: String,
}

/// The messages sent for the meeting, newest first.
pub async fn sent(services: &Services, event_id: uuid::Uuid) -> Result<Vec<SentMessage>, AppError> {
    let rows = event_message::Entity::find()
        .filter(event_message::Column::EventId.eq(event_id))
        .order_by_desc(event_message::Column::CreatedAt)
        .all(&services.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| SentMessage {
            audience: m.audience,
            subject: m.subject,
            body: m.body,
            sent_by: m.sent_by,
            recipients: m.recipients,
            sent_at: amsterdam(m.created_at).format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect())
}
