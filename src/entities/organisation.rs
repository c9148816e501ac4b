use sea_orm::entity::prelude::*;

use crate::domain::SectorCode;

/// A public (or, after review, other) organisation from the register.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub abbreviation: Option<String>,
    /// The register's kind (`gemeenten`, `rwt`, ...) or `staff`/`self_declared`.
    pub kind: String,
    /// Sector code, `None` where the kind gives no automatic sector (`rwt`).
    pub sector: Option<SectorCode>,
    pub oin: Option<String>,
    pub kvk: Option<String>,
    pub organisation_code: Option<String>,
    pub register_id: Option<String>,
    pub website_domain: Option<String>,
    pub source: OrganisationSource,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The file family it came from (`roo`, `duo-po`, `curated-onderwijs`);
    /// none for entries staff made.
    pub dataset: Option<String>,
    /// The register's `overheidswerkgever` classification, where it has one.
    pub public_employer: Option<bool>,
    /// The register's CAO classification.
    pub cao: Option<String>,
    /// What the sector rests on: `kind`, `cao`, `correction`, `staff`, ...
    pub sector_basis: Option<String>,
    /// Set when the register names a successor of this (inactive) entry.
    pub successor_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum OrganisationSource {
    #[sea_orm(string_value = "register")]
    Register,
    #[sea_orm(string_value = "staff")]
    Staff,
    #[sea_orm(string_value = "self_declared")]
    SelfDeclared,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::organisation_domain::Entity")]
    Domains,
    #[sea_orm(has_many = "super::organisation_name::Entity")]
    Names,
}

impl Related<super::organisation_domain::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Domains.def()
    }
}

impl Related<super::organisation_name::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Names.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
