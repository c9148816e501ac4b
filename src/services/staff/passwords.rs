//! A staff member changes their own password on their account page.
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use super::login::{count_failure, locked_out, LoginError};
use super::{audit, invalid, Actor};
use crate::auth::password;
use crate::db::begin_write;
use crate::entities::staff_user;
use crate::error::{AppError, Throttled};
use crate::services::limits::{Limit, Limits};

/// The current password first; a wrong one counts as a wrong log-in (the
/// same lock-out), so a session left open is no way to guess it. Every
/// session of the account ends, this one too; the route signs this browser
/// in again.
pub async fn change_password(
    db: &sea_orm::DatabaseConnection,
    limits: &Limits,
    by: &Actor<'_>,
    current: &str,
    new: &str,
    repeated: &str,
) -> Result<(), AppError> {
    let user = staff_user::Entity::find_by_id(by.id)
        .one(db)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::NotFound)?;
    let typed = user.email.clone();
    refuse_if_locked(locked_out(limits.peek(Limit::FailedLogIns, &typed).await)?)?;
    if let Some(until) = user.locked_until.filter(|t| *t > chrono::Utc::now()) {
        let wait = u64::try_from((until - chrono::Utc::now()).num_seconds()).unwrap_or(1);
        refuse_if_locked(Some(LoginError::LockedOut {
            retry_after_secs: wait.max(1),
        }))?;
    }
    if !password::verify_off_thread(current.to_owned(), user.password_hash.clone()).await {
        let txn = begin_write(db).await?;
        let counted = count_failure(&txn, &user).await?;
        txn.commit().await?;
        refuse_if_locked(locked_out(limits.check(Limit::FailedLogIns, &typed).await)?)?;
        refuse_if_locked(counted.err())?;
        return Err(invalid("current_password", "password-wrong"));
    }
    if new != repeated {
        return Err(invalid("repeated_password", "password-mismatch"));
    }
    let hash = password::hash(new).map_err(|_| invalid("new_password", "password-too-short"))?;
    let txn = begin_write(db).await?;
    let mut active: staff_user::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.failed_logins = Set(0);
    active.update(&txn).await?;
    let ended = crate::services::sessions::end_all(&txn, by.id).await?;
    let after = serde_json::json!({"sessions_ended": ended});
    audit::record(
        &txn,
        by.email,
        "staff.password",
        by.email,
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn refuse_if_locked(locked: Option<LoginError>) -> Result<(), AppError> {
    match locked {
        Some(LoginError::LockedOut { retry_after_secs }) => Err(AppError::RateLimited {
            retry_after_secs,
            of: Throttled::Client,
        }),
        _ => Ok(()),
    }
}
