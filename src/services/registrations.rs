//! Signing up, cancelling and serving the waiting list. Every change runs
//! in one transaction that holds the event lock (see [`crate::db::lock_event`]),
//! so seat counts never race and positions never skip.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::eligibility::{self, Claim};
use super::events::{seat_counts, RegistrationState};
use super::{tokens, Services};
use crate::db::{begin_locked, EventKey};
use crate::domain::{Lang, NewRegistration};
use crate::entities::event::{self, Eligibility};
use crate::entities::pilot_application::EligibilityDecision;
use crate::entities::registration::{self, RegistrationStatus};
use crate::error::AppError;
use crate::format;
use crate::mail::ics;
use crate::mail::outbox::{enqueue, NewMail};

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
    let counts = seat_counts(&txn, &[event.id]).await?;
    let counts = counts.get(&event.id).copied().unwrap_or_default();
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

    let existing = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Email.eq(new.email.as_str()))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .one(&txn)
        .await?;
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

    let queue_number = next_queue_number(&txn, event.id).await?;
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
    }
    .insert(&txn)
    .await?;
    let kind = match status {
        RegistrationStatus::Confirmed => MailKind::Confirmed,
        _ => MailKind::Waitlisted,
    };
    queue_mail(&txn, services, &event, &row, kind, MailFlags::NONE).await?;
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
        waitlist_position: (status == RegistrationStatus::Waitlisted)
            .then(|| u64::try_from(counts.waitlisted).unwrap_or(0) + 1),
    })
}

/// The number after the last one handed out for this event, so the waiting
/// list keeps arrival order. The caller holds the event lock.
async fn next_queue_number(txn: &DatabaseTransaction, event_id: Uuid) -> Result<i64, AppError> {
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
            let confirmed = registration::Entity::find()
                .filter(registration::Column::EventId.eq(event.id))
                .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed))
                .count(&txn)
                .await?;
            if confirmed >= u64::try_from(event.capacity).unwrap_or(0) {
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
            active.queue_number = Set(next_queue_number(&txn, event.id).await?);
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
    let confirmed = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed))
        .count(txn)
        .await?;
    let free = u64::try_from(event.capacity)
        .unwrap_or(0)
        .saturating_sub(confirmed);
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum MailKind {
    Confirmed,
    Waitlisted,
    Cancelled,
    Reminder,
}

#[derive(Clone, Copy, Default)]
struct MailFlags {
    resent: bool,
    promoted: bool,
    cancel_invite: bool,
    event_cancelled: bool,
}

impl MailFlags {
    const NONE: Self = Self {
        resent: false,
        promoted: false,
        cancel_invite: false,
        event_cancelled: false,
    };
    const RESENT: Self = Self {
        resent: true,
        ..Self::NONE
    };
    const PROMOTED: Self = Self {
        promoted: true,
        ..Self::NONE
    };
    const WITH_CANCEL_INVITE: Self = Self {
        cancel_invite: true,
        ..Self::NONE
    };
}

#[derive(Serialize)]
struct RegistrationMail<'a> {
    lang: &'static str,
    name: &'a str,
    event_title: &'a str,
    date: String,
    time: String,
    location: &'a str,
    event_url: String,
    manage_url: Option<String>,
    waitlist_position: Option<u64>,
    resent: bool,
    promoted: bool,
    calendar_attached: bool,
    event_cancelled: bool,
    /// A QR code (HTML table) for staff to scan at the door.
    check_in_qr: Option<String>,
}

async fn queue_mail(
    txn: &DatabaseTransaction,
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
) -> Result<(), AppError> {
    let lang = Lang::parse(&reg.lang).unwrap_or_default();
    let title = match lang {
        Lang::Nl => &event.title_nl,
        Lang::En => &event.title_en,
    };
    let event_url = services.link(&format!("/events/{}?lang={}", event.slug, lang.code()));
    let manage_url = match kind {
        MailKind::Cancelled => None,
        _ => {
            let token = tokens::issue(txn, tokens::MANAGE_REGISTRATION, reg.id, None).await?;
            Some(services.link(&format!("/manage/{token}")))
        }
    };
    let invite = ics::Invite {
        uid: format!("registration-{}@{}", reg.id, services.mail_host()),
        sequence: reg.ics_sequence,
        title,
        description: &event_url,
        location: &event.location,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        organiser_email: &services.mail_from_address(),
        attendee_name: &reg.name,
        attendee_email: &reg.email,
        url: &event_url,
    };
    let (template, ics) = match kind {
        MailKind::Reminder => (
            "registration_reminder",
            Some(ics::render(&invite, ics::Method::Request)),
        ),
        MailKind::Confirmed => (
            "registration_confirmed",
            Some(ics::render(&invite, ics::Method::Request)),
        ),
        MailKind::Waitlisted => (
            "registration_waitlisted",
            flags
                .cancel_invite
                .then(|| ics::render(&invite, ics::Method::Cancel)),
        ),
        MailKind::Cancelled => (
            "registration_cancelled",
            flags
                .cancel_invite
                .then(|| ics::render(&invite, ics::Method::Cancel)),
        ),
    };
    let check_in_qr = match kind {
        MailKind::Confirmed | MailKind::Reminder => {
            let token = tokens::issue(txn, tokens::CHECK_IN, reg.id, Some(event.ends_at)).await?;
            crate::mail::qr::html_table(&services.link(&format!("/admin/checkin/{token}")))
        }
        _ => None,
    };
    let context = RegistrationMail {
        check_in_qr,
        lang: lang.code(),
        name: &reg.name,
        event_title: title,
        date: format::long_date(event.starts_at, lang),
        time: format::time_range(event.starts_at, event.ends_at),
        location: &event.location,
        event_url: event_url.clone(),
        manage_url,
        waitlist_position: waitlist_position(txn, reg).await?,
        resent: flags.resent,
        promoted: flags.promoted,
        calendar_attached: ics.is_some(),
        event_cancelled: flags.event_cancelled,
    };
    enqueue(
        txn,
        &services.views,
        NewMail {
            kind: template,
            recipient: &reg.email,
            context: &context,
            ics,
            event_id: Some(event.id),
            registration_id: Some(reg.id),
        },
    )
    .await
}
