//! Retention (AVG/GDPR): personal data is anonymised a set time after it
//! is needed, and people can have their sign-up erased themselves.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::registrations::LockedEvent;
use super::{tokens, Services};
use crate::db::WriteTxn;
use crate::domain::TokenPurpose;
use crate::entities::{access_token, event, outbox, pilot_application, registration};
use crate::error::AppError;

/// Marks an address as anonymised; `.invalid` can never receive mail.
pub const ANONYMISED_DOMAIN: &str = "anonymised.invalid";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub registrations: u64,
    pub applications: u64,
    pub mails: u64,
}

/// Replaces the personal data of a registration and drops what links to it.
async fn anonymise_registrations(db: &WriteTxn, ids: &[Uuid]) -> Result<u64, AppError> {
    if ids.is_empty() {
        return Ok(0);
    }
    for id in ids {
        registration::Entity::update_many()
            .col_expr(registration::Column::Name, Expr::value("—"))
            .col_expr(
                registration::Column::Email,
                Expr::value(format!("{id}@{ANONYMISED_DOMAIN}")),
            )
            .col_expr(
                registration::Column::JobTitle,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                registration::Column::Remarks,
                Expr::value(Option::<String>::None),
            )
            .filter(registration::Column::Id.eq(*id))
            .exec(db)
            .await?;
    }
    access_token::Entity::delete_many()
        .filter(access_token::Column::SubjectId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(ids.len() as u64)
}

/// Anonymises sign-ups of events that ended more than `sign_up_days` ago,
/// pilot applications older than `application_days`, and sent or failed
/// mail older than `sign_up_days`. Running it again changes nothing.
pub async fn purge(
    services: &Services,
    now: DateTime<Utc>,
    sign_up_days: i64,
    application_days: i64,
) -> Result<Purged, AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let cutoff = now - Duration::days(sign_up_days);
    let old_events: Vec<Uuid> = event::Entity::find()
        .filter(event::Column::EndsAt.lt(cutoff))
        .all(&txn)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let ids: Vec<Uuid> = registration::Entity::find()
        .filter(registration::Column::EventId.is_in(old_events))
        .filter(registration::Column::Email.not_like(format!("%@{ANONYMISED_DOMAIN}")))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let registrations = anonymise_registrations(&txn, &ids).await?;

    let application_cutoff = now - Duration::days(application_days);
    let applications = pilot_application::Entity::update_many()
        .col_expr(pilot_application::Column::ContactName, Expr::value("—"))
        .col_expr(
            pilot_application::Column::Email,
            Expr::value(format!("anonymised@{ANONYMISED_DOMAIN}")),
        )
        .col_expr(
            pilot_application::Column::Phone,
            Expr::value(Option::<String>::None),
        )
        .filter(pilot_application::Column::CreatedAt.lt(application_cutoff))
        .filter(pilot_application::Column::ContactName.ne("—"))
        .exec(&txn)
        .await?
        .rows_affected;

    let mails = outbox::Entity::delete_many()
        .filter(outbox::Column::CreatedAt.lt(cutoff))
        .filter(
            outbox::Column::Status
                .is_in([outbox::OutboxStatus::Sent, outbox::OutboxStatus::Failed]),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(Purged {
        registrations,
        applications,
        mails,
    })
}

/// The person behind a manage link erases their sign-up: it is cancelled
/// (so the waiting list moves up) and anonymised, link and all, in one
/// transaction under the event's lock.
pub async fn erase_by_manage_token(services: &Services, token: &str) -> Result<(), AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match locked.cancel(id, None).await {
        // An event that already took place cannot be cancelled; erase anyway.
        Ok(_) | Err(AppError::Closed) => {}
        Err(e) => return Err(e),
    }
    anonymise_registrations(locked.txn(), &[id]).await?;
    outbox::Entity::delete_many()
        .filter(outbox::Column::RegistrationId.eq(id))
        .filter(
            outbox::Column::Status
                .is_in([outbox::OutboxStatus::Sent, outbox::OutboxStatus::Failed]),
        )
        .exec(locked.txn())
        .await?;
    locked.commit().await
}
