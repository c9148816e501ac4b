//! Signing up, cancelling and serving the waiting list. Every change runs
//! in one transaction that holds the event lock (see [`crate::db::lock_event`]),
//! so seat counts never race and positions never skip.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

mod changes;
mod mail;

pub use changes::{
    cancel, cancel_all_of_event, cancel_by_id, move_registration, promote_from_waitlist,
    queue_reminders, CancelOutcome,
};
use mail::{queue_mail, MailFlags, MailKind};

use super::eligibility::{self, Claim};
use super::events::{RegistrationState, SeatCounts};
use super::{tokens, Services};
use crate::db::{begin_locked, EventKey};
use crate::domain::NewRegistration;
use crate::entities::event::{self, Eligibility};
use crate::entities::pilot_application::EligibilityDecision;
use crate::entities::registration::{self, RegistrationStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub id: Uuid,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<u64>,
}

pub async fn register(
    services: &Services,
    slug: &str,
    new: NewRegistration,
) -> Result<Registered, AppError> {
    register_as(services, slug, new, None).await
}

/// Signs someone up; `by_staff` names the organiser adding them by hand,
/// who may do so outside the registration window and without the
/// eligibility check, but not past the seats (more seats first).
pub async fn register_as(
    services: &Services,
    slug: &str,
    new: NewRegistration,
    by_staff: Option<&str>,
) -> Result<Registered, AppError> {
    let (txn, event) = begin_locked(&services.db, EventKey::Slug(slug)).await?;
    let event = event
        .filter(|e| e.status != event::EventStatus::Draft)
        .ok_or(AppError::NotFound)?;
    let (counts, queue_number) = seats_and_next_number(&txn, event.id).await?;
    let state = RegistrationState::of(
        &event,
        u64::try_from(counts.confirmed).unwrap_or(0),
        Utc::now(),
    );
    let window_shut = matches!(
        state,
        RegistrationState::Closed | RegistrationState::NotYetOpen
    );
    if event.status == event::EventStatus::Cancelled || (window_shut && by_staff.is_none()) {
        return Err(AppError::Closed);
    }

    // One look at earlier sign-ups of this event: the same submission again
    // (double click, retried request) gets the answer it got the first time
    // and no second mail; the same address again gets its links again but
    // no second seat.
    let mut wanted = Condition::any().add(
        Condition::all()
            .add(registration::Column::Email.eq(new.email.as_str()))
            .add(registration::Column::Status.ne(RegistrationStatus::Cancelled)),
    );
    if let Some(key) = &new.submission_key {
        wanted = wanted.add(registration::Column::SubmissionKey.eq(key.as_str()));
    }
    let earlier = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(wanted)
        .all(&txn)
        .await?;
    let replayed = new.submission_key.as_ref().and_then(|key| {
        earlier
            .iter()
            .find(|r| r.submission_key.as_deref() == Some(key.as_str()))
    });
    if let Some(replayed) = replayed {
        let id = replayed.id;
        txn.commit().await?;
        return status_of(services, id).await;
    }
    let existing = earlier
        .into_iter()
        .find(|r| r.email == new.email.as_str() && r.status != RegistrationStatus::Cancelled);
    if let Some(existing) = existing {
        // No second seat, but the person gets their links again.
        let kind = match existing.status {
            RegistrationStatus::Waitlisted => MailKind::Waitlisted,
            _ => MailKind::Confirmed,
        };
        queue_mail(&txn, services, &event, &existing, kind, MailFlags::RESENT).await?;
        txn.commit().await?;
        services.mail_queued.notify_one();
        return Err(AppError::Duplicate);
    }

    if event.eligibility == Eligibility::PublicSector && by_staff.is_none() {
        let claim = Claim {
            organisation_id: None,
            organisation_name: new.organisation.as_str(),
            sector: new.sector,
            email: &new.email,
        };
        // Meetings admit "needs review" cases; only a clear no refuses.
        let decision = eligibility::decide(&txn, claim).await?;
        if decision.decision == EligibilityDecision::Ineligible {
            return Err(AppError::IneligibleBecause(format!(
                "{} {}",
                decision.reason(new.lang),
                crate::i18n::text(new.lang, "ineligible-public-sector-event")
            )));
        }
    }
    let status = if counts.confirmed < i64::from(event.capacity) {
        RegistrationStatus::Confirmed
    } else if event.waitlist_enabled {
        RegistrationStatus::Waitlisted
    } else {
        return Err(AppError::Full);
    };

    let now = Utc::now();
    let row = registration::ActiveModel {
        id: Set(Uuid::new_v4()),
        event_id: Set(event.id),
        name: Set(new.name.into_inner()),
        email: Set(new.email.as_str().to_owned()),
        organisation: Set(new.organisation.into_inner()),
        sector: Set(new.sector.code().to_owned()),
        job_title: Set(new.job_title.into_inner()),
        remarks: Set(new.remarks.into_inner()),
        lang: Set(new.lang.code().to_owned()),
        status: Set(status),
        queue_number: Set(queue_number),
        ics_sequence: Set(0),
        created_at: Set(now),
        confirmed_at: Set((status == RegistrationStatus::Confirmed).then_some(now)),
        cancelled_at: Set(None),
        updated_at: Set(now),
        checked_in_at: Set(None),
        submission_key: Set(new.submission_key.map(|k| k.as_str().to_owned())),
    }
    .insert(&txn)
    .await?;
    let kind = match status {
        RegistrationStatus::Confirmed => MailKind::Confirmed,
        _ => MailKind::Waitlisted,
    };
    // Known from the counts already read: no second count under the lock.
    let waitlist_position = (status == RegistrationStatus::Waitlisted)
        .then(|| u64::try_from(counts.waitlisted).unwrap_or(0) + 1);
    let flags = MailFlags {
        waitlist_position,
        ..MailFlags::NONE
    };
    queue_mail(&txn, services, &event, &row, kind, flags).await?;
    if let Some(staff) = by_staff {
        let after = serde_json::json!({"email": row.email, "status": status.as_str()});
        let subject = format!("registration {}", row.id);
        crate::services::audit::record(
            &txn,
            staff,
            "registration.add",
            &subject,
            None::<&()>,
            Some(&after),
        )
        .await?;
    }
    txn.commit().await?;
    services.mail_queued.notify_one();

    Ok(Registered {
        id: row.id,
        status,
        waitlist_position,
    })
}

/// Seats taken and the next queue number, in one statement: a sign-up
/// runs under the event lock, where every round trip counts. The caller
/// holds the event lock.
async fn seats_and_next_number(
    txn: &DatabaseTransaction,
    event_id: Uuid,
) -> Result<(SeatCounts, i64), AppError> {
    let count_of = |status: RegistrationStatus| {
        Expr::cust(format!(
            "COALESCE(SUM(CASE WHEN status = '{}' THEN 1 ELSE 0 END), 0)",
            status.as_str()
        ))
    };
    let (confirmed, waitlisted, last): (i64, i64, Option<i64>) = registration::Entity::find()
        .select_only()
        .column_as(count_of(RegistrationStatus::Confirmed), "confirmed")
        .column_as(count_of(RegistrationStatus::Waitlisted), "waitlisted")
        .column_as(registration::Column::QueueNumber.max(), "last")
        .filter(registration::Column::EventId.eq(event_id))
        .into_tuple()
        .one(txn)
        .await?
        .unwrap_or((0, 0, None));
    let counts = SeatCounts {
        confirmed,
        waitlisted,
    };
    Ok((counts, last.unwrap_or(0) + 1))
}

/// The number after the last one handed out for this event, so the waiting
/// list keeps arrival order. The caller holds the event lock.
pub(super) async fn next_queue_number(
    txn: &DatabaseTransaction,
    event_id: Uuid,
) -> Result<i64, AppError> {
    let last: Option<i64> = registration::Entity::find()
        .select_only()
        .column_as(registration::Column::QueueNumber.max(), "max")
        .filter(registration::Column::EventId.eq(event_id))
        .into_tuple()
        .one(txn)
        .await?
        .flatten();
    Ok(last.unwrap_or(0) + 1)
}

/// A registration as its owner sees it through the manage link.
#[derive(Debug, Clone, Serialize)]
pub struct ManagedRegistration {
    pub id: Uuid,
    pub event_slug: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub job_title: Option<String>,
    pub remarks: Option<String>,
    pub status: RegistrationStatus,
    pub waitlist_position: Option<u64>,
    pub created_at: chrono::DateTime<Utc>,
}

pub async fn find_by_manage_token(
    services: &Services,
    token: &str,
) -> Result<ManagedRegistration, AppError> {
    let id = tokens::resolve(&services.db, tokens::MANAGE_REGISTRATION, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let (reg, event) = registration::Entity::find_by_id(id)
        .find_also_related(event::Entity)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = event.ok_or(AppError::NotFound)?;
    let position = waitlist_position(&services.db, &reg).await?;
    Ok(ManagedRegistration {
        id: reg.id,
        event_slug: event.slug,
        name: reg.name,
        email: reg.email,
        organisation: reg.organisation,
        sector: reg.sector,
        job_title: reg.job_title,
        remarks: reg.remarks,
        status: reg.status,
        waitlist_position: position,
        created_at: reg.created_at,
    })
}

/// 1-based place on the waiting list, or `None` when not waiting.
pub async fn waitlist_position(
    db: &impl ConnectionTrait,
    reg: &registration::Model,
) -> Result<Option<u64>, AppError> {
    if reg.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let ahead_or_self = registration::Entity::find()
        .filter(registration::Column::EventId.eq(reg.event_id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
        .filter(registration::Column::QueueNumber.lte(reg.queue_number))
        .count(db)
        .await?;
    Ok(Some(ahead_or_self))
}

/// Status of a registration for the thank-you page, which knows only its id.
pub async fn status_of(services: &Services, id: Uuid) -> Result<Registered, AppError> {
    let reg = registration::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Registered {
        id,
        status: reg.status,
        waitlist_position: waitlist_position(&services.db, &reg).await?,
    })
}
