//! Staff sessions, kept in the database: a log-out ends one for good, a
//! password change or a deactivation ends all of an account's, and a
//! session nobody uses for a while ends by itself. The cookie holds a
//! random id; the table only its SHA-256.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::staff::Account;
use crate::db::{begin_write, WriteTxn};
use crate::entities::{staff_session, staff_user};
use crate::error::AppError;

/// How long sessions last; from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

/// Renew `last_seen_at` at most this often: not a write per request.
const TOUCH_EVERY: Duration = Duration::minutes(1);

fn hash(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Starts a session for `staff_id` and returns its id, for the cookie only.
pub async fn start(
    db: &DatabaseConnection,
    staff_id: Uuid,
    user_agent: Option<&str>,
    lifetimes: Lifetimes,
) -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let id = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let txn = begin_write(db).await?;
    staff_session::Entity::insert(staff_session::ActiveModel {
        id_hash: Set(hash(&id)),
        staff_id: Set(staff_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + lifetimes.absolute),
        user_agent: Set(user_agent.map(describe)),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// A User-Agent trimmed to what helps someone recognise their device.
fn describe(user_agent: &str) -> String {
    user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

/// The account of a live session, renewing it; `None` when the session is
/// unknown, ended, idle too long or its account is inactive.
pub async fn resume(
    db: &DatabaseConnection,
    id: &str,
    lifetimes: Lifetimes,
) -> Result<Option<(Account, String)>, AppError> {
    let id_hash = hash(id);
    let now = Utc::now();
    let Some(session) = staff_session::Entity::find_by_id(id_hash.clone())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if now >= session.expires_at || now >= session.last_seen_at + lifetimes.idle {
        end(db, id).await?;
        return Ok(None);
    }
    let Some(user) = staff_user::Entity::find_by_id(session.staff_id)
        .one(db)
        .await?
        .filter(|u| u.active)
    else {
        return Ok(None);
    };
    if now - session.last_seen_at >= TOUCH_EVERY {
        let txn = begin_write(db).await?;
        staff_session::Entity::update_many()
            .col_expr(
                staff_session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(staff_session::Column::IdHash.eq(&id_hash))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(Some((Account::from(user), id_hash)))
}

/// Ends one session (a log-out).
pub async fn end(db: &DatabaseConnection, id: &str) -> Result<(), AppError> {
    let txn = begin_write(db).await?;
    staff_session::Entity::delete_by_id(hash(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of an account, in the caller's transaction.
pub async fn end_all(txn: &WriteTxn, staff_id: Uuid) -> Result<u64, AppError> {
    Ok(staff_session::Entity::delete_many()
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .exec(txn)
        .await?
        .rows_affected)
}

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Serialize)]
pub struct SessionView {
    pub started: String,
    pub last_seen: String,
    pub device: Option<String>,
    pub this_one: bool,
}

/// The live sessions of an account, newest first.
pub async fn of(
    db: &impl ConnectionTrait,
    staff_id: Uuid,
    current_hash: &str,
    lifetimes: Lifetimes,
) -> Result<Vec<SessionView>, AppError> {
    let now = Utc::now();
    let time = |t: DateTime<Utc>| {
        super::events::amsterdam(t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    Ok(staff_session::Entity::find()
        .filter(staff_session::Column::StaffId.eq(staff_id))
        .order_by_desc(staff_session::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter(|s| now < s.expires_at && now < s.last_seen_at + lifetimes.idle)
        .map(|s| SessionView {
            this_one: s.id_hash == current_hash,
            started: time(s.created_at),
            last_seen: time(s.last_seen_at),
            device: s.user_agent,
        })
        .collect())
}
