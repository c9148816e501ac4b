//! Changes after sign-up: cancelling, moving between the lists, filling
//! free seats, calling an event off, reminders. Each runs under the event
//! lock of its transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::mail::{queue_mail, MailFlags, MailKind};
use super::seats_and_next_number;
use crate::db::{begin_locked, EventKey};
use crate::entities::event;
use crate::entities::registration::{self, RegistrationStatus};
use crate::error::AppError;
use crate::services::{tokens, Services};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled,
    WasAlreadyCancelled,
}

/// Cancels through the manage link; a freed seat goes to the first person
/// on the waiting list within the same transaction.
pub async fn cancel(services: &Services, token: &str) -> Result<CancelOutcome, AppError> {
    let id = tokens::resolve(&services.db, tokens::MANAGE_REGISTRATION, token)
        .await?
        .ok_or(AppError::NotFound)?;
    cancel_by_id(services, id, None).await
}

/// Cancels a registration; `staff` names who did it on the person's behalf
/// (recorded in the audit log in the same transaction).
pub async fn cancel_by_id(
    services: &Services,
    id: Uuid,
    staff: Option<&str>,
) -> Result<CancelOutcome, AppError> {
    let event_id = registration::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?
        .event_id;
    let (txn, event) = begin_locked(&services.db, EventKey::Id(event_id)).await?;
    let event = event.ok_or(AppError::NotFound)?;
    // Re-read under the lock: a concurrent cancel may have won.
    let reg = registration::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if reg.status == RegistrationStatus::Cancelled {
        return Ok(CancelOutcome::WasAlreadyCancelled);
    }
    if Utc::now() >= event.starts_at {
        return Err(AppError::Closed);
    }
    let was_confirmed = reg.status == RegistrationStatus::Confirmed;
    let now = Utc::now();
    let mut active: registration::ActiveModel = reg.into();
    active.status = Set(RegistrationStatus::Cancelled);
    active.cancelled_at = Set(Some(now));
    active.updated_at = Set(now);
    if was_confirmed {
        active.ics_sequence = Set(active.ics_sequence.as_ref() + 1);
    }
    let cancelled = active.update(&txn).await?;
    let flags = if was_confirmed {
        MailFlags::WITH_CANCEL_INVITE
    } else {
        MailFlags::NONE
    };
    queue_mail(
        &txn,
        services,
        &event,
        &cancelled,
        MailKind::Cancelled,
        flags,
    )
    .await?;
    if was_confirmed {
        promote_from_waitlist(&txn, services, &event).await?;
    }
    if let Some(staff) = staff {
        let subject = format!("registration {id}");
        crate::services::audit::record(
            &txn,
            staff,
            "registration.cancel",
            &subject,
            None::<&()>,
            None::<&()>,
        )
        .await?;
    }
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(CancelOutcome::Cancelled)
}

/// An organiser moves someone between the waiting list and the confirmed
/// list. Confirming needs a free seat; moving a confirmed person to the
/// back of the waiting list withdraws their invite and gives the freed seat
/// to whoever is first in line.
pub async fn move_registration(
    services: &Services,
    id: Uuid,
    to: RegistrationStatus,
    staff: &str,
) -> Result<(), AppError> {
    let event_id = registration::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?
        .event_id;
    let (txn, event) = begin_locked(&services.db, EventKey::Id(event_id)).await?;
    let event = event.ok_or(AppError::NotFound)?;
    let reg = registration::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = reg.status;
    if from == to {
        return Ok(());
    }
    let now = Utc::now();
    let mut active: registration::ActiveModel = reg.clone().into();
    active.status = Set(to);
    active.updated_at = Set(now);
    match (from, to) {
        (RegistrationStatus::Waitlisted, RegistrationStatus::Confirmed) => {
            let (seats, _) = seats_and_next_number(&txn, event.id).await?;
            if seats.confirmed >= i64::from(event.capacity) {
                return Err(AppError::Conflict("error-no-seat-free"));
            }
            active.confirmed_at = Set(Some(now));
            let moved = active.update(&txn).await?;
            queue_mail(
                &txn,
                services,
                &event,
                &moved,
                MailKind::Confirmed,
                MailFlags::PROMOTED,
            )
            .await?;
        }
        (RegistrationStatus::Confirmed, RegistrationStatus::Waitlisted) => {
            let (_, next_number) = seats_and_next_number(&txn, event.id).await?;
            active.queue_number = Set(next_number);
            active.ics_sequence = Set(reg.ics_sequence + 1);
            active.confirmed_at = Set(None);
            let moved = active.update(&txn).await?;
            queue_mail(
                &txn,
                services,
                &event,
                &moved,
                MailKind::Waitlisted,
                MailFlags::WITH_CANCEL_INVITE,
            )
            .await?;
            let others_waiting = registration::Entity::find()
                .filter(registration::Column::EventId.eq(event.id))
                .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
                .filter(registration::Column::Id.ne(id))
                .count(&txn)
                .await?;
            // With nobody else waiting, promoting would hand the seat back.
            if others_waiting > 0 {
                promote_from_waitlist(&txn, services, &event).await?;
            }
        }
        _ => return Err(AppError::Conflict("error-move-not-possible")),
    }
    let before = serde_json::json!({"status": from.as_str()});
    let after = serde_json::json!({"status": to.as_str()});
    crate::services::audit::record(
        &txn,
        staff,
        "registration.move",
        &format!("registration {id}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(())
}

/// Cancels every live sign-up of an event the organiser called off: the
/// confirmed get a calendar cancellation, everyone a notice. The caller
/// holds the event lock.
pub async fn cancel_all_of_event(
    txn: &DatabaseTransaction,
    services: &Services,
    event: &event::Model,
) -> Result<usize, AppError> {
    let live = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .all(txn)
        .await?;
    let now = Utc::now();
    for reg in &live {
        let was_confirmed = reg.status == RegistrationStatus::Confirmed;
        let mut active: registration::ActiveModel = reg.clone().into();
        active.status = Set(RegistrationStatus::Cancelled);
        active.cancelled_at = Set(Some(now));
        active.updated_at = Set(now);
        if was_confirmed {
            active.ics_sequence = Set(reg.ics_sequence + 1);
        }
        let cancelled = active.update(txn).await?;
        let flags = MailFlags {
            cancel_invite: was_confirmed,
            event_cancelled: true,
            ..MailFlags::NONE
        };
        queue_mail(txn, services, event, &cancelled, MailKind::Cancelled, flags).await?;
    }
    Ok(live.len())
}

/// Fills free seats from the head of the waiting list. The caller holds the
/// event lock. Returns how many people moved up.
pub async fn promote_from_waitlist(
    txn: &DatabaseTransaction,
    services: &Services,
    event: &event::Model,
) -> Result<usize, AppError> {
    if Utc::now() >= event.starts_at {
        return Ok(0);
    }
    let (seats, _) = seats_and_next_number(txn, event.id).await?;
    let free = u64::try_from(i64::from(event.capacity) - seats.confirmed).unwrap_or(0);
    if free == 0 {
        return Ok(0);
    }
    let next_in_line = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
        .order_by_asc(registration::Column::QueueNumber)
        .limit(free)
        .all(txn)
        .await?;
    let now = Utc::now();
    for waiting in &next_in_line {
        let mut active: registration::ActiveModel = waiting.clone().into();
        active.status = Set(RegistrationStatus::Confirmed);
        active.confirmed_at = Set(Some(now));
        active.updated_at = Set(now);
        let promoted = active.update(txn).await?;
        queue_mail(
            txn,
            services,
            event,
            &promoted,
            MailKind::Confirmed,
            MailFlags::PROMOTED,
        )
        .await?;
    }
    Ok(next_in_line.len())
}

/// Queues a reminder, with the invite again, for every confirmed attendee.
/// The caller holds the event lock.
pub async fn queue_reminders(
    txn: &DatabaseTransaction,
    services: &Services,
    event: &event::Model,
) -> Result<usize, AppError> {
    let confirmed = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed))
        .all(txn)
        .await?;
    for reg in &confirmed {
        queue_mail(
            txn,
            services,
            event,
            reg,
            MailKind::Reminder,
            MailFlags::NONE,
        )
        .await?;
    }
    Ok(confirmed.len())
}
