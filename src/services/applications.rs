//! Applying for a pilot: the eligibility decision, e-mail verification and
//! the status workflow `unverified -> submitted -> accepted | rejected |
//! withdrawn`. Every transition is recorded and mailed through the outbox.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::eligibility::{self, Claim, Decision};
use super::pilots::is_open;
use super::{tokens, Services};
use crate::domain::{Lang, NewApplication};
use crate::entities::application_transition;
use crate::entities::pilot::{self, PilotStatus};
use crate::entities::pilot_application::{self, ApplicationStatus, EligibilityDecision};
use crate::error::AppError;
use crate::mail::outbox::{enqueue, NewMail};

pub const VERIFY_APPLICATION: &str = "verify_application";
pub const MANAGE_APPLICATION: &str = "manage_application";
const VERIFICATION_VALID_FOR: Duration = Duration::hours(72);

#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub id: Uuid,
    pub status: ApplicationStatus,
    pub eligibility: EligibilityView,
}

#[derive(Debug, Clone, Serialize)]
pub struct EligibilityView {
    pub decision: EligibilityDecision,
    pub reason: String,
}

fn organisation_key(decision: &Decision, typed_name: &str) -> String {
    match &decision.organisation {
        Some(org) => format!("org:{}", org.id),
        None => {
            let normalised: String = typed_name
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("name:{normalised}")
        }
    }
}

pub async fn apply(
    services: &Services,
    slug: &str,
    new: NewApplication,
) -> Result<Applied, AppError> {
    let pilot = pilot::Entity::find()
        .filter(pilot::Column::Slug.eq(slug))
        .filter(pilot::Column::Status.ne(PilotStatus::Draft))
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !is_open(&pilot, Utc::now()) {
        return Err(AppError::Closed);
    }
    let decision = eligibility::decide(
        &services.db,
        Claim {
            organisation_id: new.organisation_id,
            organisation_name: new.organisation.as_str(),
            sector: new.sector,
            email: &new.email,
        },
    )
    .await?;
    if decision.decision == EligibilityDecision::Ineligible {
        // Nothing of an ineligible applicant is stored.
        return Err(AppError::IneligibleBecause(decision.reason(new.lang)));
    }
    let key = organisation_key(&decision, new.organisation.as_str());
    let organisation_name = decision
        .organisation
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| new.organisation.as_str().to_owned());

    let txn = crate::db::begin_write(&services.db).await?;
    let earlier = pilot_application::Entity::find()
        .filter(pilot_application::Column::PilotId.eq(pilot.id))
        .filter(pilot_application::Column::OrganisationKey.eq(&key))
        .filter(pilot_application::Column::Status.ne(ApplicationStatus::Withdrawn))
        .one(&txn)
        .await?;
    if let Some(earlier) = earlier {
        return Err(AppError::AlreadyApplied {
            contact_name: earlier.contact_name,
            organisation: earlier.organisation_name,
        });
    }
    let now = Utc::now();
    let application = pilot_application::ActiveModel {
        id: Set(Uuid::new_v4()),
        pilot_id: Set(pilot.id),
        organisation_id: Set(decision.organisation.as_ref().map(|o| o.id)),
        organisation_name: Set(organisation_name),
        organisation_key: Set(key),
        sector: Set(new.sector.code().to_owned()),
        contact_name: Set(new.contact_name.into_inner()),
        email: Set(new.email.as_str().to_owned()),
        phone: Set(new.phone),
        current_suppliers: Set(new.current_suppliers.into_inner()),
        market_partner: Set(new.market_partner.into_inner()),
        motivation: Set(new.motivation.into_inner()),
        expected_jobs: Set(i32::from(new.expected_jobs)),
        lang: Set(new.lang.code().to_owned()),
        status: Set(ApplicationStatus::Unverified),
        eligibility_decision: Set(decision.decision),
        // Staff read the reason in Dutch.
        eligibility_reason: Set(decision.reason(Lang::Nl)),
        created_at: Set(now),
        verified_at: Set(None),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Two colleagues submitting at the same moment.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Duplicate,
        _ => AppError::from(e),
    })?;
    record(&txn, &application, None, "applicant", None).await?;
    queue_verification(&txn, services, &pilot, &application).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(Applied {
        id: application.id,
        status: application.status,
        eligibility: EligibilityView {
            decision: decision.decision,
            reason: decision.reason(new.lang),
        },
    })
}

async fn record(
    txn: &DatabaseTransaction,
    application: &pilot_application::Model,
    from: Option<ApplicationStatus>,
    actor: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    application_transition::ActiveModel {
        application_id: Set(application.id),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(application.status.as_str().to_owned()),
        actor: Set(actor.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[derive(Serialize)]
struct ApplicationMail<'a> {
    lang: &'a str,
    name: &'a str,
    organisation: &'a str,
    pilot_title: &'a str,
    status: &'static str,
    needs_review: bool,
    message: Option<&'a str>,
    verify_url: Option<String>,
    manage_url: Option<String>,
}

fn pilot_title(pilot: &pilot::Model, lang: Lang) -> &str {
    match lang {
        Lang::Nl => &pilot.title_nl,
        Lang::En => &pilot.title_en,
    }
}

async fn queue_verification(
    txn: &DatabaseTransaction,
    services: &Services,
    pilot: &pilot::Model,
    application: &pilot_application::Model,
) -> Result<(), AppError> {
    let lang = Lang::parse(&application.lang).unwrap_or_default();
    let verify = tokens::issue(
        txn,
        VERIFY_APPLICATION,
        application.id,
        Some(Utc::now() + VERIFICATION_VALID_FOR),
    )
    .await?;
    let manage = tokens::issue(txn, MANAGE_APPLICATION, application.id, None).await?;
    let context = ApplicationMail {
        lang: lang.code(),
        name: &application.contact_name,
        organisation: &application.organisation_name,
        pilot_title: pilot_title(pilot, lang),
        status: application.status.as_str(),
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        message: None,
        verify_url: Some(services.link(&format!("/applications/verify/{verify}"))),
        manage_url: Some(services.link(&format!("/applications/{manage}"))),
    };
    queue(txn, services, "application_verify", application, &context).await
}

async fn queue_status_mail(
    txn: &DatabaseTransaction,
    services: &Services,
    application: &pilot_application::Model,
    message: Option<&str>,
) -> Result<(), AppError> {
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = Lang::parse(&application.lang).unwrap_or_default();
    let context = ApplicationMail {
        lang: lang.code(),
        name: &application.contact_name,
        organisation: &application.organisation_name,
        pilot_title: pilot_title(&pilot, lang),
        status: application.status.as_str(),
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        message,
        verify_url: None,
        manage_url: None,
    };
    queue(txn, services, "application_status", application, &context).await
}

async fn queue(
    txn: &DatabaseTransaction,
    services: &Services,
    kind: &'static str,
    application: &pilot_application::Model,
    context: &ApplicationMail<'_>,
) -> Result<(), AppError> {
    enqueue(
        txn,
        &services.views,
        NewMail {
            kind,
            recipient: &application.email,
            context,
            ics: None,
            event_id: None,
            registration_id: Some(application.id),
        },
    )
    .await
}

/// Moves an application to `to`, if `allowed_from` holds its status now.
async fn transition(
    services: &Services,
    id: Uuid,
    allowed_from: &[ApplicationStatus],
    to: ApplicationStatus,
    actor: &str,
    reason: Option<&str>,
) -> Result<pilot_application::Model, AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if application.status == to {
        return Ok(application);
    }
    if !allowed_from.contains(&application.status) {
        return Err(AppError::Conflict("error-application-state"));
    }
    if to == ApplicationStatus::Accepted {
        let pilot = pilot::Entity::find_by_id(application.pilot_id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let accepted = pilot_application::Entity::find()
            .filter(pilot_application::Column::PilotId.eq(pilot.id))
            .filter(pilot_application::Column::Status.eq(ApplicationStatus::Accepted))
            .count(&txn)
            .await?;
        if accepted >= u64::try_from(pilot.max_participants).unwrap_or(0) {
            return Err(AppError::Full);
        }
    }
    let from = application.status;
    let now = Utc::now();
    let mut active: pilot_application::ActiveModel = application.into();
    active.status = Set(to);
    active.updated_at = Set(now);
    if from == ApplicationStatus::Unverified && to == ApplicationStatus::Submitted {
        active.verified_at = Set(Some(now));
    }
    let updated = active.update(&txn).await?;
    record(&txn, &updated, Some(from), actor, reason).await?;
    queue_status_mail(&txn, services, &updated, reason).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(updated)
}

/// The contact clicked the link in the verification mail.
pub async fn verify(
    services: &Services,
    token: &str,
) -> Result<pilot_application::Model, AppError> {
    let id = tokens::resolve(&services.db, VERIFY_APPLICATION, token)
        .await?
        .ok_or(AppError::LinkExpiredOrUnknown)?;
    transition(
        services,
        id,
        &[ApplicationStatus::Unverified],
        ApplicationStatus::Submitted,
        "applicant",
        None,
    )
    .await
}

/// Staff accept or reject a submitted application, with a message.
pub async fn decide(
    services: &Services,
    id: Uuid,
    accept: bool,
    staff: &str,
    message: &str,
) -> Result<pilot_application::Model, AppError> {
    let to = if accept {
        ApplicationStatus::Accepted
    } else {
        ApplicationStatus::Rejected
    };
    transition(
        services,
        id,
        &[ApplicationStatus::Submitted],
        to,
        staff,
        Some(message),
    )
    .await
}

pub async fn by_manage_token(
    services: &Services,
    token: &str,
) -> Result<pilot_application::Model, AppError> {
    let id = tokens::resolve(&services.db, MANAGE_APPLICATION, token)
        .await?
        .ok_or(AppError::NotFound)?;
    pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The applicant withdraws through their personal link.
pub async fn withdraw(
    services: &Services,
    token: &str,
) -> Result<pilot_application::Model, AppError> {
    let application = by_manage_token(services, token).await?;
    use ApplicationStatus::*;
    transition(
        services,
        application.id,
        &[Unverified, Submitted, Accepted],
        Withdrawn,
        "applicant",
        None,
    )
    .await
}

/// Sends a fresh verification mail while the application is unverified.
pub async fn resend_verification(services: &Services, id: Uuid) -> Result<(), AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if application.status != ApplicationStatus::Unverified {
        return Err(AppError::Conflict("error-application-state"));
    }
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    queue_verification(&txn, services, &pilot, &application).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(())
}

/// Transitions of one application, oldest first: who, when, why.
pub async fn history(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<application_transition::Model>, AppError> {
    use sea_orm::QueryOrder;
    Ok(application_transition::Entity::find()
        .filter(application_transition::Column::ApplicationId.eq(id))
        .order_by_asc(application_transition::Column::Id)
        .all(db)
        .await?)
}

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
    pub status: &'static str,
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
            status: a.status.as_str(),
            decision: a.eligibility_decision,
            created_at: super::events::amsterdam(a.created_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            organisation: a.organisation_name,
            sector: a.sector,
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
    let decision = |d: EligibilityDecision| match d {
        EligibilityDecision::Eligible => "eligible",
        EligibilityDecision::NeedsReview => "needs_review",
        EligibilityDecision::Ineligible => "ineligible",
    };
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
                    r.status.to_owned(),
                    decision(r.decision).to_owned(),
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
            active.sector = Set(Some(application.sector.clone()));
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
                sector: Set(Some(application.sector.clone())),
                oin: Set(None),
                kvk: Set(None),
                organisation_code: Set(None),
                register_id: Set(None),
                website_domain: Set(None),
                source: Set(OrganisationSource::Staff),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
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
    let after =
        serde_json::json!({"organisation": org.name, "sector": org.sector, "source": "staff"});
    super::audit::record(
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
