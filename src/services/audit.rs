//! The audit log: every staff change, written in the change's transaction.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::entities::audit_log;
use crate::error::AppError;

pub async fn record(
    db: &impl ConnectionTrait,
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
    .insert(db)
    .await?;
    Ok(())
}

/// The newest entries first.
pub async fn recent(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<audit_log::Model>, AppError> {
    Ok(audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
