//! Staff reviewing pilot applications: the list with eligibility reasons,
//! its export, and vouching for an organisation the register lacks.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::Lang;
use crate::domain::{ApplicationStatus, EligibilityDecision};
use crate::entities::pilot;
use crate::entities::pilot_application;
use crate::error::AppError;
use crate::services::Services;

/// An application as staff review it.
#[derive(Debug, Serialize)]
pub struct ReviewRow {
    pub id: Uuid,
    pub pilot: String,
    pub organisation: String,
    pub sector: String,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub current_suppliers: String,
    pub market_partner: Option<String>,
    pub motivation: String,
    pub expected_jobs: i32,
    pub status: ApplicationStatus,
    pub decision: EligibilityDecision,
    pub reason: String,
    pub created_at: String,
}

/// All applications, newest first, with their pilot's title.
pub async fn for_review(db: &impl ConnectionTrait) -> Result<Vec<ReviewRow>, AppError> {
    use sea_orm::QueryOrder;
    let pilots: std::collections::HashMap<Uuid, String> = pilot::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title_nl))
        .collect();
    let rows = pilot_application::Entity::find()
        .order_by_desc(pilot_application::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| ReviewRow {
            id: a.id,
            pilot: pilots.get(&a.pilot_id).cloned().unwrap_or_default(),
            status: a.status,
            decision: a.eligibility_decision,
            created_at: crate::services::events::amsterdam(a.created_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            organisation: a.organisation_name,
            sector: a.sector.code().to_owned(),
            contact_name: a.contact_name,
            email: a.email,
            phone: a.phone,
            current_suppliers: a.current_suppliers,
            market_partner: a.market_partner,
            motivation: a.motivation,
            expected_jobs: a.expected_jobs,
            reason: a.eligibility_reason,
        })
        .collect())
}

pub fn export_table(rows: &[ReviewRow]) -> crate::export::Table {
    crate::export::Table {
        sheet_name: "Aanmeldingen proeftuinen".into(),
        headers: [
            "Proeftuin",
            "Organisatie",
            "Sector",
            "Contactpersoon",
            "E-mail",
            "Telefoon",
            "Huidige leveranciers",
            "Marktpartij",
            "Motivatie",
            "Verwachte banen",
            "Status",
            "Beoordeling",
            "Reden",
            "Ontvangen",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.pilot.clone(),
                    r.organisation.clone(),
                    r.sector.clone(),
                    r.contact_name.clone(),
                    r.email.clone(),
                    r.phone.clone().unwrap_or_default(),
                    r.current_suppliers.clone(),
                    r.market_partner.clone().unwrap_or_default(),
                    r.motivation.clone(),
                    r.expected_jobs.to_string(),
                    r.status.as_str().to_owned(),
                    r.decision.as_str().to_owned(),
                    r.reason.clone(),
                    r.created_at.clone(),
                ]
            })
            .collect(),
    }
}

/// Staff vouch for the organisation behind a "needs review" application:
/// it enters the register (source `staff`) with the contact's mail domain,
/// or gets its sector there if it was an entry without one (`rwt`). The
/// application becomes eligible; the change is audited.
pub async fn verify_organisation(
    services: &Services,
    id: Uuid,
    staff: &str,
) -> Result<pilot_application::Model, AppError> {
    use crate::entities::organisation::{self, OrganisationSource};
    use crate::entities::organisation_domain;

    let txn = crate::db::begin_write(&services.db).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if application.eligibility_decision != EligibilityDecision::NeedsReview {
        return Err(AppError::Conflict("error-application-state"));
    }
    let now = Utc::now();
    let linked = match application.organisation_id {
        Some(org_id) => organisation::Entity::find_by_id(org_id).one(&txn).await?,
        None => None,
    };
    let org = match linked {
        Some(org) => {
            let mut active: organisation::ActiveModel = org.into();
            active.sector = Set(Some(application.sector));
            active.source = Set(OrganisationSource::Staff);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            organisation::ActiveModel {
                id: Set(Uuid::new_v4()),
                name: Set(application.organisation_name.clone()),
                abbreviation: Set(None),
                kind: Set("staff".into()),
                sector: Set(Some(application.sector)),
                oin: Set(None),
                kvk: Set(None),
                organisation_code: Set(None),
                register_id: Set(None),
                website_domain: Set(None),
                source: Set(OrganisationSource::Staff),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
                dataset: Set(None),
                public_employer: Set(None),
                cao: Set(None),
                sector_basis: Set(Some("staff".into())),
                successor_id: Set(None),
            }
            .insert(&txn)
            .await?
        }
    };
    let domain = application
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_owned())
        .unwrap_or_default();
    let known = organisation_domain::Entity::find_by_id((domain.clone(), org.id))
        .one(&txn)
        .await?;
    if known.is_none() && !domain.is_empty() {
        organisation_domain::ActiveModel {
            domain: Set(domain),
            organisation_id: Set(org.id),
            source: Set(crate::domain::DomainSource::Staff),
        }
        .insert(&txn)
        .await?;
    }
    let mut active: pilot_application::ActiveModel = application.into();
    active.organisation_id = Set(Some(org.id));
    active.organisation_key = Set(format!("org:{}", org.id));
    active.eligibility_decision = Set(EligibilityDecision::Eligible);
    active.eligibility_reason = Set(crate::i18n::text_with(
        Lang::Nl,
        "eligibility-verified-by-staff",
        &[("staff", staff.to_owned())],
    ));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Duplicate,
        _ => AppError::from(e),
    })?;
    let after = serde_json::json!({"organisation": org.name, "sector": org.sector.map(|s| s.code()), "source": "staff"});
    crate::services::audit::record(
        &txn,
        staff,
        "organisation.verify",
        &format!("application {id}"),
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What an accepted application brings to a new partnership: the buyer
/// from the register and the pilot's procurement category.
pub async fn partnership_from(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<crate::services::partnerships::NewPartnership, AppError> {
    let application = pilot_application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if application.status != ApplicationStatus::Accepted {
        return Err(AppError::Conflict("error-application-state"));
    }
    let buyer = application
        .organisation_id
        .ok_or(AppError::Conflict("error-buyer-not-public"))?;
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::services::partnerships::NewPartnership {
        buyer_organisation_id: buyer,
        supplier_name: application
            .market_partner
            .clone()
            .unwrap_or_else(|| application.current_suppliers.chars().take(300).collect()),
        supplier_kvk: None,
        category: pilot.category,
        planned: crate::domain::HoursPerWeek::new(
            f64::from(application.expected_jobs) * crate::domain::HOURS_PER_JOB,
        ),
        notes: format!("Uit aanmelding voor {}", pilot.title_nl),
        application_id: Some(application.id),
    })
}
