//! The statements that take a person out of every table that holds them
//! (`PERSONAL_DATA`), shared by erasure and the purge.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ANONYMISED_DOMAIN;
use crate::db::WriteTxn;
use crate::domain::{sign_up_search_key, OutboxStatus};
use crate::entities::{
    access_token, application_transition, audit_log, outbox, pilot_application, registration,
};
use crate::error::AppError;

/// What one scrub changed, per table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Scrubbed {
    pub rows: u64,
    pub tokens: u64,
    pub mails_deleted: u64,
    pub mails_scrubbed: u64,
}

impl std::ops::AddAssign for Scrubbed {
    fn add_assign(&mut self, other: Self) {
        self.rows += other.rows;
        self.tokens += other.tokens;
        self.mails_deleted += other.mails_deleted;
        self.mails_scrubbed += other.mails_scrubbed;
    }
}

/// What a sent row keeps of its recipient: enough to count deliveries.
fn address_hash(address: &str) -> String {
    let digest = Sha256::digest(address.trim().to_lowercase().as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("erased:{hex}")
}

/// Sign-ups: the row stays for the counts, without the person. The
/// organisation stays too: which employers came is the programme's record.
pub async fn registrations(txn: &WriteTxn, ids: &[Uuid]) -> Result<Scrubbed, AppError> {
    if ids.is_empty() {
        return Ok(Scrubbed::default());
    }
    let mut rows = 0;
    for id in ids {
        let Some(organisation) = registration::Entity::find_by_id(*id)
            .select_only()
            .column(registration::Column::Organisation)
            .into_tuple::<String>()
            .one(txn)
            .await?
        else {
            continue;
        };
        let email = format!("{id}@{ANONYMISED_DOMAIN}");
        rows += registration::Entity::update_many()
            .col_expr(registration::Column::Name, Expr::value("—"))
            .col_expr(
                registration::Column::SearchKey,
                Expr::value(sign_up_search_key("—", &email, &organisation)),
            )
            .col_expr(registration::Column::Email, Expr::value(email))
            .col_expr(
                registration::Column::JobTitle,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                registration::Column::Remarks,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                registration::Column::CheckedInAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                registration::Column::ChangedByAttendeeAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .col_expr(
                registration::Column::SubmissionKey,
                Expr::value(Option::<String>::None),
            )
            .filter(registration::Column::Id.eq(*id))
            .exec(txn)
            .await?
            .rows_affected;
    }
    let tokens = tokens_of(txn, ids).await?;
    let (mails_deleted, mails_scrubbed) = mails(txn, outbox::Column::RegistrationId, ids).await?;
    Ok(Scrubbed {
        rows,
        tokens,
        mails_deleted,
        mails_scrubbed,
    })
}

/// Pilot applications: the organisation and the decision stay.
pub async fn applications(txn: &WriteTxn, ids: &[Uuid]) -> Result<Scrubbed, AppError> {
    if ids.is_empty() {
        return Ok(Scrubbed::default());
    }
    let rows = pilot_application::Entity::update_many()
        .col_expr(pilot_application::Column::ContactName, Expr::value("—"))
        .col_expr(
            pilot_application::Column::Email,
            Expr::value(format!("anonymised@{ANONYMISED_DOMAIN}")),
        )
        .col_expr(
            pilot_application::Column::Phone,
            Expr::value(Option::<String>::None),
        )
        .col_expr(pilot_application::Column::Motivation, Expr::value("—"))
        .col_expr(
            pilot_application::Column::TypedOrganisation,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            pilot_application::Column::VouchReason,
            Expr::value(Option::<String>::None),
        )
        .filter(pilot_application::Column::Id.is_in(ids.iter().copied()))
        .exec(txn)
        .await?
        .rows_affected;
    application_transition::Entity::update_many()
        .col_expr(
            application_transition::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(application_transition::Column::ApplicationId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    // Staff decisions recorded the message sent with them.
    let subjects: Vec<String> = ids.iter().map(|id| format!("application {id}")).collect();
    audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::After,
            Expr::value(Option::<String>::None),
        )
        .filter(audit_log::Column::Subject.is_in(subjects))
        .exec(txn)
        .await?;
    let tokens = tokens_of(txn, ids).await?;
    let (mails_deleted, mails_scrubbed) = mails(txn, outbox::Column::ApplicationId, ids).await?;
    Ok(Scrubbed {
        rows,
        tokens,
        mails_deleted,
        mails_scrubbed,
    })
}

async fn tokens_of(txn: &WriteTxn, ids: &[Uuid]) -> Result<u64, AppError> {
    Ok(access_token::Entity::delete_many()
        .filter(access_token::Column::SubjectId.is_in(ids.iter().copied()))
        .exec(txn)
        .await?
        .rows_affected)
}

/// Unsent mail about them goes; sent and failed mail keeps its kind, its
/// times and a hash of the address, so delivery counts stay right.
async fn mails(
    txn: &WriteTxn,
    about: outbox::Column,
    ids: &[Uuid],
) -> Result<(u64, u64), AppError> {
    let unsent = [OutboxStatus::Pending, OutboxStatus::Sending];
    let deleted = outbox::Entity::delete_many()
        .filter(about.is_in(ids.iter().copied()))
        .filter(outbox::Column::Status.is_in(unsent))
        .exec(txn)
        .await?
        .rows_affected;
    let kept = outbox::Entity::find()
        .filter(about.is_in(ids.iter().copied()))
        .filter(outbox::Column::Recipient.not_like("erased:%"))
        .all(txn)
        .await?;
    for row in &kept {
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Recipient,
                Expr::value(address_hash(&row.recipient)),
            )
            .col_expr(outbox::Column::Subject, Expr::value(""))
            .col_expr(outbox::Column::Ics, Expr::value(Option::<String>::None))
            .col_expr(outbox::Column::Context, Expr::value(Option::<String>::None))
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
    }
    Ok((deleted, kept.len() as u64))
}

/// Removes the `.eml` files the file transport wrote to `address`. The
/// default transport is for trying the app; production mail goes by SMTP.
pub fn mail_files(dir: &std::path::Path, address: &str) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let needle = address.to_lowercase();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let holds = std::fs::read(&path)
            .map(|raw| {
                String::from_utf8_lossy(&raw)
                    .to_lowercase()
                    .contains(&needle)
            })
            .unwrap_or(false);
        if holds && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}
