use sea_orm::entity::prelude::*;

pub use crate::domain::RegistrationStatus;
use crate::domain::{Lang, SectorCode};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: SectorCode,
    pub job_title: Option<String>,
    pub remarks: Option<String>,
    pub lang: Lang,
    pub status: RegistrationStatus,
    /// Order of arrival within the event; the waiting list is served in it.
    pub queue_number: i64,
    /// Bumped whenever the calendar entry changes, as RFC 5545 asks.
    pub ics_sequence: i32,
    pub created_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub checked_in_at: Option<DateTimeUtc>,
    /// The idempotency key the sign-up was submitted with, if any.
    pub submission_key: Option<String>,
    /// The UID of its calendar entry (`ics::calendar_uid`); `None` for a
    /// sign-up from before it was stored (`ics::old_calendar_uid`).
    pub calendar_uid: Option<String>,
    /// `domain::sign_up_search_key` of name, address and organisation:
    /// what the back-office lists search and the door list sorts by.
    /// Empty until keyed (`attendees::key_unkeyed`).
    pub search_key: String,
    /// When the person last changed their own details (manage link).
    pub changed_by_attendee_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::event::Entity",
        from = "Column::EventId",
        to = "super::event::Column::Id",
        on_delete = "Cascade"
    )]
    Event,
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
