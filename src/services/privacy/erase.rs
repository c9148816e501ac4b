//! Erasure on request (AVG art. 17): by the person through their link, or
//! by staff on their behalf. Everything [`super::PERSONAL_DATA`] lists goes
//! in one transaction; nothing is mailed to an address being forgotten.
use uuid::Uuid;

use super::scrub;
use crate::db::EventKey;
use crate::domain::{ApplicationStatus, TokenPurpose};
use crate::entities::pilot_application;
use crate::error::AppError;
use crate::services::registrations::LockedEvent;
use crate::services::{audit, tokens, Services};

/// Who asked for the erasure, as the audit log names them.
const THE_PERSON: &str = "attendee";
const THE_APPLICANT: &str = "applicant";

/// The person behind a manage link erases their sign-up: the seat is
/// freed (the waiting list moves up) and the person removed, link and all.
pub async fn erase_by_manage_token(services: &Services, token: &str) -> Result<(), AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
        .await?
        .ok_or(AppError::NotFound)?;
    erase_registration(services, id, THE_PERSON).await
}

/// Staff erase a person on request (a phone call, a letter).
pub async fn erase_by_staff(services: &Services, id: Uuid, staff: &str) -> Result<(), AppError> {
    erase_registration(services, id, staff).await
}

async fn erase_registration(services: &Services, id: Uuid, actor: &str) -> Result<(), AppError> {
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let address = locked.erase(id).await?;
    let subject = format!("registration {id}");
    audit::record(
        locked.txn(),
        actor,
        "registration.erase",
        &subject,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    locked.commit().await?;
    if let (Some(dir), Some(address)) = (&services.mail_dir, address) {
        scrub::mail_files(dir, &address);
    }
    Ok(())
}

/// An applicant erases their application through their personal link: it
/// is withdrawn and the person removed; the organisation stays, and so
/// does a partnership that came from it.
pub async fn erase_application_by_token(services: &Services, token: &str) -> Result<(), AppError> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let id = tokens::resolve(&services.db, TokenPurpose::ManageApplication, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let txn = crate::db::begin_write(&services.db).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let address = application.email.clone();
    if application.status != ApplicationStatus::Withdrawn {
        let mut active: pilot_application::ActiveModel = application.into();
        active.status = Set(ApplicationStatus::Withdrawn);
        active.updated_at = Set(chrono::Utc::now());
        active.update(&txn).await?;
    }
    scrub::applications(&txn, &[id]).await?;
    let subject = format!("application {id}");
    audit::record(
        &txn,
        THE_APPLICANT,
        "application.erase",
        &subject,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    if let Some(dir) = &services.mail_dir {
        scrub::mail_files(dir, &address);
    }
    Ok(())
}

impl LockedEvent<'_> {
    /// Frees the seat of a sign-up without a mail and removes the person;
    /// returns the address that was erased, for the mail files.
    pub async fn erase(&mut self, id: Uuid) -> Result<Option<String>, AppError> {
        let address = self.cancel_quietly(id).await?;
        scrub::registrations(self.txn(), &[id]).await?;
        Ok(address)
    }

    /// Removes the people of these sign-ups of a past meeting, for the
    /// purge: nobody moves up any more, so only their data changes.
    pub(super) async fn forget(&mut self, ids: &[Uuid]) -> Result<scrub::Scrubbed, AppError> {
        scrub::registrations(self.txn(), ids).await
    }
}

/// Opens the event of a past meeting for the purge.
pub(super) async fn lock_event<'s>(
    services: &'s Services,
    event_id: Uuid,
) -> Result<Option<LockedEvent<'s>>, AppError> {
    LockedEvent::open(services, EventKey::Id(event_id)).await
}
