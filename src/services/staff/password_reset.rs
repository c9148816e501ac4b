//! A forgotten password without the command line: an admin sends the staff
//! member a link (through the outbox, its token issued as the mail is
//! sent), valid for an hour and once; the link page sets a new password
//! and ends the account's sessions.
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::{audit, invalid, Actor};
use crate::auth::password;
use crate::db::begin_write;
use crate::domain::{MailKind, TokenPurpose};
use crate::entities::staff_user;
use crate::error::AppError;
use crate::mail::links::{LinkToIssue, LinksToIssue};
use crate::mail::outbox::{enqueue, About, NewMail};
use crate::services::{sessions, tokens, Services};

/// How long a reset link works after it is sent.
pub const VALID_FOR: Duration = Duration::hours(1);

/// The path the link opens, before its token.
pub const PATH: &str = "/admin/password/";

#[derive(Serialize)]
struct ResetMail<'a> {
    lang: &'static str,
    name: &'a str,
    links_to_issue: LinksToIssue,
}

/// Queues the reset mail to an active account, audited. Staff accounts are
/// Dutch-language: the mail is in Dutch.
pub async fn send_link(services: &Services, id: Uuid, by: &Actor<'_>) -> Result<(), AppError> {
    let txn = begin_write(&services.db).await?;
    let user = staff_user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Conflict("error-account-inactive"))?;
    let link = LinkToIssue::valid_for(TokenPurpose::PasswordReset, user.id, PATH, VALID_FOR);
    let context = ResetMail {
        lang: "nl",
        name: &user.name,
        links_to_issue: LinksToIssue::from([("reset_url", link)]),
    };
    enqueue(
        &txn,
        &services.views,
        NewMail {
            kind: MailKind::PasswordReset,
            recipient: &user.email,
            context: &context,
            ics: None,
            about: About::Staff,
        },
    )
    .await?;
    audit::record(
        &txn,
        by.email,
        "staff.password_reset_sent",
        &user.email,
        None::<&()>,
        None::<&()>,
    )
    .await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(())
}

/// Whether the link still opens the form (it is not checked again here:
/// the POST uses it up).
pub async fn link_is_live(db: &sea_orm::DatabaseConnection, token: &str) -> Result<bool, AppError> {
    Ok(tokens::resolve(db, TokenPurpose::PasswordReset, token)
        .await?
        .is_some())
}

/// Sets the new password through the link, which is used up with every
/// other reset link of the account. The lock-out ends with it; every
/// session of the account ends.
pub async fn reset(
    db: &sea_orm::DatabaseConnection,
    token: &str,
    new: &str,
    repeated: &str,
) -> Result<(), AppError> {
    if new != repeated {
        return Err(invalid("repeated_password", "password-mismatch"));
    }
    let hash = password::hash(new).map_err(|_| invalid("new_password", "password-too-short"))?;
    let txn = begin_write(db).await?;
    let id = tokens::consume(&txn, TokenPurpose::PasswordReset, token)
        .await?
        .ok_or(AppError::LinkExpiredOrUnknown)?;
    let user = staff_user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::LinkExpiredOrUnknown)?;
    tokens::revoke_all(&txn, TokenPurpose::PasswordReset, id).await?;
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::PasswordHash, Expr::value(hash))
        .col_expr(staff_user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            staff_user::Column::LockedUntil,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(staff_user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let ended = sessions::end_all(&txn, id).await?;
    let after = serde_json::json!({"sessions_ended": ended});
    audit::record(
        &txn,
        &user.email,
        "staff.password_reset",
        &user.email,
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
