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
    /// `org:<id>` for a register match, `name:<normalised name>` otherwise:
    /// what "the same organisation" means for the one-application rule.
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
