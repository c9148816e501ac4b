//! Applying for a pilot: the eligibility decision, e-mail verification and
//! the status workflow `unverified -> submitted -> accepted | rejected |
//! withdrawn`, with `expired` for applications never confirmed and `merged`
//! for a second application staff folded into the first. Every transition
//! is recorded and mailed through the outbox; one verified, trusted
//! application per organisation holds its place (`places`).
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

mod export;
mod filter;
mod mail;
mod places;
mod redecide;
mod review;
mod transition;

pub use export::export;
pub use filter::ReviewFilter;
pub use redecide::{redecide_for_domain, Redecided};
pub use review::{merge, page_query, partnership_from, review_page, vouch, ReviewRow};

use super::eligibility::{self, Claim, Decision};
use super::limits::Limit;
use super::pilots::is_open;
use super::Services;
use crate::domain::{
    ApplicationStatus, EligibilityDecision, Lang, NameKey, NewApplication, PilotStatus,
};
use crate::entities::{application_transition, pilot, pilot_application};
use crate::error::AppError;
use mail::queue_verification;
use transition::{record, transition};

/// How long a verification link is valid; an application nobody confirmed
/// in that time expires.
pub const VERIFICATION_VALID_FOR: Duration = Duration::hours(72);
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
    /// The organisation already applied: staff will be in touch.
    pub duplicate: bool,
}

impl From<pilot_application::Model> for ApplicationView {
    fn from(a: pilot_application::Model) -> Self {
        ApplicationView {
            id: a.id,
            status: a.status,
            needs_review: a.eligibility_decision == EligibilityDecision::NeedsReview,
            duplicate: a.duplicate_of.is_some(),
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
    /// The organisation already holds a place: this application is kept
    /// for staff, who will be in touch.
    #[serde(skip)]
    #[schema(ignore)]
    pub already_applied: bool,
    /// The organisation the application was filed under.
    #[serde(skip)]
    #[schema(ignore)]
    pub organisation: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EligibilityView {
    pub decision: EligibilityDecision,
    pub reason: String,
}

/// What "the same organisation" means for the one-place rule: the register
/// entry when there is one (two municipalities both called Bergen are two
/// entries), else the folded typed name.
fn organisation_key(decision: &Decision, typed_name: &str) -> String {
    match &decision.organisation {
        Some(org) => format!("org:{}", org.id),
        None => format!("name:{}", NameKey::of(typed_name).key),
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
            sectors: pilot.sectors.clone(),
        },
    )
    .await?;
    if decision.decision == EligibilityDecision::Ineligible {
        // Nothing of an ineligible applicant is stored.
        return Err(AppError::Ineligible(decision.reason(new.lang)));
    }
    let key = organisation_key(&decision, new.organisation.as_str());
    let typed = new.organisation.as_str().to_owned();
    let organisation_name = decision
        .organisation
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| typed.clone());

    let txn = crate::db::begin_write(&services.db).await?;
    let now = Utc::now();
    places::expire_unverified(&txn, now, VERIFICATION_VALID_FOR).await?;
    let holder = places::holder(&txn, pilot.id, &key).await?;
    let application = pilot_application::ActiveModel {
        id: Set(Uuid::new_v4()),
        pilot_id: Set(pilot.id),
        organisation_id: Set(decision.organisation.as_ref().map(|o| o.id)),
        typed_organisation: Set((typed != organisation_name).then_some(typed)),
        organisation_name: Set(organisation_name.clone()),
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
        holds_place: Set(false),
        duplicate_of: Set(holder.as_ref().map(|h| h.id)),
        vouched_by: Set(None),
        vouched_at: Set(None),
        vouch_reason: Set(None),
    }
    .insert(&txn)
    .await?;
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
        already_applied: holder.is_some(),
        organisation: organisation_name,
    })
}

/// The application a verification link is for, changing nothing: mail
/// scanners open links too, so the confirmation itself is a POST.
pub async fn to_verify(services: &Services, token: &str) -> Result<ApplicationView, AppError> {
    let id = super::tokens::resolve(
        &services.db,
        crate::domain::TokenPurpose::VerifyApplication,
        token,
    )
    .await?
    .ok_or(AppError::LinkExpiredOrUnknown)?;
    pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .map(ApplicationView::from)
        .ok_or(AppError::LinkExpiredOrUnknown)
}

/// The contact confirmed their address with the link from the mail (a
/// POST). The application takes its organisation's place if it is trusted
/// and the place is free.
pub async fn verify(services: &Services, token: &str) -> Result<ApplicationView, AppError> {
    let id = super::tokens::resolve(
        &services.db,
        crate::domain::TokenPurpose::VerifyApplication,
        token,
    )
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

/// Staff accept a submitted application that holds its organisation's
/// place, or refuse an open one, with a message.
pub async fn decide(
    services: &Services,
    id: Uuid,
    accept: bool,
    staff: &str,
    message: &str,
) -> Result<ApplicationView, AppError> {
    use ApplicationStatus::*;
    let (from, to): (&[ApplicationStatus], _) = if accept {
        (&[Submitted], Accepted)
    } else {
        (&[Unverified, Submitted], Rejected)
    };
    let message = crate::domain::OptionalText::<2000>::parse(message)
        .map_err(|e| AppError::Validation([("message", e)].into()))?
        .into_inner()
        .unwrap_or_default();
    transition(services, id, from, to, staff, Some(message.as_str()))
        .await
        .map(ApplicationView::from)
}

pub async fn by_manage_token(
    services: &Services,
    token: &str,
) -> Result<ApplicationView, AppError> {
    let id = super::tokens::resolve(
        &services.db,
        crate::domain::TokenPurpose::ManageApplication,
        token,
    )
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

/// The application and pilot behind a verification link that ran out,
/// while a new link can still be sent for it.
pub async fn expired_verification(
    services: &Services,
    token: &str,
) -> Result<Option<(Uuid, String)>, AppError> {
    let purpose = crate::domain::TokenPurpose::VerifyApplication;
    let Some(id) = super::tokens::resolve_expired(&services.db, purpose, token).await? else {
        return Ok(None);
    };
    let Some(application) = pilot_application::Entity::find_by_id(id)
        .one(&services.db)
        .await?
        .filter(|a| RESENDABLE.contains(&a.status))
    else {
        return Ok(None);
    };
    Ok(pilot::Entity::find_by_id(application.pilot_id)
        .one(&services.db)
        .await?
        .map(|pilot| (application.id, pilot.slug)))
}

/// Statuses a new verification link can be sent for: unconfirmed, or
/// expired for want of confirmation (neither ever held a place).
const RESENDABLE: [ApplicationStatus; 2] =
    [ApplicationStatus::Unverified, ApplicationStatus::Expired];

/// Sends a fresh verification mail while the application is unverified,
/// or after it expired unconfirmed: then it is unverified again.
pub async fn resend_verification(services: &Services, id: Uuid) -> Result<(), AppError> {
    let unverified = |application: &pilot_application::Model| {
        RESENDABLE
            .contains(&application.status)
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
    places::expire_unverified(&txn, Utc::now(), VERIFICATION_VALID_FOR).await?;
    let application = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    unverified(&application)?;
    let application = if application.status == ApplicationStatus::Expired {
        let mut revived: pilot_application::ActiveModel = application.into();
        revived.status = Set(ApplicationStatus::Unverified);
        revived.updated_at = Set(Utc::now());
        let revived = revived.update(&txn).await?;
        let why = Some("verification link sent again");
        record(
            &txn,
            &revived,
            Some(ApplicationStatus::Expired),
            APPLICANT,
            why,
        )
        .await?;
        revived
    } else {
        application
    };
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    queue_verification(&txn, services, &pilot, &application).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(())
}

/// Expires every unverified application whose verification link ran out;
/// the scheduled job runs this, and applying does it on the way.
pub async fn expire_unverified(
    services: &Services,
    now: chrono::DateTime<Utc>,
) -> Result<u64, AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let expired = places::expire_unverified(&txn, now, VERIFICATION_VALID_FOR).await?;
    txn.commit().await?;
    Ok(expired)
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
