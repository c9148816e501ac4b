//! The audit log: every staff change, written in the change's transaction.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, Order, QueryFilter, Select,
};
use serde::Serialize;

use super::paging::by_unique_column;
use crate::db::WriteTxn;
use crate::domain::{PageAt, Window, PAGE_SIZE};
use crate::entities::audit_log;
use crate::error::AppError;

/// Writes one audit row in the transaction of the change it records.
pub async fn record(
    txn: &WriteTxn,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<&impl Serialize>,
    after: Option<&impl Serialize>,
) -> Result<(), AppError> {
    audit_log::ActiveModel {
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        subject: Set(subject.to_owned()),
        before: Set(before.and_then(|v| serde_json::to_string(v).ok())),
        after: Set(after.and_then(|v| serde_json::to_string(v).ok())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// One audit row as the back office shows it.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The page at `at` of the log, newest first, keyed by id; `actor` keeps
/// one member of staff's entries, the address compared without case.
pub async fn page(
    db: &impl ConnectionTrait,
    actor: Option<&str>,
    at: &PageAt<i64>,
) -> Result<Window<Entry, i64>, AppError> {
    let rows = page_query(actor, at).all(db).await?;
    Ok(
        Window::from_rows(rows, at, PAGE_SIZE, |e| e.id).map(|e| Entry {
            at: super::events::amsterdam(e.created_at)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            before: e.before,
            after: e.after,
        }),
    )
}

/// The read of one page of the log (public for the index check in
/// `tests/api/list_paging.rs`).
pub fn page_query(actor: Option<&str>, at: &PageAt<i64>) -> Select<audit_log::Entity> {
    let mut query = audit_log::Entity::find();
    if let Some(actor) = actor {
        query = query.filter(
            Expr::expr(Func::lower(Expr::col(audit_log::Column::Actor)))
                .eq(Func::lower(Expr::val(actor))),
        );
    }
    by_unique_column(query, audit_log::Column::Id, Order::Desc, at, PAGE_SIZE)
}
