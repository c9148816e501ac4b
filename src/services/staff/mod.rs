//! Staff accounts: creating and listing them here; signing in (with a
//! lock-out after repeated failures) in `login`, what admins change in
//! `manage`, passwords in `password`, the second factor in `two_factor`.
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

mod login;
pub mod manage;
pub mod password_reset;
mod passwords;
pub mod two_factor;

pub use login::{login, login_code, LoginError, LoginStep};
pub use passwords::change_password;

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
    /// When the account last logged in, in Amsterdam time.
    pub last_login: Option<String>,
    pub two_factor: bool,
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
            last_login: user.last_login_at.map(|t| {
                super::events::amsterdam(t)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            two_factor: user.totp_enabled_at.is_some(),
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
        last_login_at: Set(None),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
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

/// Who does something in the back office, as services need to know it.
pub struct Actor<'a> {
    pub id: Uuid,
    pub email: &'a str,
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
