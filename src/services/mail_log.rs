//! The outbox as organisers see it: what went out, what failed and why.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, Order, QueryFilter, Select,
};
use serde::Serialize;

use super::paging::by_unique_column;
use super::{audit, Services};
use crate::domain::{MailKind, OutboxStatus, PageAt, Window, PAGE_SIZE};
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

/// Which mails the log shows.
#[derive(Debug, Default, Clone)]
pub struct MailFilter {
    pub failed_only: bool,
    /// One recipient's mails, the address compared without case.
    pub recipient: Option<String>,
}

/// The page at `at` of the log, newest first, keyed by outbox id. Each
/// filter has its index (migration 000025), so a page reads its rows only.
pub async fn list(
    services: &Services,
    filter: &MailFilter,
    at: &PageAt<i64>,
) -> Result<Window<MailRow, i64>, AppError> {
    let rows = page_query(filter, at).all(&services.db).await?;
    let time = |t: chrono::DateTime<Utc>| {
        super::events::amsterdam(t)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    Ok(
        Window::from_rows(rows, at, PAGE_SIZE, |row| row.id).map(|row| MailRow {
            id: row.id,
            status: row.status,
            created_at: time(row.created_at),
            sent_at: row.sent_at.map(time),
            recipient: row.recipient,
            subject: row.subject,
            kind: row.kind,
            attempts: row.attempts,
            last_error: row.last_error,
        }),
    )
}

/// The read of one page of the log (public for the index check in
/// `tests/api/list_paging.rs`).
pub fn page_query(filter: &MailFilter, at: &PageAt<i64>) -> Select<outbox::Entity> {
    let mut query = outbox::Entity::find();
    if filter.failed_only {
        query = query.filter(outbox::Column::Status.eq(OutboxStatus::Failed));
    }
    if let Some(recipient) = &filter.recipient {
        query = query.filter(
            Expr::expr(Func::lower(Expr::col(outbox::Column::Recipient)))
                .eq(Func::lower(Expr::val(recipient.as_str()))),
        );
    }
    by_unique_column(query, outbox::Column::Id, Order::Desc, at, PAGE_SIZE)
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
