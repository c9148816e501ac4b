use sea_orm::entity::prelude::*;

/// Seats taken per event. Written only by the database's triggers on
/// `registrations` (migration 13); the app reads it. An event nobody signed
/// up for has no row yet.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_seats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    pub confirmed: i64,
    pub waitlisted: i64,
    /// The highest queue number handed out, even if that sign-up is gone.
    pub last_queue_number: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
