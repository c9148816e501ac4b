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
}

/// What a use case asks to be mailed.
pub struct NewMail<'a, C: Serialize> {
    /// Template base name: `mail/<kind>.{subject,txt,html}.tera`.
    pub kind: &'static str,
    pub recipient: &'a str,
    pub context: &'a C,
    pub ics: Option<String>,
    pub event_id: Option<Uuid>,
    pub registration_id: Option<Uuid>,
}

/// Stores the mail as a pending outbox row on `db`, which is the caller's
/// transaction: the subject rendered (the mail log shows it), the context
/// for the bodies, which the worker renders outside the transaction.
pub async fn enqueue<C: Serialize>(
    db: &impl ConnectionTrait,
    views: &Views,
    mail: NewMail<'_, C>,
) -> Result<(), crate::error::AppError> {
    outbox::Entity::insert(pending_row(views, mail)?)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The pending outbox row [`enqueue`] writes, for callers that insert many
/// rows in one statement.
pub fn pending_row<C: Serialize>(
    views: &Views,
    mail: NewMail<'_, C>,
) -> Result<outbox::ActiveModel, crate::error::AppError> {
    let subject = views
        .render(&format!("mail/{}.subject.tera", mail.kind), mail.context)?
        .trim()
        .to_owned();
    let context = serde_json::to_string(mail.context).map_err(crate::error::AppError::internal)?;
    let now = Utc::now();
    Ok(outbox::ActiveModel {
        kind: Set(mail.kind.to_owned()),
        recipient: Set(mail.recipient.to_owned()),
        subject: Set(subject),
        body_text: Set(String::new()),
        body_html: Set(String::new()),
        context: Set(Some(context)),
        ics: Set(mail.ics),
        event_id: Set(mail.event_id),
        registration_id: Set(mail.registration_id),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    })
}

/// Takes up to `limit` due rows for this worker: first rows whose lease ran
/// out (a worker stopped while sending them), then pending rows in the
/// order they fell due. On PostgreSQL the inner `FOR UPDATE SKIP LOCKED`
/// lets several app instances claim side by side without ever taking the
/// same row; SQLite runs each UPDATE atomically.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    lease: std::time::Duration,
) -> Result<Vec<outbox::Model>, DbErr> {
    let lease = Duration::from_std(lease).unwrap_or_else(|_| Duration::minutes(5));
    let locked_until = now + lease;
    let lease_ran_out = Condition::all()
        .add(outbox::Column::Status.eq(OutboxStatus::Sending))
        .add(outbox::Column::LockedUntil.lt(now));
    let mut claimed = claim(db, lease_ran_out, limit, locked_until).await?;
    let left = limit.saturating_sub(claimed.len() as u64);
    if left > 0 {
        let pending = Condition::all()
            .add(outbox::Column::Status.eq(OutboxStatus::Pending))
            .add(outbox::Column::NextAttemptAt.lte(now));
        claimed.extend(claim(db, pending, left, locked_until).await?);
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

/// Marks up to `limit` rows matching `due` as being sent until
/// `locked_until`, and returns their ids. The rows are picked in the order
/// of the index on (status, next attempt): with one condition on status and
/// that order, the database reads `limit` index entries. One query with
/// both conditions, ordered by id, read and sorted every due row first,
/// which with 30,000 mail waiting took longer than the sign-ups it held up.
async fn claim(
    db: &impl ConnectionTrait,
    due: Condition,
    limit: u64,
    locked_until: DateTime<Utc>,
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
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::Id.in_subquery(pick))
        .exec_with_returning(db)
        .await?;
    Ok(claimed.into_iter().map(|row| row.id).collect())
}

/// Records the mail as sent. The context goes, and the bodies are not
/// stored: they hold the person's manage link in clear, which the database
/// keeps only as a hash (`access_tokens`). The mail log needs the subject,
/// recipient and times, which stay. Writing the rendered HTML back (some
/// 20 kB with the QR table) also cost every sent mail a large write.
pub async fn mark_sent(db: &impl ConnectionTrait, mail: &OutgoingEmail) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(outbox::Column::BodyText, Expr::value(""))
        .col_expr(outbox::Column::BodyHtml, Expr::value(""))
        .col_expr(outbox::Column::Context, Expr::value(Option::<String>::None))
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(mail.outbox_id))
        .exec(db)
        .await
        .map(drop)
}

/// Records a failed attempt: back to `pending` at `retry_at`, or `failed`
/// for good when `retry_at` is `None`.
pub async fn mark_attempt_failed(
    db: &impl ConnectionTrait,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let (status, next) = match retry_at {
        Some(at) => (OutboxStatus::Pending, at),
        None => (OutboxStatus::Failed, Utc::now()),
    };
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(error.chars().take(2000).collect::<String>()),
        )
        .filter(outbox::Column::Id.eq(id))
        .exec(db)
        .await
        .map(drop)
}

impl OutgoingEmail {
    /// The mail of an outbox row, its bodies rendered now if they were not
    /// yet (or taken as stored, once rendered and sent).
    pub fn render(row: &outbox::Model, views: &Views) -> Result<Self, tera::Error> {
        let (body_text, body_html) = match &row.context {
            Some(context) => {
                let context: serde_json::Value = serde_json::from_str(context)
                    .map_err(|e| tera::Error::msg(format!("outbox context: {e}")))?;
                let render =
                    |part: &str| views.render(&format!("mail/{}.{part}.tera", row.kind), &context);
                (render("txt")?, render("html")?)
            }
            None => (row.body_text.clone(), row.body_html.clone()),
        };
        Ok(OutgoingEmail {
            outbox_id: row.id,
            message_key: format!("outbox-{}-{}", row.id, row.created_at.timestamp_micros()),
            recipient: row.recipient.clone(),
            subject: row.subject.clone(),
            body_text,
            body_html,
            ics: row.ics.clone(),
        })
    }
}
