//! Moving an application from one status to another: recorded (who, when,
//! why), mailed, and followed by putting the organisation's place where it
//! belongs, all in one transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::mail::queue_status_mail;
use super::{places, APPLICANT};
use crate::db::WriteTxn;
use crate::domain::{ApplicationStatus, EligibilityDecision};
use crate::entities::{application_transition, pilot, pilot_application};
use crate::error::AppError;
use crate::services::{audit, Services};

pub(super) async fn record(
    txn: &WriteTxn,
    application: &pilot_application::Model,
    from: Option<ApplicationStatus>,
    actor: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    application_transition::ActiveModel {
        application_id: Set(application.id),
        from_status: Set(from),
        to_status: Set(application.status),
        actor: Set(actor.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Moves an application to `to`, if `allowed_from` holds its status now.
pub(super) async fn transition(
    services: &Services,
    id: Uuid,
    allowed_from: &[ApplicationStatus],
    to: ApplicationStatus,
    actor: &str,
    reason: Option<&str>,
) -> Result<pilot_application::Model, AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let application = locked(&txn, id).await?;
    if application.status == to {
        return Ok(application);
    }
    if !allowed_from.contains(&application.status) {
        return Err(AppError::Conflict("error-application-state"));
    }
    if to == ApplicationStatus::Accepted {
        check_can_accept(&txn, &application).await?;
    }
    let from = application.status;
    let now = Utc::now();
    let (pilot_id, key) = (application.pilot_id, application.organisation_key.clone());
    let mut active: pilot_application::ActiveModel = application.into();
    active.status = Set(to);
    active.updated_at = Set(now);
    if from == ApplicationStatus::Unverified && to == ApplicationStatus::Submitted {
        active.verified_at = Set(Some(now));
    }
    active.update(&txn).await?;
    places::settle(&txn, pilot_id, &key).await?;
    let updated = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    record(&txn, &updated, Some(from), actor, reason).await?;
    if actor != APPLICANT {
        let after = serde_json::json!({"status": updated.status, "message": reason});
        let subject = format!("application {id}");
        audit::record(
            &txn,
            actor,
            "application.decide",
            &subject,
            None::<&()>,
            Some(&after),
        )
        .await?;
    }
    queue_status_mail(&txn, services, &updated, reason).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(updated)
}

/// The application, read again after its organisation's applications are
/// locked (`places::lock`).
pub(super) async fn locked(txn: &WriteTxn, id: Uuid) -> Result<pilot_application::Model, AppError> {
    let first = pilot_application::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    places::lock(txn, first.pilot_id, &first.organisation_key).await?;
    pilot_application::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Only the application holding its organisation's place can be accepted,
/// and only while the pilot has room.
async fn check_can_accept(
    txn: &WriteTxn,
    application: &pilot_application::Model,
) -> Result<(), AppError> {
    if application.eligibility_decision != EligibilityDecision::Eligible {
        return Err(AppError::Conflict("error-application-not-confirmed"));
    }
    if !application.holds_place {
        return Err(AppError::Conflict("error-application-second"));
    }
    // The pilot's row is locked so that two acceptances for different
    // organisations, or an edit of its places, cannot pass the count at once.
    let pilot =
        crate::services::pilot_admin::locked(txn, pilot::Entity::find_by_id(application.pilot_id))
            .await?
            .ok_or(AppError::NotFound)?;
    let accepted = pilot_application::Entity::find()
        .filter(pilot_application::Column::PilotId.eq(pilot.id))
        .filter(pilot_application::Column::Status.eq(ApplicationStatus::Accepted))
        .count(txn)
        .await?;
    if accepted >= u64::try_from(pilot.max_participants).unwrap_or(0) {
        return Err(AppError::Full);
    }
    Ok(())
}
