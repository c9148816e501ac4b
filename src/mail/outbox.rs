//! The outbox table: rows are written inside the transaction of the change
//! that causes them and claimed by the worker, at most one worker per row.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use super::qr;
use crate::db::WriteTxn;
use crate::domain::MailKind;
use crate::entities::outbox::{self, OutboxStatus};
use crate::views::Views;

/// A rendered e-mail, as the worker hands it to the mailer.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub outbox_id: i64,
    /// The left part of the Message-ID: fixed per outbox row, so a mail
    /// sent again after a crash (sent, but not yet marked so) is
    /// recognisably the same message.
    pub message_key: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub ics: Option<String>,
    /// An image the HTML shows inline (`<img src="cid:...">`): the
    /// check-in QR code.
    pub inline_image: Option<InlineImage>,
}

/// A PNG sent as a related part of the HTML body, named by `content_id`.
#[derive(Debug, Clone)]
pub struct InlineImage {
    pub content_id: String,
    pub png: Vec<u8>,
}

/// What a use case asks to be mailed.
pub struct NewMail<'a, C: Serialize> {
    pub kind: MailKind,
    pub recipient: &'a str,
    pub context: &'a C,
    pub ics: Option<String>,
    pub about: About,
}

/// What an outbox row is about, so the mail log can link it and erasure
/// can find it.
#[derive(Debug, Clone, Copy)]
pub enum About {
    Registration {
        event_id: Uuid,
        registration_id: Uuid,
    },
    Application(Uuid),
    /// A mail to a staff member about their account (a password reset):
    /// about no attendee or applicant, so erasure passes it by and the
    /// purge removes it after the audit period.
    Staff,
}

/// Why a mail could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("rendering the subject: {0}")]
    Render(#[from] tera::Error),
    #[error("serialising the mail context: {0}")]
    Context(#[from] serde_json::Error),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Stores the mail as a pending outbox row in the caller's transaction: the
/// subject rendered (the mail log shows it), the context for the bodies,
/// which the worker renders outside the transaction.
pub async fn enqueue<C: Serialize>(
    txn: &WriteTxn,
    views: &Views,
    mail: NewMail<'_, C>,
) -> Result<(), QueueError> {
    outbox::Entity::insert(pending_row(views, mail)?)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The pending outbox row [`enqueue`] writes, for callers that insert many
/// rows in one statement.
pub fn pending_row<C: Serialize>(
    views: &Views,
    mail: NewMail<'_, C>,
) -> Result<outbox::ActiveModel, QueueError> {
    let subject = views
        .render(&format!("mail/{}.subject.tera", mail.kind), mail.context)?
        .trim()
        .to_owned();
    let context = serde_json::to_string(mail.context)?;
    let now = Utc::now();
    let (event_id, registration_id, application_id) = match mail.about {
        About::Registration {
            event_id,
            registration_id,
        } => (Some(event_id), Some(registration_id), None),
        About::Application(id) => (None, None, Some(id)),
        About::Staff => (None, None, None),
    };
    Ok(outbox::ActiveModel {
        kind: Set(mail.kind),
        recipient: Set(mail.recipient.to_owned()),
        subject: Set(subject),
        context: Set(Some(context)),
        ics: Set(mail.ics),
        event_id: Set(event_id),
        registration_id: Set(registration_id),
        application_id: Set(application_id),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        claimed_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
}

/// Takes up to `limit` due rows under `claim`: first rows whose lease ran
/// out (a worker stopped while sending them), then pending rows in the
/// order they fell due. On PostgreSQL the inner `FOR UPDATE SKIP LOCKED`
/// lets several app instances claim side by side without ever taking the
/// same row; SQLite runs each UPDATE atomically.
pub async fn claim_due(
    db: &WriteTxn,
    now: DateTime<Utc>,
    limit: u64,
    lease: std::time::Duration,
    claim: &str,
) -> Result<Vec<outbox::Model>, DbErr> {
    let locked_until = now + lease_of(lease);
    let lease_ran_out = Condition::all()
        .add(outbox::Column::Status.eq(OutboxStatus::Sending))
        .add(outbox::Column::LockedUntil.lt(now));
    let mut claimed = claim_where(db, lease_ran_out, limit, locked_until, claim).await?;
    let left = limit.saturating_sub(claimed.len() as u64);
    if left > 0 {
        let pending = Condition::all()
            .add(outbox::Column::Status.eq(OutboxStatus::Pending))
            .add(outbox::Column::NextAttemptAt.lte(now));
        claimed.extend(claim_where(db, pending, left, locked_until, claim).await?);
    }
    // The claimed rows are read again rather than trusted from RETURNING:
    // on SQLite, RETURNING gave NULL for the `context` column (added by a
    // later migration) on some connections, and mail went out empty. The
    // read also orders the batch: mail to one person must leave in the
    // order it was written (waiting list before "you moved up").
    outbox::Entity::find()
        .filter(outbox::Column::Id.is_in(claimed))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await
}

fn lease_of(lease: std::time::Duration) -> Duration {
    Duration::from_std(lease).unwrap_or_else(|_| Duration::minutes(5))
}

/// Marks up to `limit` rows matching `due` as being sent under `claim`
/// until `locked_until`, and returns their ids. The rows are picked in the
/// order of the index on (status, next attempt): with one condition on
/// status and that order, the database reads `limit` index entries. One
/// query with both conditions, ordered by id, read and sorted every due
/// row first (BENCHMARKS.md, item 18).
async fn claim_where(
    db: &impl ConnectionTrait,
    due: Condition,
    limit: u64,
    locked_until: DateTime<Utc>,
    claim: &str,
) -> Result<Vec<i64>, DbErr> {
    let mut pick = Query::select();
    pick.column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(due)
        .order_by(outbox::Column::NextAttemptAt, sea_orm::Order::Asc)
        .order_by(outbox::Column::Id, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    let claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sending))
        .col_expr(outbox::Column::LockedUntil, Expr::value(locked_until))
        .col_expr(outbox::Column::ClaimedBy, Expr::value(claim))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::Id.in_subquery(pick))
        .exec_with_returning(db)
        .await?;
    Ok(claimed.into_iter().map(|row| row.id).collect())
}

/// The row `id` while it is still being sent under `claim`.
fn still_claimed(id: i64, claim: &str) -> Condition {
    Condition::all()
        .add(outbox::Column::Id.eq(id))
        .add(outbox::Column::Status.eq(OutboxStatus::Sending))
        .add(outbox::Column::ClaimedBy.eq(claim))
}

/// Extends the lease on row `id` to `now + lease` if it is still under
/// `claim`. False when it is not: the lease ran out and another worker
/// took the row, which is then that worker's to send.
pub async fn renew(
    db: &WriteTxn,
    id: i64,
    claim: &str,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Result<bool, DbErr> {
    let renewed = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(now + lease_of(lease)),
        )
        .filter(still_claimed(id, claim))
        .exec(db)
        .await?;
    Ok(renewed.rows_affected == 1)
}

/// Records the mail as sent, if it is still under `claim` (false if not:
/// then another worker took it over). The context goes: with it the bodies
/// could be rendered again. The mail log needs the subject, recipient and
/// times, which stay.
pub async fn mark_sent(db: &WriteTxn, mail: &OutgoingEmail, claim: &str) -> Result<bool, DbErr> {
    let marked = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(outbox::Column::Context, Expr::value(Option::<String>::None))
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(still_claimed(mail.outbox_id, claim))
        .exec(db)
        .await?;
    Ok(marked.rows_affected == 1)
}

/// How a failed attempt counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The mail itself failed (refused, unreadable): counts toward
    /// `mail_max_attempts`.
    OfTheMail,
    /// The server could not be reached or did not answer: counts toward
    /// nothing, the mail waits for the server.
    OfTheServer,
}

/// Records a failed attempt under `claim`: back to `pending` at
/// `retry_at`, or `failed` for good when `retry_at` is `None`. An attempt
/// that never reached the server is given back (`attempts` as before).
pub async fn mark_attempt_failed(
    db: &WriteTxn,
    id: i64,
    claim: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    failure: Failure,
) -> Result<(), DbErr> {
    let (status, next) = match retry_at {
        Some(at) => (OutboxStatus::Pending, at),
        None => (OutboxStatus::Failed, Utc::now()),
    };
    let given_back = i32::from(failure == Failure::OfTheServer);
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).sub(given_back),
        )
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .filter(still_claimed(id, claim))
        .exec(db)
        .await
        .map(drop)
}

/// Gives back every row a worker still holds under one of its claims
/// (`<worker>:...`): pending again at once, the attempt not counted. A
/// stopping instance calls this, so its mail does not wait out the lease.
pub async fn release_claims(db: &WriteTxn, worker: &str) -> Result<u64, DbErr> {
    let released = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Pending))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).sub(1),
        )
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Status.eq(OutboxStatus::Sending))
        .filter(outbox::Column::ClaimedBy.starts_with(format!("{worker}:")))
        .exec(db)
        .await?;
    Ok(released.rows_affected)
}

impl OutgoingEmail {
    /// The mail of an outbox row, its bodies rendered from the stored
    /// context. A sent row keeps no context and cannot be rendered again.
    pub fn render(row: &outbox::Model, views: &Views) -> Result<Self, tera::Error> {
        let context = row
            .context
            .as_deref()
            .ok_or_else(|| tera::Error::msg("outbox row has no context left to render"))?;
        let mut context: serde_json::Value = serde_json::from_str(context)
            .map_err(|e| tera::Error::msg(format!("outbox context: {e}")))?;
        let message_key = format!("outbox-{}-{}", row.id, row.created_at.timestamp_micros());
        let inline_image = check_in_qr(&mut context, &message_key)?;
        let render = |part: &str| views.render(&format!("mail/{}.{part}.tera", row.kind), &context);
        let (body_text, body_html) = (render("txt")?, render("html")?);
        Ok(OutgoingEmail {
            outbox_id: row.id,
            message_key,
            recipient: row.recipient.clone(),
            subject: row.subject.clone(),
            body_text,
            body_html,
            ics: row.ics.clone(),
            inline_image,
        })
    }
}

/// For a mail with a `check_in_url`, its QR code as a PNG, and in the
/// context `check_in_qr` with the part's `cid` and the width to show it at.
fn check_in_qr(
    context: &mut serde_json::Value,
    message_key: &str,
) -> Result<Option<InlineImage>, tera::Error> {
    let Some(url) = context.get("check_in_url").and_then(|url| url.as_str()) else {
        return Ok(None);
    };
    let qr =
        qr::png(url).ok_or_else(|| tera::Error::msg("check-in link too long for a QR code"))?;
    let content_id = format!("checkin-qr.{message_key}@aanmeldpunt");
    if let Some(fields) = context.as_object_mut() {
        fields.insert(
            "check_in_qr".into(),
            serde_json::json!({ "cid": content_id, "width": qr.display_width }),
        );
    }
    Ok(Some(InlineImage {
        content_id,
        png: qr.png,
    }))
}
