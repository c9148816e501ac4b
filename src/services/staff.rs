//! Staff accounts and signing in, with a lock-out after repeated failures.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use sea_orm::sea_query::Expr;

use super::audit;
use super::limits::{Limit, Limits};
use crate::auth::password;
use crate::db::{begin_write, WriteTxn};
use crate::domain::{Email, Line, ParseError, Role};
use crate::entities::staff_user;
use crate::error::AppError;

pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_OUT_FOR: Duration = Duration::minutes(15);

/// A staff account as the back office shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub locked: bool,
}

impl From<staff_user::Model> for Account {
    fn from(user: staff_user::Model) -> Self {
        Account {
            locked: user.locked_until.is_some_and(|t| t > Utc::now()),
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            active: user.active,
        }
    }
}

fn invalid(field: &'static str, code: &'static str) -> AppError {
    AppError::Validation([(field, ParseError(code))].into())
}

pub async fn create(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
    plain_password: &str,
    actor: &str,
) -> Result<Uuid, AppError> {
    let email = Email::parse(email).map_err(|e| invalid("email", e.0))?;
    let name = Line::<200>::parse(name).map_err(|e| invalid("name", e.0))?;
    let hash =
        password::hash(plain_password).map_err(|_| invalid("password", "password-too-short"))?;
    let txn = begin_write(db).await?;
    let exists = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict("error-account-exists"));
    }
    let id = Uuid::new_v4();
    staff_user::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.as_str().to_owned()),
        role: Set(role),
        password_hash: Set(hash),
        failed_logins: Set(0),
        locked_until: Set(None),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let after = serde_json::json!({"email": email.as_str(), "name": name.as_str(), "role": role});
    audit::record(
        &txn,
        actor,
        "staff.create",
        email.as_str(),
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    Wrong,
    /// Too many wrong passwords for this address, whether it has an
    /// account or not: the same answer, so nobody learns which do.
    LockedOut {
        retry_after_secs: u64,
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
) -> Result<Result<Account, LoginError>, AppError> {
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
    let now = Utc::now();
    if let Some(until) = user
        .as_ref()
        .and_then(|u| u.locked_until)
        .filter(|t| *t > now)
    {
        return Ok(Err(LoginError::LockedOut {
            retry_after_secs: seconds_until(until),
        }));
    }
    let stored = user.as_ref().map_or_else(
        || password::decoy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let right = password::verify_off_thread(plain_password.to_owned(), stored).await;
    let txn = begin_write(db).await?;
    let outcome = match user {
        Some(user) if right => {
            if user.failed_logins != 0 {
                let mut active: staff_user::ActiveModel = user.clone().into();
                active.failed_logins = Set(0);
                active.update(&txn).await?;
            }
            let who = user.email.clone();
            audit::record(&txn, &who, "staff.login", &who, None::<&()>, None::<&()>).await?;
            Ok(Account::from(user))
        }
        Some(user) => count_failure(&txn, &user, now).await?,
        None => Err(LoginError::Wrong),
    };
    txn.commit().await?;
    if outcome.is_err() {
        if let Some(locked) = locked_out(limits.check(Limit::FailedLogIns, &typed).await)? {
            return Ok(Err(locked));
        }
    }
    Ok(outcome)
}

/// One more wrong password for `user`, counted in the database itself; the
/// guess that reaches the limit locks the account.
async fn count_failure(
    txn: &WriteTxn,
    user: &staff_user::Model,
    now: chrono::DateTime<Utc>,
) -> Result<Result<Account, LoginError>, AppError> {
    use sea_orm::sea_query::ExprTrait;
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
    let until = now + LOCK_OUT_FOR;
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
    u64::try_from((until - Utc::now()).num_seconds())
        .unwrap_or(0)
        .max(1)
}

/// A refusal by the per-address count as the log-in's answer.
fn locked_out(checked: Result<(), AppError>) -> Result<Option<LoginError>, AppError> {
    match checked {
        Ok(()) => Ok(None),
        Err(AppError::RateLimited {
            retry_after_secs, ..
        }) => Ok(Some(LoginError::LockedOut { retry_after_secs })),
        Err(other) => Err(other),
    }
}

/// The active account with this id, for the session guard.
pub async fn active_account(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Account>, DbErr> {
    Ok(staff_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|user| user.active)
        .map(Account::from))
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Account>, AppError> {
    Ok(staff_user::Entity::find()
        .order_by_asc(staff_user::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .map(Account::from)
        .collect())
}

/// An admin changes someone's role or (de)activates the account; an admin
/// cannot lock themselves out this way.
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
    role: Role,
    active: bool,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    if id == by.id && (!active || role != Role::Admin) {
        return Err(AppError::Conflict("error-own-account"));
    }
    let txn = begin_write(db).await?;
    let user = staff_user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = serde_json::json!({"role": user.role, "active": user.active});
    let email = user.email.clone();
    let mut active_model: staff_user::ActiveModel = user.into();
    active_model.role = Set(role);
    active_model.active = Set(active);
    active_model.update(&txn).await?;
    if !active {
        super::sessions::end_all(&txn, id).await?;
    }
    let after = serde_json::json!({"role": role, "active": active});
    audit::record(
        &txn,
        by.email,
        "staff.update",
        &email,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Who does something in the back office, as services need to know it.
pub struct Actor<'a> {
    pub id: Uuid,
    pub email: &'a str,
}

/// A staff member changes their own password: the current one first. Every
/// session of the account ends, this one too; the route signs this browser
/// in again.
pub async fn change_password(
    db: &sea_orm::DatabaseConnection,
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
    if !password::verify_off_thread(current.to_owned(), user.password_hash.clone()).await {
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
    let ended = super::sessions::end_all(&txn, by.id).await?;
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

/// "Log out everywhere": every session of the account ends, this one too.
pub async fn end_sessions(
    db: &sea_orm::DatabaseConnection,
    by: &Actor<'_>,
) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    let ended = super::sessions::end_all(&txn, by.id).await?;
    let after = serde_json::json!({"sessions_ended": ended});
    audit::record(
        &txn,
        by.email,
        "staff.sessions_ended",
        by.email,
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
