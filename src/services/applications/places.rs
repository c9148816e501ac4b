//! One place per organisation and pilot. It is held by an application that
//! is verified (`submitted` or `accepted`) and trusted (the register
//! confirmed it, or staff vouched for it), and by nothing else: an
//! unverified or unconfirmed application never blocks anyone, and expires
//! after the verification period. Later applications of the organisation
//! point at the holder for staff to merge or refuse.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::db::WriteTxn;
use crate::domain::{ApplicationStatus, EligibilityDecision, TokenPurpose};
use crate::entities::{access_token, application_transition, pilot_application};
use crate::error::AppError;

/// Whether this application may hold its organisation's place.
pub(super) fn can_hold(a: &pilot_application::Model) -> bool {
    matches!(
        a.status,
        ApplicationStatus::Submitted | ApplicationStatus::Accepted
    ) && a.eligibility_decision == EligibilityDecision::Eligible
}

/// The application holding the place of `key` in `pilot`, if any.
pub(super) async fn holder(
    db: &impl ConnectionTrait,
    pilot: Uuid,
    key: &str,
) -> Result<Option<pilot_application::Model>, AppError> {
    Ok(pilot_application::Entity::find()
        .filter(pilot_application::Column::PilotId.eq(pilot))
        .filter(pilot_application::Column::OrganisationKey.eq(key))
        .filter(pilot_application::Column::HoldsPlace.eq(true))
        .one(db)
        .await?)
}

/// Locks every application of `key` in `pilot` until the transaction ends,
/// so two applications confirmed at the same moment cannot both take the
/// place (PostgreSQL; SQLite's write transaction already keeps every other
/// writer out).
pub(super) async fn lock(txn: &WriteTxn, pilot: Uuid, key: &str) -> Result<(), AppError> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        pilot_application::Entity::find()
            .filter(pilot_application::Column::PilotId.eq(pilot))
            .filter(pilot_application::Column::OrganisationKey.eq(key))
            .order_by_asc(pilot_application::Column::Id)
            .lock_exclusive()
            .all(txn)
            .await?;
    }
    Ok(())
}

/// Puts the place of `key` in `pilot` where it belongs after a change: a
/// holder that can no longer hold it lets go; without a holder, the
/// earliest verified trusted application takes it (an accepted one
/// first); every other open application of the organisation points at the
/// holder. Runs inside the change's transaction.
pub(super) async fn settle(txn: &WriteTxn, pilot: Uuid, key: &str) -> Result<(), AppError> {
    let mut all = pilot_application::Entity::find()
        .filter(pilot_application::Column::PilotId.eq(pilot))
        .filter(pilot_application::Column::OrganisationKey.eq(key))
        .order_by_asc(pilot_application::Column::VerifiedAt)
        .order_by_asc(pilot_application::Column::CreatedAt)
        .all(txn)
        .await?;
    // Let go first: the unique index allows one holder at any moment.
    for a in all.iter_mut().filter(|a| a.holds_place && !can_hold(a)) {
        *a = set(txn, a.clone(), false, None).await?;
    }
    let holder = match all.iter().find(|a| a.holds_place) {
        Some(h) => Some(h.id),
        None => {
            let next = all
                .iter()
                .filter(|a| can_hold(a))
                .min_by_key(|a| a.status != ApplicationStatus::Accepted)
                .cloned();
            match next {
                Some(next) => Some(set(txn, next, true, None).await?.id),
                None => None,
            }
        }
    };
    for a in all
        .into_iter()
        .filter(|a| !a.holds_place && Some(a.id) != holder)
    {
        let points_at = if a.status.is_open() || a.status == ApplicationStatus::Accepted {
            holder
        } else {
            a.duplicate_of
        };
        if a.duplicate_of != points_at {
            set(txn, a, false, points_at).await?;
        }
    }
    Ok(())
}

async fn set(
    txn: &WriteTxn,
    a: pilot_application::Model,
    holds: bool,
    duplicate_of: Option<Uuid>,
) -> Result<pilot_application::Model, AppError> {
    let mut active: pilot_application::ActiveModel = a.into();
    active.holds_place = Set(holds);
    active.duplicate_of = Set(if holds { None } else { duplicate_of });
    Ok(active.update(txn).await?)
}

/// Unverified applications whose verification link has run out become
/// `expired`: the applicant can no longer confirm them. Returns how many.
pub async fn expire_unverified(
    txn: &WriteTxn,
    now: DateTime<Utc>,
    valid_for: chrono::Duration,
) -> Result<u64, AppError> {
    let stale: Vec<pilot_application::Model> = pilot_application::Entity::find()
        .filter(pilot_application::Column::Status.eq(ApplicationStatus::Unverified))
        .filter(pilot_application::Column::CreatedAt.lt(now - valid_for))
        .all(txn)
        .await?;
    if stale.is_empty() {
        return Ok(0);
    }
    // A link sent again later keeps its application alive until it runs out.
    let alive: Vec<Uuid> = access_token::Entity::find()
        .filter(access_token::Column::Purpose.eq(TokenPurpose::VerifyApplication))
        .filter(access_token::Column::SubjectId.is_in(stale.iter().map(|a| a.id)))
        .filter(access_token::Column::ExpiresAt.gt(now))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| t.subject_id)
        .collect();
    let mut expired = 0;
    for a in stale.into_iter().filter(|a| !alive.contains(&a.id)) {
        let mut active: pilot_application::ActiveModel = a.clone().into();
        active.status = Set(ApplicationStatus::Expired);
        active.duplicate_of = Set(None);
        active.updated_at = Set(now);
        active.update(txn).await?;
        application_transition::ActiveModel {
            application_id: Set(a.id),
            from_status: Set(Some(ApplicationStatus::Unverified)),
            to_status: Set(ApplicationStatus::Expired),
            actor: Set("system".into()),
            reason: Set(Some("verification period over".into())),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        expired += 1;
    }
    Ok(expired)
}
