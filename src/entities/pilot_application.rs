use sea_orm::entity::prelude::*;

pub use crate::domain::{ApplicationStatus, EligibilityDecision};
use crate::domain::{Lang, SectorCode};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pilot_applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pilot_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: String,
    /// `org:<id>` for a register match, `name:<folded name>` otherwise: what
    /// "the same organisation" means for the one-place rule.
    pub organisation_key: String,
    pub sector: SectorCode,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub current_suppliers: String,
    pub market_partner: Option<String>,
    pub motivation: String,
    pub expected_jobs: i32,
    pub lang: Lang,
    pub status: ApplicationStatus,
    pub eligibility_decision: EligibilityDecision,
    pub eligibility_reason: String,
    pub created_at: DateTimeUtc,
    pub verified_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// The organisation as typed, when the register entry is named otherwise.
    pub typed_organisation: Option<String>,
    /// This application holds its organisation's one place in the pilot:
    /// verified, and eligible through the register or a staff member.
    pub holds_place: bool,
    /// The application that held the organisation's place when this one
    /// came in or was confirmed; staff merge or refuse it.
    pub duplicate_of: Option<Uuid>,
    /// Staff who vouched for this application, when and why.
    pub vouched_by: Option<String>,
    pub vouched_at: Option<DateTimeUtc>,
    pub vouch_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
