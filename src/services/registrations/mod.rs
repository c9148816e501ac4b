//! Signing up, cancelling and serving the waiting list. Every change to an
//! event's registrations goes through one [`LockedEvent`]: one transaction
//! that holds the event lock, so seat counts never race and positions never
//! skip; what happens to each person is decided in [`decide`].
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

pub mod decide;
mod details;
pub mod door;
mod locked;
mod mail;
mod meeting_change;
mod message;
mod queue;
mod sign_up;

pub use details::{change_details, DetailsInput, MANAGE_LINK};
pub use door::CheckedIn;
pub use locked::LockedEvent;
pub use meeting_change::{changes as meeting_changes, ChangeLine, Meeting, Reach};
pub use message::reaches;
pub use queue::{BatchStats, SignUpQueue};
use sign_up::{Done, SignUp};

use super::events::SeatCounts;
use super::{eligibility, tokens, Services};
use crate::domain::{NewRegistration, RegistrationStatus, TokenPurpose};
use crate::entities::{event, event_seats, registration};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled,
    WasAlreadyCancelled,
}

/// Cancels through the manage link; a freed seat goes to the first person
/// on the waiting list within the same transaction.
pub async fn cancel(services: &Services, token: &str) -> Result<CancelOutcome, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
        .await?
        .ok_or(AppError::NotFound)?;
    cancel_by_id(services, id, None).await
}

/// Cancels a registration; `staff` names who did it on the person's behalf.
pub async fn cancel_by_id(
    services: &Services,
    id: Uuid,
    staff: Option<&str>,
) -> Result<CancelOutcome, AppError> {
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = locked.cancel(id, staff).await?;
    locked.commit().await?;
    Ok(outcome)
}

/// An organiser moves someone between the waiting list and the confirmed list.
pub async fn move_registration(
    services: &Services,
    id: Uuid,
    to: RegistrationStatus,
    staff: &str,
) -> Result<(), AppError> {
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    locked.move_to(id, to, staff).await?;
    locked.commit().await
}

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
/// eligibility check, but not past the seats (more seats first). Sign-ups
/// arriving together share one transaction (see [`queue`]).
pub async fn register_as(
    services: &Services,
    slug: &str,
    new: NewRegistration,
    by_staff: Option<&str>,
) -> Result<Registered, AppError> {
    let eligibility = match by_staff {
        None => eligibility_before_the_lock(services, slug, &new).await?,
        Some(_) => None,
    };
    let sign_up = SignUp {
        slug: slug.to_owned(),
        new,
        by_staff: by_staff.map(str::to_owned),
        eligibility,
    };
    match services.sign_ups.submit(services, sign_up).await? {
        Done::Registered(registered) => Ok(registered),
        Done::Replayed(id) => status_of(services, id).await,
    }
}

/// The register check of a public-sector event, done before the sign-up
/// queues for the event lock: it reads only the register, and its queries
/// would otherwise run one sign-up after another under the lock. Whether the
/// event is public-sector-only is known from its last batch; a batch that
/// finds it so without an answer asks under the lock.
async fn eligibility_before_the_lock(
    services: &Services,
    slug: &str,
    new: &NewRegistration,
) -> Result<Option<eligibility::Decision>, AppError> {
    if !services.sign_ups.seems_public_sector_only(slug) {
        return Ok(None);
    }
    Ok(Some(
        eligibility::decide(&services.db, register_claim(new)).await?,
    ))
}

/// What a sign-up tells the register check: a meeting's form has no
/// register picker, so the organisation is looked up by the name typed.
fn register_claim(new: &NewRegistration) -> eligibility::Claim<'_> {
    eligibility::Claim {
        organisation_id: None,
        organisation_name: new.organisation.as_str(),
        sector: new.sector,
        email: &new.email,
        sectors: crate::domain::PilotSectors::all_public(),
    }
}

/// Seats taken and the next queue number, read from the counters the
/// database keeps (migration 13). The caller holds the event lock, so no
/// other sign-up changes them before it commits.
pub(super) async fn seats_and_next_number(
    txn: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<(SeatCounts, i64), DbErr> {
    let row = event_seats::Entity::find_by_id(event_id).one(txn).await?;
    let counts = row.as_ref().map(SeatCounts::from).unwrap_or_default();
    let last = row.map_or(0, |row| row.last_queue_number);
    Ok((counts, last + 1))
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
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
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
        sector: reg.sector.code().to_owned(),
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
