//! Reminders: the invite again, some days before the event, sent once.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{registrations, Services};
use crate::db::{begin_locked, EventKey};
use crate::entities::event::{self, EventStatus};
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
        let (txn, event) = begin_locked(&services.db, EventKey::Id(candidate.id)).await?;
        let Some(event) = event.filter(|e| e.reminder_sent_at.is_none()) else {
            continue;
        };
        queued += registrations::queue_reminders(&txn, services, &event).await?;
        let mut active: event::ActiveModel = event.into();
        active.reminder_sent_at = Set(Some(now));
        active.update(&txn).await?;
        txn.commit().await?;
    }
    if queued > 0 {
        services.mail_queued.notify_one();
    }
    Ok(queued)
}
