use sea_orm::entity::prelude::*;

pub use crate::domain::Audience;

/// A message an organiser sent to a meeting's people; the mails are in
/// the outbox like any other.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub audience: Audience,
    pub subject: String,
    pub body: String,
    /// The organiser's address, as in the audit log.
    pub sent_by: String,
    pub recipients: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
