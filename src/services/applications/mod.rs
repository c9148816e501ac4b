//! Applying for a pilot: the eligibility decision, e-mail verification and
//! the status workflow `unverified -> submitted -> accepted | rejected |
//! withdrawn`. Every transition is recorded and mailed through the outbox.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

mod review;

pub use review::{export_table, for_review, partnership_from, verify_organisation, ReviewRow};

use super::eligibility::{self, Claim, Decision};
use super::limits::Limit;
use super::pilots::is_open;
use super::{audit, tokens, Services};
use crate::db::WriteTxn;
use crate::domain::{
    ApplicationStatus, EligibilityDecision, Lang, MailKind, NewApplication, PilotStatus,
    TokenPurpose,
};
use crate::entities::{application_transition, pilot, pilot_application};
use crate::error::AppError;
use crate::mail::outbox::{enqueue, About, NewMail};

const VERIFICATION_VALID_FOR: Duration = Duration::hours(72);
/// The actor of changes the applicant makes themselves.
const APPLICANT: &str = "applicant";

/// An application as its applicant sees it on the status page.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub id: Uuid,
    pub status: ApplicationStatus,
    pub organisation: String,
    pub contact_name: String,
    pub needs_review: bool,
}

impl From<pilot_application::Model> for ApplicationView {
    fn from(a: pilot_application::Model) -> Self {
        ApplicationView {
            id: a.id,
            status: a.status,
            needs_review: a.eligibility_decision == EligibilityDecision::NeedsReview,
            organisation: a.organisation_name,
            contact_name: a.contact_name,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Applied {
    pub id: Uuid,
    pub status: ApplicationStatus,
    pub eligibility: EligibilityView,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
        return Err(AppError::Ineligible(decision.reason(new.lang)));
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
        sector: Set(new.sector),
        contact_name: Set(new.contact_name.into_inner()),
        email: Set(new.email.as_str().to_owned()),
        phone: Set(new.phone),
        current_suppliers: Set(new.current_suppliers.into_inner()),
        market_partner: Set(new.market_partner.into_inner()),
        motivation: Set(new.motivation.into_inner()),
        expected_jobs: Set(i32::from(new.expected_jobs)),
        lang: Set(new.lang),
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
    record(&txn, &application, None, APPLICANT, None).await?;
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

#[derive(Serialize)]
struct ApplicationMail<'a> {
    lang: &'a str,
    name: &'a str,
    organisation: &'a str,
    pilot_title: &'a str,
    status: ApplicationStatus,
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
    txn: &WriteTxn,
    services: &Services,
    pilot: &pilot::Model,
    application: &pilot_application::Model,
) -> Result<(), AppError> {
    let lang = application.lang;
    let verify = tokens::issue(
        txn,
        TokenPurpose::VerifyApplication,
        application.id,
        Some(Utc::now() + VERIFICATION_VALID_FOR),
    )
    .await?;
    let manage = tokens::issue(txn, TokenPurpose::ManageApplication, application.id, None).await?;
    let context = ApplicationMail {
        lang: lang.code(),
        name: &application.contact_name,
        organisation: &application.organisation_name,
        pilot_title: pilot_title(pilot, lang),
        status: application.status,
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        message: None,
        verify_url: Some(services.link(&format!("/applications/verify/{verify}"))),
        manage_url: Some(services.link(&format!("/applications/{manage}"))),
    };
    queue(
        txn,
        services,
        MailKind::ApplicationVerify,
        application,
        &context,
    )
    .await
}

async fn queue_status_mail(
    txn: &WriteTxn,
    services: &Services,
    application: &pilot_application::Model,
    message: Option<&str>,
) -> Result<(), AppError> {
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = application.lang;
    let context = ApplicationMail {
        lang: lang.code(),
        name: &application.contact_name,
        organisation: &application.organisation_name,
        pilot_title: pilot_title(&pilot, lang),
        status: application.status,
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        message,
        verify_url: None,
        manage_url: None,
    };
    queue(
        txn,
        services,
        MailKind::ApplicationStatus,
        application,
        &context,
    )
    .await
}

async fn queue(
    txn: &WriteTxn,
    services: &Services,
    kind: MailKind,
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
            about: About::Application(application.id),
        },
    )
    .await?;
    Ok(())
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

/// The application a verification link is for, changing nothing: mail
/// scanners open links too, so the confirmation itself is a POST.
pub async fn to_verify(services: &Services, token: &str) -> Result<ApplicationView, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::VerifyApplication, token)
        .await?
        .ok_or(AppError::LinkExpiredOrUnknown)?;
    pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .map(ApplicationView::from)
        .ok_or(AppError::LinkExpiredOrUnknown)
}

/// The contact confirmed their address with the link from the mail.
pub async fn verify(services: &Services, token: &str) -> Result<ApplicationView, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::VerifyApplication, token)
        .await?
        .ok_or(AppError::LinkExpiredOrUnknown)?;
    transition(
        services,
        id,
        &[ApplicationStatus::Unverified],
        ApplicationStatus::Submitted,
        APPLICANT,
        None,
    )
    .await
    .map(ApplicationView::from)
}

/// Staff accept or reject a submitted application, with a message.
pub async fn decide(
    services: &Services,
    id: Uuid,
    accept: bool,
    staff: &str,
    message: &str,
) -> Result<ApplicationView, AppError> {
    let to = if accept {
        ApplicationStatus::Accepted
    } else {
        ApplicationStatus::Rejected
    };
    let message = crate::domain::OptionalText::<2000>::parse(message)
        .map_err(|e| AppError::Validation([("message", e)].into()))?
        .into_inner()
        .unwrap_or_default();
    let message = message.as_str();
    transition(
        services,
        id,
        &[ApplicationStatus::Submitted],
        to,
        staff,
        Some(message),
    )
    .await
    .map(ApplicationView::from)
}

pub async fn by_manage_token(
    services: &Services,
    token: &str,
) -> Result<ApplicationView, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageApplication, token)
        .await?
        .ok_or(AppError::NotFound)?;
    pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .map(ApplicationView::from)
        .ok_or(AppError::NotFound)
}

/// The applicant withdraws through their personal link.
pub async fn withdraw(services: &Services, token: &str) -> Result<ApplicationView, AppError> {
    let application = by_manage_token(services, token).await?;
    use ApplicationStatus::*;
    transition(
        services,
        application.id,
        &[Unverified, Submitted, Accepted],
        Withdrawn,
        APPLICANT,
        None,
    )
    .await
    .map(ApplicationView::from)
}

/// Sends a fresh verification mail while the application is unverified.
pub async fn resend_verification(services: &Services, id: Uuid) -> Result<(), AppError> {
    let unverified = |application: &pilot_application::Model| {
        (application.status == ApplicationStatus::Unverified)
            .then_some(())
            .ok_or(AppError::Conflict("error-application-state"))
    };
    let application = pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    unverified(&application)?;
    // Whoever knows the page's address can press the button; the person
    // behind the typed address gets only so many mails.
    let limits = &services.limits;
    limits
        .check(Limit::VerificationResent, &application.id.to_string())
        .await?;
    limits
        .check(Limit::MailToAddress, &application.email)
        .await?;
    let txn = crate::db::begin_write(&services.db).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    unverified(&application)?;
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
