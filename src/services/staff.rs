//! Staff accounts and signing in, with a lock-out after repeated failures.
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::audit;
use crate::auth::{password, Role, Staff};
use crate::domain::Email;
use crate::entities::staff_user;
use crate::error::AppError;

pub const MAX_FAILED_LOGINS: i32 = 5;
pub const LOCK_OUT_FOR: Duration = Duration::minutes(15);

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// A field and the translation code of what is wrong with it.
    #[error("{field}: {}", crate::i18n::text(crate::domain::Lang::En, &format!("field-error-{code}")))]
    Invalid {
        field: &'static str,
        code: &'static str,
    },
    #[error("an account with this e-mail address exists already")]
    Exists,
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Failed(#[from] AppError),
}

pub async fn create(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
    plain_password: &str,
    actor: &str,
) -> Result<Uuid, CreateError> {
    let email = Email::parse(email).map_err(|e| CreateError::Invalid {
        field: "email",
        code: e.0,
    })?;
    let name = name.trim();
    if name.is_empty() {
        return Err(CreateError::Invalid {
            field: "name",
            code: "required",
        });
    }
    let hash = password::hash(plain_password).map_err(|_| CreateError::Invalid {
        field: "password",
        code: "password-too-short",
    })?;
    let txn = crate::db::begin_write(db).await?;
    let exists = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(CreateError::Exists);
    }
    let id = Uuid::new_v4();
    staff_user::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        password_hash: Set(hash),
        failed_logins: Set(0),
        locked_until: Set(None),
        active: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let after = serde_json::json!({"email": email.as_str(), "name": name, "role": role.as_str()});
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
/// minutes; an unknown address costs the same time as a known one.
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    plain_password: &str,
) -> Result<Result<Staff, LoginError>, AppError> {
    let email = email.trim().to_lowercase();
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
    let failures = if ok { 0 } else { user.failed_logins + 1 };
    let mut active: staff_user::ActiveModel = user.clone().into();
    active.failed_logins = Set(if failures >= MAX_FAILED_LOGINS {
        0
    } else {
        failures
    });
    active.locked_until = Set((failures >= MAX_FAILED_LOGINS).then(|| now + LOCK_OUT_FOR));
    active.update(db).await?;
    if !ok {
        if failures >= MAX_FAILED_LOGINS {
            audit::record(
                db,
                &email,
                "staff.locked_out",
                &email,
                None::<&()>,
                None::<&()>,
            )
            .await?;
            return Ok(Err(LoginError::LockedOut));
        }
        return Ok(Err(LoginError::Wrong));
    }
    let role = Role::parse(&user.role).ok_or(AppError::Forbidden)?;
    Ok(Ok(Staff {
        id: user.id,
        email: user.email,
        name: user.name,
        role,
    }))
}

#[derive(Debug, serde::Serialize)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub locked: bool,
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<Account>, AppError> {
    use sea_orm::QueryOrder;
    let now = Utc::now();
    Ok(staff_user::Entity::find()
        .order_by_asc(staff_user::Column::Email)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Account {
            locked: u.locked_until.is_some_and(|t| t > now),
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            active: u.active,
        })
        .collect())
}

/// An admin changes someone's role or (de)activates the account; an admin
/// cannot lock themselves out this way.
pub async fn update(
    db: &DatabaseConnection,
    id: Uuid,
    role: Role,
    active: bool,
    by: &Staff,
) -> Result<(), AppError> {
    if id == by.id && (!active || role != Role::Admin) {
        return Err(AppError::Conflict("error-own-account"));
    }
    let txn = crate::db::begin_write(db).await?;
    let user = staff_user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = serde_json::json!({"role": user.role, "active": user.active});
    let mut active_model: staff_user::ActiveModel = user.clone().into();
    active_model.role = Set(role.as_str().to_owned());
    active_model.active = Set(active);
    active_model.update(&txn).await?;
    let after = serde_json::json!({"role": role.as_str(), "active": active});
    audit::record(
        &txn,
        &by.email,
        "staff.update",
        &user.email,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
