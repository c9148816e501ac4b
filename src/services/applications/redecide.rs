//! Judging open applications again after the register changed (staff
//! added a domain to an organisation).
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::places;
use crate::domain::{ApplicationStatus, EligibilityDecision, Lang, PilotSectors};
use crate::entities::{pilot, pilot_application};
use crate::error::AppError;

/// An open application whose decision a register change alters.
#[derive(Debug, Clone, Serialize)]
pub struct Redecided {
    pub id: Uuid,
    pub pilot: String,
    pub email_domain: String,
    pub before: EligibilityDecision,
    pub organisation_before: String,
    pub after: EligibilityDecision,
    pub organisation_after: String,
    pub reason_after: String,
}

/// Judges every open "needs review" application with an address at
/// `domain` (or a subdomain) again, as the register stands inside `txn`,
/// and stores what changed. A preview calls this in a transaction it then
/// drops, so nothing changes.
pub async fn redecide_for_domain(
    txn: &crate::db::WriteTxn,
    domain: &str,
) -> Result<Vec<Redecided>, AppError> {
    let open = pilot_application::Entity::find()
        .filter(
            pilot_application::Column::Status
                .is_in([ApplicationStatus::Unverified, ApplicationStatus::Submitted]),
        )
        .filter(pilot_application::Column::EligibilityDecision.eq(EligibilityDecision::NeedsReview))
        .filter(pilot_application::Column::Email.like(format!("%{domain}")))
        .all(txn)
        .await?;
    let pilots: std::collections::HashMap<Uuid, pilot::Model> = pilot::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut changed = Vec::new();
    for a in open {
        let email_domain = a
            .email
            .rsplit_once('@')
            .map(|(_, d)| d.to_owned())
            .unwrap_or_default();
        if email_domain != domain && !email_domain.ends_with(&format!(".{domain}")) {
            continue;
        }
        let Ok(email) = crate::domain::Email::parse(&a.email) else {
            continue;
        };
        let typed = a
            .typed_organisation
            .clone()
            .unwrap_or_else(|| a.organisation_name.clone());
        let decision = crate::services::eligibility::decide(
            txn,
            crate::services::eligibility::Claim {
                organisation_id: None,
                organisation_name: &typed,
                sector: a.sector,
                email: &email,
                sectors: pilots
                    .get(&a.pilot_id)
                    .map_or_else(PilotSectors::all_public, |p| p.sectors.clone()),
            },
        )
        .await?;
        if decision.decision == a.eligibility_decision {
            continue;
        }
        let organisation_after = decision
            .organisation
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_else(|| typed.clone());
        changed.push(Redecided {
            id: a.id,
            pilot: pilots
                .get(&a.pilot_id)
                .map(|p| p.title_nl.clone())
                .unwrap_or_default(),
            email_domain,
            before: a.eligibility_decision,
            organisation_before: a.organisation_name.clone(),
            after: decision.decision,
            organisation_after: organisation_after.clone(),
            reason_after: decision.reason(Lang::Nl),
        });
        let old_key = a.organisation_key.clone();
        let new_key = match &decision.organisation {
            Some(org) => format!("org:{}", org.id),
            None => old_key.clone(),
        };
        let pilot_id = a.pilot_id;
        let mut active: pilot_application::ActiveModel = a.into();
        active.eligibility_decision = Set(decision.decision);
        active.eligibility_reason = Set(decision.reason(Lang::Nl));
        active.organisation_id = Set(decision.organisation.as_ref().map(|o| o.id));
        active.typed_organisation = Set((typed != organisation_after).then_some(typed));
        active.organisation_name = Set(organisation_after);
        active.organisation_key = Set(new_key.clone());
        active.updated_at = Set(Utc::now());
        active.update(txn).await?;
        places::settle(txn, pilot_id, &old_key).await?;
        if new_key != old_key {
            places::settle(txn, pilot_id, &new_key).await?;
        }
    }
    Ok(changed)
}
