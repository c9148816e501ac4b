//! The outbox as organisers see it: what went out, what failed and why.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::{audit, Services};
use crate::domain::{MailKind, OutboxStatus};
use crate::entities::outbox;
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct MailRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub kind: MailKind,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

pub async fn list(
    services: &Services,
    failed_only: bool,
    limit: u64,
) -> Result<Vec<MailRow>, AppError> {
    let mut query = outbox::Entity::find()
        .order_by_desc(outbox::Column::Id)
        .limit(limit);
    if failed_only {
        query = query.filter(outbox::Column::Status.eq(OutboxStatus::Failed));
    }
    let time = |t: chrono::DateTime<Utc>| {
        super::events::amsterdam(t)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    Ok(query
        .all(&services.db)
        .await?
        .into_iter()
        .map(|row| MailRow {
            id: row.id,
            status: row.status,
            created_at: time(row.created_at),
            sent_at: row.sent_at.map(time),
            recipient: row.recipient,
            subject: row.subject,
            kind: row.kind,
            attempts: row.attempts,
            last_error: row.last_error,
        })
        .collect())
}

/// Puts a failed mail back in the queue for an immediate new try.
pub async fn resend(services: &Services, id: i64, actor: &str) -> Result<(), AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let row = outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != OutboxStatus::Failed {
        return Err(AppError::Conflict("error-mail-not-failed"));
    }
    let mut active: outbox::ActiveModel = row.into();
    active.status = Set(OutboxStatus::Pending);
    active.attempts = Set(0);
    active.next_attempt_at = Set(Utc::now());
    active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "mail.resend",
        &format!("outbox {id}"),
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(())
}
