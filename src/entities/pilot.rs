use sea_orm::entity::prelude::*;

use crate::domain::Category;
pub use crate::domain::{PilotSectors, PilotStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pilots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub title_nl: String,
    pub title_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub category: Category,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub max_participants: i32,
    pub status: PilotStatus,
    /// The public sectors that may apply.
    pub sectors: PilotSectors,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
