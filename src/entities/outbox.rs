use sea_orm::entity::prelude::*;

use crate::domain::MailKind;
pub use crate::domain::OutboxStatus;

/// One e-mail, written in the same transaction as the change that caused
/// it and sent later by the mail worker. The subject is rendered at once;
/// the bodies are rendered from `context` when the mail is sent, and not
/// kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub ics: Option<String>,
    /// Template context (JSON) until the mail is sent.
    pub context: Option<String>,
    pub event_id: Option<Uuid>,
    /// The sign-up the mail is about, if any.
    pub registration_id: Option<Uuid>,
    /// The pilot application the mail is about, if any.
    pub application_id: Option<Uuid>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// While a worker sends the row; an expired lease means the worker died.
    pub locked_until: Option<DateTimeUtc>,
    /// The claim the row is being sent under: `<worker id>:<batch>`.
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
