//! Settings admins change in the back office, kept in the database so they
//! hold for every instance at once (unlike `Rocket.toml`), each audited.
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::audit;
use super::staff::Actor;
use crate::db::begin_write;
use crate::entities::app_setting;
use crate::error::AppError;

const TWO_FACTOR_REQUIRED: &str = "two_factor_required_for_admins";

/// Whether admins must log in with a second factor; off until an admin
/// switches it on.
pub async fn two_factor_required_for_admins(db: &impl ConnectionTrait) -> Result<bool, AppError> {
    Ok(app_setting::Entity::find_by_id(TWO_FACTOR_REQUIRED)
        .one(db)
        .await?
        .is_some_and(|s| s.value == "true"))
}

pub async fn set_two_factor_required_for_admins(
    db: &sea_orm::DatabaseConnection,
    required: bool,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let before = two_factor_required_for_admins(&txn).await?;
    app_setting::Entity::delete_by_id(TWO_FACTOR_REQUIRED)
        .exec(&txn)
        .await?;
    app_setting::Entity::insert(app_setting::ActiveModel {
        key: Set(TWO_FACTOR_REQUIRED.to_owned()),
        value: Set(required.to_string()),
        updated_by: Set(by.email.to_owned()),
        updated_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        by.email,
        "settings.two_factor_required",
        TWO_FACTOR_REQUIRED,
        Some(&serde_json::json!({ "required": before })),
        Some(&serde_json::json!({ "required": required })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
