//! The outbox table: rows are written inside the transaction of the change
//! that causes them and claimed by the worker, at most one worker per row.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
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

/// Renders the mail and stores it as a pending outbox row on `db`, which is
/// the caller's transaction.
pub async fn enqueue<C: Serialize>(
    db: &impl ConnectionTrait,
    views: &Views,
    mail: NewMail<'_, C>,
) -> Result<(), crate::error::AppError> {
    let render =
        |part: &str| views.render(&format!("mail/{}.{part}.tera", mail.kind), mail.context);
    let subject = render("subject")?.trim().to_owned();
    let body_text = render("txt")?;
    let body_html = render("html")?;
    let now = Utc::now();
    outbox::Entity::insert(outbox::ActiveModel {
        kind: Set(mail.kind.to_owned()),
        recipient: Set(mail.recipient.to_owned()),
        subject: Set(subject),
        body_text: Set(body_text),
        body_html: Set(body_html),
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
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Takes up to `limit` due rows for this worker. On PostgreSQL the inner
/// `FOR UPDATE SKIP LOCKED` lets several app instances claim side by side
/// without ever taking the same row; SQLite runs the one UPDATE atomically.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    lease: std::time::Duration,
) -> Result<Vec<outbox::Model>, DbErr> {
    let lease = Duration::from_std(lease).unwrap_or_else(|_| Duration::minutes(5));
    let due = Condition::any()
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(OutboxStatus::Pending))
                .add(outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(OutboxStatus::Sending))
                .add(outbox::Column::LockedUntil.lt(now)),
        );
    let mut pick = Query::select();
    pick.column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(due)
        .order_by(outbox::Column::Id, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sending))
        .col_expr(outbox::Column::LockedUntil, Expr::value(now + lease))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .filter(outbox::Column::Id.in_subquery(pick))
        .exec_with_returning(db)
        .await
}

pub async fn mark_sent(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Sent))
        .col_expr(outbox::Column::SentAt, Expr::value(Utc::now()))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
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

impl From<&outbox::Model> for OutgoingEmail {
    fn from(row: &outbox::Model) -> Self {
        OutgoingEmail {
            outbox_id: row.id,
            message_key: format!("outbox-{}-{}", row.id, row.created_at.timestamp_micros()),
            recipient: row.recipient.clone(),
            subject: row.subject.clone(),
            body_text: row.body_text.clone(),
            body_html: row.body_html.clone(),
            ics: row.ics.clone(),
        }
    }
}
