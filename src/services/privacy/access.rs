//! What is stored about a person (AVG art. 15), as they may see it and
//! download it: their sign-up or application, and the mail sent to them.
use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{
    ApplicationStatus, EligibilityDecision, Lang, MailKind, OutboxStatus, RegistrationStatus,
    TokenPurpose,
};
use crate::entities::{
    application_transition, event, outbox, pilot, pilot_application, registration,
};
use crate::error::AppError;
use crate::services::events::amsterdam;
use crate::services::{tokens, Services};

/// One mail sent (or to be sent) to the person.
#[derive(Debug, Serialize)]
pub struct MailRecord {
    pub kind: MailKind,
    pub subject: String,
    pub status: OutboxStatus,
    pub queued_at: DateTime<FixedOffset>,
    pub sent_at: Option<DateTime<FixedOffset>>,
}

async fn mails_about(
    services: &Services,
    column: outbox::Column,
    id: Uuid,
) -> Result<Vec<MailRecord>, AppError> {
    Ok(outbox::Entity::find()
        .filter(column.eq(id))
        .order_by_asc(outbox::Column::Id)
        .all(&services.db)
        .await?
        .into_iter()
        .map(|m| MailRecord {
            kind: m.kind,
            subject: m.subject,
            status: m.status,
            queued_at: amsterdam(m.created_at),
            sent_at: m.sent_at.map(amsterdam),
        })
        .collect())
}

/// Everything stored about one sign-up.
#[derive(Debug, Serialize)]
pub struct SignUpData {
    pub meeting: String,
    pub meeting_starts_at: DateTime<FixedOffset>,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: &'static str,
    pub job_title: Option<String>,
    pub remarks: Option<String>,
    pub language: Lang,
    pub status: RegistrationStatus,
    pub signed_up_at: DateTime<FixedOffset>,
    pub confirmed_at: Option<DateTime<FixedOffset>>,
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    pub checked_in_at: Option<DateTime<FixedOffset>>,
    /// When they last changed their own details through the manage link.
    pub changed_by_attendee_at: Option<DateTime<FixedOffset>>,
    pub mails: Vec<MailRecord>,
    /// When the purge removes it, by the retention setting.
    pub kept_until: DateTime<FixedOffset>,
}

pub async fn sign_up_data(
    services: &Services,
    token: &str,
    retention_days: i64,
) -> Result<SignUpData, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let (reg, event) = registration::Entity::find_by_id(id)
        .find_also_related(event::Entity)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = event.ok_or(AppError::NotFound)?;
    let title = match reg.lang {
        Lang::Nl => event.title_nl,
        Lang::En => event.title_en,
    };
    Ok(SignUpData {
        meeting: title,
        meeting_starts_at: amsterdam(event.starts_at),
        kept_until: amsterdam(event.ends_at + Duration::days(retention_days)),
        mails: mails_about(services, outbox::Column::RegistrationId, id).await?,
        name: reg.name,
        email: reg.email,
        organisation: reg.organisation,
        sector: reg.sector.code(),
        job_title: reg.job_title,
        remarks: reg.remarks,
        language: reg.lang,
        status: reg.status,
        signed_up_at: amsterdam(reg.created_at),
        confirmed_at: reg.confirmed_at.map(amsterdam),
        cancelled_at: reg.cancelled_at.map(amsterdam),
        checked_in_at: reg.checked_in_at.map(amsterdam),
        changed_by_attendee_at: reg.changed_by_attendee_at.map(amsterdam),
    })
}

/// One step of an application, as the applicant may see it.
#[derive(Debug, Serialize)]
pub struct Step {
    pub status: ApplicationStatus,
    pub at: DateTime<FixedOffset>,
    pub message: Option<String>,
}

/// Everything stored about one pilot application.
#[derive(Debug, Serialize)]
pub struct ApplicationData {
    pub pilot: String,
    pub organisation: String,
    pub sector: &'static str,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub current_suppliers: String,
    pub market_partner: Option<String>,
    pub motivation: String,
    pub expected_jobs: i32,
    pub language: Lang,
    pub status: ApplicationStatus,
    pub eligibility: EligibilityDecision,
    pub eligibility_reason: String,
    pub applied_at: DateTime<FixedOffset>,
    pub verified_at: Option<DateTime<FixedOffset>>,
    pub history: Vec<Step>,
    pub mails: Vec<MailRecord>,
    pub kept_until: DateTime<FixedOffset>,
}

pub async fn application_data(
    services: &Services,
    token: &str,
    retention_days: i64,
) -> Result<ApplicationData, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageApplication, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let pilot = pilot::Entity::find_by_id(a.pilot_id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let history = application_transition::Entity::find()
        .filter(application_transition::Column::ApplicationId.eq(id))
        .order_by_asc(application_transition::Column::Id)
        .all(&services.db)
        .await?
        .into_iter()
        .map(|t| Step {
            status: t.to_status,
            at: amsterdam(t.created_at),
            message: t.reason,
        })
        .collect();
    Ok(ApplicationData {
        pilot: match a.lang {
            Lang::Nl => pilot.title_nl,
            Lang::En => pilot.title_en,
        },
        kept_until: amsterdam(a.created_at + Duration::days(retention_days)),
        mails: mails_about(services, outbox::Column::ApplicationId, id).await?,
        history,
        organisation: a.organisation_name,
        sector: a.sector.code(),
        contact_name: a.contact_name,
        email: a.email,
        phone: a.phone,
        current_suppliers: a.current_suppliers,
        market_partner: a.market_partner,
        motivation: a.motivation,
        expected_jobs: a.expected_jobs,
        language: a.lang,
        status: a.status,
        eligibility: a.eligibility_decision,
        eligibility_reason: a.eligibility_reason,
        applied_at: amsterdam(a.created_at),
        verified_at: a.verified_at.map(amsterdam),
    })
}
