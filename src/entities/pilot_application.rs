use sea_orm::entity::prelude::*;

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
    pub sector: String,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub current_suppliers: String,
    pub market_partner: Option<String>,
    pub motivation: String,
    pub expected_jobs: i32,
    pub lang: String,
    pub status: ApplicationStatus,
    pub eligibility_decision: EligibilityDecision,
    pub eligibility_reason: String,
    pub created_at: DateTimeUtc,
    pub verified_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "unverified")]
    Unverified,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Unverified => "unverified",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
#[serde(rename_all = "snake_case")]
pub enum EligibilityDecision {
    #[sea_orm(string_value = "eligible")]
    Eligible,
    #[sea_orm(string_value = "needs_review")]
    NeedsReview,
    #[sea_orm(string_value = "ineligible")]
    Ineligible,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
