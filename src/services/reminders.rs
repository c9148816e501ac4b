//! Reminders: the invite again, some days before the event, sent once.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::registrations::LockedEvent;
use super::Services;
use crate::db::EventKey;
use crate::domain::EventStatus;
use crate::entities::event;
use crate::error::AppError;

/// Queues the reminder of every event whose moment has come and returns
/// how many mails were queued. Safe to run from several instances at once:
/// each event is handled under its lock and marked as done in the same
/// transaction.
pub async fn send_due(services: &Services, now: DateTime<Utc>) -> Result<usize, AppError> {
    let candidates = event::Entity::find()
        .filter(event::Column::Status.eq(EventStatus::Published))
        .filter(event::Column::ReminderSentAt.is_null())
        .filter(event::Column::ReminderDaysBefore.gt(0))
        .filter(event::Column::StartsAt.gt(now))
        .all(&services.db)
        .await?;
    let mut queued = 0;
    for candidate in candidates {
        if now < candidate.starts_at - Duration::days(i64::from(candidate.reminder_days_before)) {
            continue;
        }
        let Some(mut locked) = LockedEvent::open(services, EventKey::Id(candidate.id)).await?
        else {
            continue;
        };
        // Another instance may have sent them while this one waited.
        if locked.event().reminder_sent_at.is_some() {
            continue;
        }
        queued += locked.remind_everyone().await?;
        locked
            .update_event(|active| active.reminder_sent_at = Set(Some(now)))
            .await?;
        locked.commit().await?;
    }
    Ok(queued)
}
