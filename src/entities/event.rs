use sea_orm::entity::prelude::*;

pub use crate::domain::{Eligibility, EventStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub title_nl: String,
    pub title_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub location: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    pub waitlist_enabled: bool,
    pub eligibility: Eligibility,
    pub status: EventStatus,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Days before the start that attendees get a reminder; 0 means none.
    pub reminder_days_before: i32,
    pub reminder_sent_at: Option<DateTimeUtc>,
    /// The organiser's words when calling the meeting off, as typed.
    pub call_off_message: Option<String>,
    /// The organiser's paragraph for the confirmation mail, per language.
    pub confirmation_note_nl: Option<String>,
    pub confirmation_note_en: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::registration::Entity")]
    Registrations,
}

impl Related<super::registration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Registrations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
