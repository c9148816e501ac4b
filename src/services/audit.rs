//! The audit log: every staff change, written in the change's transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::db::WriteTxn;
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

#[derive(Debug, Serialize)]
pub struct AuditPage {
    pub entries: Vec<Entry>,
}

/// The newest entries first.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> Result<AuditPage, AppError> {
    let entries = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|e| Entry {
            at: super::events::amsterdam(e.created_at)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            before: e.before,
            after: e.after,
        })
        .collect();
    Ok(AuditPage { entries })
}
