//! Signing in: the password, then the code of the authenticator app when
//! the account has two-factor log-in. Wrong passwords and wrong codes are
//! one count: five lock the account for 15 minutes.
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{audit, Account, LOCK_OUT_FOR, MAX_FAILED_LOGINS};
use crate::auth::password;
use crate::auth::two_factor::{self, TotpKey};
use crate::db::{begin_write, WriteTxn};
use crate::domain::Email;
use crate::entities::staff_user;
use crate::error::AppError;
use crate::services::limits::{Limit, Limits};

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    Wrong,
    /// Too many wrong passwords for this address, whether it has an
    /// account or not: the same answer, so nobody learns which do.
    LockedOut {
        retry_after_secs: u64,
    },
}

/// Where a right password leads.
#[derive(Debug)]
pub enum LoginStep {
    SignedIn(Account),
    /// The account has two-factor log-in: its code comes next. Nothing is
    /// reset yet, so a known password does not buy more guesses at codes.
    CodeNeeded {
        staff_id: Uuid,
    },
}

/// Checks the password. Five wrong ones lock the account for 15 minutes,
/// counted atomically in the database so guesses sent at once cannot
/// overwrite each other's count; the same five are counted per address in
/// the rate limits, so an address without an account answers alike. An
/// unknown address costs the same time as a known one. Hashing runs off
/// the request threads. A log-in is recorded in the audit log.
pub async fn login(
    db: &sea_orm::DatabaseConnection,
    limits: &Limits,
    email: &str,
    plain_password: &str,
) -> Result<Result<LoginStep, LoginError>, AppError> {
    let typed = email.trim().to_lowercase();
    if let Some(locked) = locked_out(limits.peek(Limit::FailedLogIns, &typed).await)? {
        return Ok(Err(locked));
    }
    // An address that cannot be one is no account, and never reaches the
    // database (PostgreSQL refuses a NUL in text).
    let user = match Email::parse(email) {
        Ok(email) => {
            staff_user::Entity::find()
                .filter(staff_user::Column::Email.eq(email.as_str()))
                .filter(staff_user::Column::Active.eq(true))
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    if let Some(locked) = user.as_ref().and_then(lock_of) {
        return Ok(Err(locked));
    }
    let stored = user.as_ref().map_or_else(
        || password::decoy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let right = password::verify_off_thread(plain_password.to_owned(), stored).await;
    let txn = begin_write(db).await?;
    let outcome = match user {
        Some(user) if right && user.totp_enabled_at.is_some() => {
            Ok(LoginStep::CodeNeeded { staff_id: user.id })
        }
        Some(user) if right => Ok(LoginStep::SignedIn(signed_in(&txn, user, false).await?)),
        Some(user) => count_failure(&txn, &user).await?.map(LoginStep::SignedIn),
        None => Err(LoginError::Wrong),
    };
    txn.commit().await?;
    counted(limits, &typed, outcome).await
}

/// The second step: the code of the account whose password was right. A
/// code counts once: its time step is stored, and a code of that step or
/// an earlier one is wrong from then on.
pub async fn login_code(
    db: &sea_orm::DatabaseConnection,
    limits: &Limits,
    key: &TotpKey,
    staff_id: Uuid,
    code: &str,
) -> Result<Result<Account, LoginError>, AppError> {
    let Some(user) = staff_user::Entity::find_by_id(staff_id)
        .one(db)
        .await?
        .filter(|u| u.active)
    else {
        return Ok(Err(LoginError::Wrong));
    };
    let typed = user.email.clone();
    if let Some(locked) = locked_out(limits.peek(Limit::FailedLogIns, &typed).await)? {
        return Ok(Err(locked));
    }
    if let Some(locked) = lock_of(&user) {
        return Ok(Err(locked));
    }
    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
    let step = user
        .totp_secret
        .as_deref()
        .and_then(|sealed| key.open(user.id, sealed))
        .and_then(|secret| two_factor::matching_step(&secret, code, now));
    let txn = begin_write(db).await?;
    let fresh = match step {
        Some(step) => claim_step(&txn, user.id, step).await?,
        None => false,
    };
    let outcome = if fresh {
        Ok(signed_in(&txn, user, true).await?)
    } else {
        count_failure(&txn, &user).await?
    };
    txn.commit().await?;
    counted(limits, &typed, outcome).await
}

/// Records that the code of `step` was used, unless it or a later one was:
/// one statement, so two requests with one code cannot both pass.
pub(super) async fn claim_step(
    txn: &WriteTxn,
    staff_id: Uuid,
    step: i64,
) -> Result<bool, AppError> {
    let claimed = staff_user::Entity::update_many()
        .col_expr(staff_user::Column::TotpLastStep, Expr::value(Some(step)))
        .filter(staff_user::Column::Id.eq(staff_id))
        .filter(
            Condition::any()
                .add(staff_user::Column::TotpLastStep.is_null())
                .add(staff_user::Column::TotpLastStep.lt(step)),
        )
        .exec(txn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// A wrong answer also counts per typed address, as for unknown addresses.
async fn counted<T>(
    limits: &Limits,
    typed: &str,
    outcome: Result<T, LoginError>,
) -> Result<Result<T, LoginError>, AppError> {
    if outcome.is_err() {
        if let Some(locked) = locked_out(limits.check(Limit::FailedLogIns, typed).await)? {
            return Ok(Err(locked));
        }
    }
    Ok(outcome)
}

/// The account is locked out now.
fn lock_of(user: &staff_user::Model) -> Option<LoginError> {
    user.locked_until
        .filter(|t| *t > Utc::now())
        .map(|until| LoginError::LockedOut {
            retry_after_secs: seconds_until(until),
        })
}

/// The log-in succeeded: the count of failures starts again, the time is
/// kept for the accounts page, and the audit log says so.
async fn signed_in(
    txn: &WriteTxn,
    user: staff_user::Model,
    with_code: bool,
) -> Result<Account, AppError> {
    let now = Utc::now();
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::FailedLogins, Expr::value(0))
        .col_expr(staff_user::Column::LastLoginAt, Expr::value(Some(now)))
        .filter(staff_user::Column::Id.eq(user.id))
        .exec(txn)
        .await?;
    let who = user.email.clone();
    let after = serde_json::json!({ "two_factor": with_code });
    audit::record(txn, &who, "staff.login", &who, None::<&()>, Some(&after)).await?;
    Ok(Account::from(staff_user::Model {
        last_login_at: Some(now),
        ..user
    }))
}

/// One more wrong password or code for `user`, counted in the database
/// itself; the guess that reaches the limit locks the account.
pub(super) async fn count_failure(
    txn: &WriteTxn,
    user: &staff_user::Model,
) -> Result<Result<Account, LoginError>, AppError> {
    let counted = staff_user::Entity::update_many()
        .col_expr(
            staff_user::Column::FailedLogins,
            Expr::col(staff_user::Column::FailedLogins).add(1),
        )
        .filter(staff_user::Column::Id.eq(user.id))
        .exec_with_returning(txn)
        .await?;
    let failures = counted.first().map_or(0, |u| u.failed_logins);
    if failures < MAX_FAILED_LOGINS {
        return Ok(Err(LoginError::Wrong));
    }
    let until = Utc::now() + LOCK_OUT_FOR;
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::FailedLogins, Expr::value(0))
        .col_expr(staff_user::Column::LockedUntil, Expr::value(Some(until)))
        .filter(staff_user::Column::Id.eq(user.id))
        .exec(txn)
        .await?;
    audit::record(
        txn,
        &user.email,
        "staff.locked_out",
        &user.email,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    Ok(Err(LoginError::LockedOut {
        retry_after_secs: seconds_until(until),
    }))
}

fn seconds_until(until: chrono::DateTime<Utc>) -> u64 {
    let secs = u64::try_from((until - Utc::now()).num_seconds()).unwrap_or(0);
    Ord::max(secs, 1)
}

/// A refusal by the per-address count as the log-in's answer.
pub(super) fn locked_out(checked: Result<(), AppError>) -> Result<Option<LoginError>, AppError> {
    match checked {
        Ok(()) => Ok(None),
        Err(AppError::RateLimited {
            retry_after_secs, ..
        }) => Ok(Some(LoginError::LockedOut { retry_after_secs })),
        Err(other) => Err(other),
    }
}
