//! Staff correcting a register entry: adding a domain to an organisation
//! (never a free-mail or platform one, and only after seeing which open
//! applications it would change), removing one, setting the sector or an
//! alias. Each is stored as a correction that later imports apply again.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::admin::{checked, store_and_apply};
use crate::domain::{CorrectionAction, ParseError};
use crate::entities::{organisation, organisation_domain};
use crate::error::AppError;
use crate::services::applications::{redecide_for_domain, Redecided};
use crate::services::Services;

#[derive(Debug, Serialize)]
pub struct DomainChange {
    pub organisation_id: Uuid,
    pub organisation: String,
    pub domain: String,
    pub reason: String,
    /// Open applications whose decision the new domain changes.
    pub affected: Vec<Redecided>,
    /// Whether it was stored (or only shown).
    pub done: bool,
}

/// Adds `raw` as a domain of the organisation. Without `confirm` nothing is
/// stored: the change is made in a transaction that is rolled back, so the
/// preview shows exactly what confirming will do.
pub async fn add_domain(
    services: &Services,
    id: Uuid,
    raw: &str,
    reason: &str,
    staff: &str,
    confirm: bool,
) -> Result<DomainChange, AppError> {
    let (domain, reason) = checked(CorrectionAction::AddDomain, raw, reason)?;
    let txn = crate::db::begin_write(&services.db).await?;
    let org = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let known = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(id))
        .filter(organisation_domain::Column::Domain.eq(domain.as_str()))
        .one(&txn)
        .await?;
    if known.is_some() {
        return Err(AppError::Validation(
            [("value", ParseError("domain-known"))].into(),
        ));
    }
    store_and_apply(
        &txn,
        &org,
        CorrectionAction::AddDomain,
        &domain,
        &reason,
        staff,
    )
    .await?;
    let affected = redecide_for_domain(&txn, &domain).await?;
    if confirm {
        txn.commit().await?;
    }
    // Unconfirmed, the transaction is dropped here: rolled back.
    Ok(DomainChange {
        organisation_id: org.id,
        organisation: org.name,
        domain,
        reason,
        affected,
        done: confirm,
    })
}

/// Removes a domain, sets the sector (`review` takes it away) or adds an
/// alias. Decisions already taken stay; later ones follow the register.
pub async fn correct(
    services: &Services,
    id: Uuid,
    action: CorrectionAction,
    value: &str,
    reason: &str,
    staff: &str,
) -> Result<(), AppError> {
    if action == CorrectionAction::AddDomain {
        return add_domain(services, id, value, reason, staff, true)
            .await
            .map(drop);
    }
    let (value, reason) = checked(action, value, reason)?;
    let txn = crate::db::begin_write(&services.db).await?;
    let org = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if action == CorrectionAction::RemoveDomain {
        let known = organisation_domain::Entity::find()
            .filter(organisation_domain::Column::OrganisationId.eq(id))
            .filter(organisation_domain::Column::Domain.eq(value.as_str()))
            .one(&txn)
            .await?;
        if known.is_none() {
            return Err(AppError::Validation(
                [("value", ParseError("domain-unknown"))].into(),
            ));
        }
    }
    store_and_apply(&txn, &org, action, &value, &reason, staff).await?;
    txn.commit().await?;
    Ok(())
}
