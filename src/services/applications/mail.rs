//! The mails of an application: the verification link, and each change of
//! status. Queued in the outbox inside the change's transaction.
use chrono::Utc;
use sea_orm::EntityTrait;
use serde::Serialize;

use super::VERIFICATION_VALID_FOR;
use crate::db::WriteTxn;
use crate::domain::{ApplicationStatus, EligibilityDecision, Lang, MailKind, TokenPurpose};
use crate::entities::{pilot, pilot_application};
use crate::error::AppError;
use crate::mail::links::{LinkToIssue, LinksToIssue};
use crate::mail::outbox::{enqueue, About, NewMail};
use crate::services::Services;

#[derive(Serialize)]
struct ApplicationMail<'a> {
    lang: &'a str,
    name: &'a str,
    organisation: &'a str,
    pilot_title: &'a str,
    status: ApplicationStatus,
    needs_review: bool,
    /// Another application of the organisation holds its place.
    duplicate: bool,
    message: Option<&'a str>,
    /// `manage_url` (and `verify_url` in the first mail), issued when the
    /// mail is sent (`mail::links`).
    links_to_issue: LinksToIssue,
}

fn pilot_title(pilot: &pilot::Model, lang: Lang) -> &str {
    match lang {
        Lang::Nl => &pilot.title_nl,
        Lang::En => &pilot.title_en,
    }
}

/// The application's status page, where it can be seen and withdrawn.
fn manage_link(application: &pilot_application::Model) -> LinkToIssue {
    LinkToIssue::new(
        TokenPurpose::ManageApplication,
        application.id,
        "/applications/",
        None,
    )
}

pub(super) async fn queue_verification(
    txn: &WriteTxn,
    services: &Services,
    pilot: &pilot::Model,
    application: &pilot_application::Model,
) -> Result<(), AppError> {
    let lang = application.lang;
    let verify = LinkToIssue::new(
        TokenPurpose::VerifyApplication,
        application.id,
        "/applications/verify/",
        Some(Utc::now() + VERIFICATION_VALID_FOR),
    );
    let manage = manage_link(application);
    let context = ApplicationMail {
        lang: lang.code(),
        name: &application.contact_name,
        organisation: &application.organisation_name,
        pilot_title: pilot_title(pilot, lang),
        status: application.status,
        needs_review: application.eligibility_decision == EligibilityDecision::NeedsReview,
        duplicate: application.duplicate_of.is_some(),
        message: None,
        links_to_issue: LinksToIssue::from([("verify_url", verify), ("manage_url", manage)]),
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

pub(super) async fn queue_status_mail(
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
        duplicate: application.duplicate_of.is_some(),
        message,
        // Every status mail leads to the status page (a new token each time).
        links_to_issue: LinksToIssue::from([("manage_url", manage_link(application))]),
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
