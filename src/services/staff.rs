//! Staff accounts and signing in, with a lock-out after repeated failures.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::audit;
use crate::auth::password;
use crate::db::begin_write;
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
    LockedOut,
}

/// Checks the password. Five failures in a row lock the account for 15
/// minutes; an unknown address costs the same time as a known one. A
/// successful log-in is recorded in the audit log.
pub async fn login(
    db: &sea_orm::DatabaseConnection,
    email: &str,
    plain_password: &str,
) -> Result<Result<Account, LoginError>, AppError> {
    // An address that cannot be one is no account, and never reaches the
    // database (PostgreSQL refuses a NUL in text).
    let Ok(email) = Email::parse(email) else {
        password::verify(plain_password, password::decoy_hash());
        return Ok(Err(LoginError::Wrong));
    };
    let email = email.as_str().to_owned();
    let user = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(&email))
        .filter(staff_user::Column::Active.eq(true))
        .one(db)
        .await?;
    let Some(user) = user else {
        password::verify(plain_password, password::decoy_hash());
        return Ok(Err(LoginError::Wrong));
    };
    let now = Utc::now();
    if user.locked_until.is_some_and(|until| until > now) {
        return Ok(Err(LoginError::LockedOut));
    }
    let ok = password::verify(plain_password, &user.password_hash);
    let txn = begin_write(db).await?;
    let failures = if ok { 0 } else { user.failed_logins + 1 };
    let locks = failures >= MAX_FAILED_LOGINS;
    let mut active: staff_user::ActiveModel = user.clone().into();
    active.failed_logins = Set(if locks { 0 } else { failures });
    active.locked_until = Set(locks.then(|| now + LOCK_OUT_FOR));
    active.update(&txn).await?;
    let outcome = match (ok, locks) {
        (true, _) => {
            audit::record(
                &txn,
                &email,
                "staff.login",
                &email,
                None::<&()>,
                None::<&()>,
            )
            .await?;
            Ok(Account::from(user))
        }
        (false, true) => {
            audit::record(
                &txn,
                &email,
                "staff.locked_out",
                &email,
                None::<&()>,
                None::<&()>,
            )
            .await?;
            Err(LoginError::LockedOut)
        }
        (false, false) => Err(LoginError::Wrong),
    };
    txn.commit().await?;
    Ok(outcome)
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
