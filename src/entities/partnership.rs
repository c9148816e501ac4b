use sea_orm::entity::prelude::*;

use crate::domain::{Category, SectorCode, Stage};

/// A public buyer and a market supplier creating jobs through a contract.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "partnerships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub buyer_organisation_id: Uuid,
    pub buyer_name: String,
    /// The buyer's sector, taken from the register.
    pub sector: SectorCode,
    pub supplier_name: String,
    pub supplier_kvk: Option<String>,
    pub category: Category,
    pub application_id: Option<Uuid>,
    pub stage: Stage,
    pub planned_hours_per_week: f64,
    pub realised_hours_per_week: f64,
    pub notes: String,
    /// When it first reached `started`: the year it counts for.
    pub started_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Buyer and supplier folded for search; empty until keyed
    /// (`partnerships::key_unkeyed`).
    pub search_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
