//! Retention (AVG art. 5(1)(e)): personal data goes a set time after it is
//! needed. The app's scheduled job and `aanmeldpunt privacy purge` run the
//! same code; a dry run reports what it would change and changes nothing.
use std::path::Path;
use std::time::SystemTime;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::erase::lock_event;
use super::{scrub, ANONYMISED_DOMAIN};
use crate::config::AppConfig;
use crate::db::begin_write;
use crate::domain::OutboxStatus;
use crate::entities::{audit_log, event, outbox, pilot_application, registration, staff_session};
use crate::error::AppError;
use crate::services::{audit, Services};

/// How long personal data is kept; checked at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days after a meeting ends that its sign-ups and their mail are kept.
    pub after_event_days: i64,
    /// Days after an application arrives that its contact is kept.
    pub application_days: i64,
    /// Days an audit row is kept.
    pub audit_days: i64,
}

/// The shortest retentions that still let the work be done: a sign-up is
/// needed until the meeting is over (the door list, a late question), an
/// application until it is decided, an audit row until someone could ask.
const MINIMUM: Retention = Retention {
    after_event_days: 1,
    application_days: 30,
    audit_days: 30,
};

impl Retention {
    pub fn from_config(config: &AppConfig) -> Result<Self, String> {
        let retention = Retention {
            after_event_days: config.retention_days_after_event,
            application_days: config.retention_days_applications,
            audit_days: config.retention_days_audit,
        };
        for (name, value, minimum) in [
            (
                "retention_days_after_event",
                retention.after_event_days,
                MINIMUM.after_event_days,
            ),
            (
                "retention_days_applications",
                retention.application_days,
                MINIMUM.application_days,
            ),
            (
                "retention_days_audit",
                retention.audit_days,
                MINIMUM.audit_days,
            ),
        ] {
            if value < minimum {
                return Err(format!(
                    "{name} is {value}; it must be at least {minimum} (days), or the purge \
                     would erase what is still needed"
                ));
            }
        }
        Ok(retention)
    }
}

/// What a purge changed (or, dry, would change), per kind of data.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub registrations: u64,
    pub applications: u64,
    pub tokens: u64,
    pub mails_deleted: u64,
    pub mails_scrubbed: u64,
    pub audit_rows: u64,
    pub sessions: u64,
    pub mail_files: u64,
}

/// The actor of the purge in the audit log.
const PURGE: &str = "retention purge";

pub async fn purge(
    services: &Services,
    now: DateTime<Utc>,
    retention: Retention,
    dry_run: bool,
) -> Result<Purged, AppError> {
    let mut purged = Purged::default();
    let cutoff = now - Duration::days(retention.after_event_days);

    let past: Vec<Uuid> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::EndsAt.lt(cutoff))
        .into_tuple()
        .all(&services.db)
        .await?;
    for event_id in past {
        let Some(mut locked) = lock_event(services, event_id).await? else {
            continue;
        };
        let ids: Vec<Uuid> = registration::Entity::find()
            .select_only()
            .column(registration::Column::Id)
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::Email.not_like(format!("%@{ANONYMISED_DOMAIN}")))
            .into_tuple()
            .all(locked.txn())
            .await?;
        if ids.is_empty() {
            continue;
        }
        let scrubbed = locked.forget(&ids).await?;
        purged.registrations += scrubbed.rows;
        purged.tokens += scrubbed.tokens;
        purged.mails_deleted += scrubbed.mails_deleted;
        purged.mails_scrubbed += scrubbed.mails_scrubbed;
        if !dry_run {
            locked.commit().await?;
        }
    }

    let txn = begin_write(&services.db).await?;
    let applications: Vec<Uuid> = pilot_application::Entity::find()
        .select_only()
        .column(pilot_application::Column::Id)
        .filter(
            pilot_application::Column::CreatedAt
                .lt(now - Duration::days(retention.application_days)),
        )
        .filter(pilot_application::Column::Email.not_like(format!("%@{ANONYMISED_DOMAIN}")))
        .into_tuple()
        .all(&txn)
        .await?;
    let scrubbed = scrub::applications(&txn, &applications).await?;
    purged.applications += scrubbed.rows;
    purged.tokens += scrubbed.tokens;
    purged.mails_deleted += scrubbed.mails_deleted;
    purged.mails_scrubbed += scrubbed.mails_scrubbed;
    // Mail about a sign-up or an application went with it above, keeping
    // only what the delivery counts need; that remainder, and mail about
    // no one in particular, goes when audit rows of its age go.
    let done = [OutboxStatus::Sent, OutboxStatus::Failed];
    purged.mails_deleted += outbox::Entity::delete_many()
        .filter(outbox::Column::Status.is_in(done))
        .filter(
            Condition::any()
                .add(outbox::Column::CreatedAt.lt(now - Duration::days(retention.audit_days)))
                .add(
                    Condition::all()
                        .add(outbox::Column::CreatedAt.lt(cutoff))
                        .add(outbox::Column::RegistrationId.is_null())
                        .add(outbox::Column::ApplicationId.is_null()),
                ),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    purged.audit_rows = audit_log::Entity::delete_many()
        .filter(audit_log::Column::CreatedAt.lt(now - Duration::days(retention.audit_days)))
        .exec(&txn)
        .await?
        .rows_affected;
    purged.sessions = staff_session::Entity::delete_many()
        .filter(staff_session::Column::ExpiresAt.lt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    if let Some(dir) = &services.mail_dir {
        purged.mail_files = old_mail_files(dir, cutoff, dry_run);
    }
    if dry_run {
        return Ok(purged);
    }
    audit::record(
        &txn,
        PURGE,
        "privacy.purge",
        "retention",
        None::<&()>,
        Some(&purged),
    )
    .await?;
    txn.commit().await?;
    Ok(purged)
}

/// `.eml` files written before `cutoff`; removed unless `dry_run`.
fn old_mail_files(dir: &Path, cutoff: DateTime<Utc>, dry_run: bool) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let cutoff = SystemTime::from(cutoff);
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < cutoff);
        let eml = path.extension().is_some_and(|e| e == "eml");
        if eml && old && (dry_run || std::fs::remove_file(&path).is_ok()) {
            count += 1;
        }
    }
    count
}
