//! What an admin changes on the accounts page: a role, (de)activation and
//! a lost authenticator. The back office keeps at least one active admin,
//! and no admin removes their own admin role or account.
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{audit, Actor};
use crate::db::{begin_write, for_update, WriteTxn};
use crate::domain::Role;
use crate::entities::staff_user;
use crate::error::AppError;

/// The account, locked for this change where the database can
/// (PostgreSQL); SQLite's write transaction already runs alone.
async fn account(txn: &WriteTxn, id: Uuid) -> Result<staff_user::Model, AppError> {
    for_update(txn, staff_user::Entity::find_by_id(id))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave no active admin. The other admins are
/// locked too, so two admins demoting each other at once cannot both pass.
async fn keep_an_admin(txn: &WriteTxn, leaving: Uuid) -> Result<(), AppError> {
    let others = staff_user::Entity::find()
        .filter(staff_user::Column::Role.eq(Role::Admin))
        .filter(staff_user::Column::Active.eq(true))
        .filter(staff_user::Column::Id.ne(leaving));
    if for_update(txn, others).all(txn).await?.is_empty() {
        return Err(AppError::Conflict("error-last-admin"));
    }
    Ok(())
}

pub async fn set_role(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    role: Role,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    if id == by.id && role != Role::Admin {
        return Err(AppError::Conflict("error-own-account"));
    }
    let txn = begin_write(db).await?;
    let user = account(&txn, id).await?;
    if user.role == role {
        return Ok(());
    }
    if user.role == Role::Admin && user.active {
        keep_an_admin(&txn, id).await?;
    }
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::Role, Expr::value(role))
        .filter(staff_user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let before = serde_json::json!({ "role": user.role });
    let after = serde_json::json!({ "role": role });
    let action = "staff.role";
    audit::record(
        &txn,
        by.email,
        action,
        &user.email,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A deactivated account cannot log in and its sessions end at once.
pub async fn set_active(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    active: bool,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    if id == by.id && !active {
        return Err(AppError::Conflict("error-own-account"));
    }
    let txn = begin_write(db).await?;
    let user = account(&txn, id).await?;
    if user.active == active {
        return Ok(());
    }
    if !active && user.role == Role::Admin {
        keep_an_admin(&txn, id).await?;
    }
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::Active, Expr::value(active))
        .filter(staff_user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let mut after = serde_json::json!({ "active": active });
    if !active {
        after["sessions_ended"] = crate::services::sessions::end_all(&txn, id).await?.into();
    }
    let action = if active {
        "staff.reactivated"
    } else {
        "staff.deactivated"
    };
    audit::record(
        &txn,
        by.email,
        action,
        &user.email,
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Switches off someone's two-factor log-in (a lost phone, or a changed
/// `secret_key`); they log in with their password and may enrol again.
pub async fn reset_two_factor(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let user = account(&txn, id).await?;
    super::two_factor::clear(&txn, id).await?;
    let action = "staff.two_factor_reset";
    audit::record(
        &txn,
        by.email,
        action,
        &user.email,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
