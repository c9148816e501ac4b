//! Enrolling in and leaving two-factor log-in from one's own account page.
//! A new secret waits unused until a code from the app confirms it; only
//! then does log-in ask for codes.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::login::claim_step;
use super::{audit, invalid, Actor};
use crate::auth::two_factor::{self, TotpKey};
use crate::db::{begin_write, WriteTxn};
use crate::domain::Role;
use crate::entities::staff_user;
use crate::error::AppError;

/// Where someone's two-factor log-in stands.
pub enum State {
    Off,
    /// A secret waits for its first code; shown again until confirmed.
    Enrolling(Vec<u8>),
    On,
}

async fn user(db: &impl sea_orm::ConnectionTrait, id: Uuid) -> Result<staff_user::Model, AppError> {
    staff_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)
}

pub async fn state(
    db: &sea_orm::DatabaseConnection,
    key: &TotpKey,
    id: Uuid,
) -> Result<State, AppError> {
    let user = user(db, id).await?;
    Ok(match (&user.totp_secret, user.totp_enabled_at) {
        (Some(_), Some(_)) => State::On,
        (Some(sealed), None) => key.open(id, sealed).map_or(State::Off, State::Enrolling),
        (None, _) => State::Off,
    })
}

/// A new secret for the account, not yet in use.
pub async fn start(
    db: &sea_orm::DatabaseConnection,
    key: &TotpKey,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let user = user(&txn, by.id).await?;
    if user.totp_enabled_at.is_some() {
        return Err(AppError::Conflict("error-two-factor-on"));
    }
    let sealed = key
        .seal(by.id, &two_factor::new_secret())
        .ok_or_else(|| AppError::internal(SealFailed))?;
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::TotpSecret, Expr::value(Some(sealed)))
        .col_expr(
            staff_user::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(staff_user::Column::Id.eq(by.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("the TOTP secret could not be encrypted")]
struct SealFailed;

/// Checks `code` against the account's secret and uses it up.
async fn take_code(
    txn: &WriteTxn,
    key: &TotpKey,
    user: &staff_user::Model,
    code: &str,
) -> Result<bool, AppError> {
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|sealed| key.open(user.id, sealed))
        .and_then(|secret| two_factor::matching_step(&secret, code, now));
    match step {
        Some(step) => claim_step(txn, user.id, step).await,
        None => Ok(false),
    }
}

/// The first code from the app switches two-factor log-in on.
pub async fn confirm(
    db: &sea_orm::DatabaseConnection,
    key: &TotpKey,
    by: &Actor<'_>,
    code: &str,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let user = user(&txn, by.id).await?;
    if user.totp_enabled_at.is_some() {
        return Ok(());
    }
    if !take_code(&txn, key, &user, code).await? {
        return Err(invalid("code", "two-factor-code-wrong"));
    }
    staff_user::Entity::update_many()
        .col_expr(
            staff_user::Column::TotpEnabledAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(staff_user::Column::Id.eq(by.id))
        .exec(&txn)
        .await?;
    let action = "staff.two_factor_enabled";
    audit::record(&txn, by.email, action, by.email, None::<&()>, None::<&()>).await?;
    txn.commit().await?;
    Ok(())
}

/// Switches it off with a current code; not for an admin while admins
/// must use it.
pub async fn disable(
    db: &sea_orm::DatabaseConnection,
    key: &TotpKey,
    by: &Actor<'_>,
    code: &str,
) -> Result<(), AppError> {
    let required = crate::services::settings::two_factor_required_for_admins(db).await?;
    let txn = begin_write(db).await?;
    let user = user(&txn, by.id).await?;
    if required && user.role == Role::Admin {
        return Err(AppError::Conflict("error-two-factor-required"));
    }
    if !take_code(&txn, key, &user, code).await? {
        return Err(invalid("code", "two-factor-code-wrong"));
    }
    clear(&txn, by.id).await?;
    let action = "staff.two_factor_disabled";
    audit::record(&txn, by.email, action, by.email, None::<&()>, None::<&()>).await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets the account's secret, in the caller's transaction.
pub(super) async fn clear(txn: &WriteTxn, id: Uuid) -> Result<(), AppError> {
    staff_user::Entity::update_many()
        .col_expr(
            staff_user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            staff_user::Column::TotpEnabledAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            staff_user::Column::TotpLastStep,
            Expr::value(Option::<i64>::None),
        )
        .filter(staff_user::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}
