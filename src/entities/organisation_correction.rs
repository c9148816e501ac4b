use sea_orm::entity::prelude::*;

pub use crate::domain::CorrectionAction;

/// A correction staff made to a register entry in the back office. Every
/// import applies these after the file, so they survive re-imports.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation_corrections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organisation_id: Uuid,
    pub action: CorrectionAction,
    pub value: String,
    pub reason: String,
    /// The staff member's e-mail address.
    pub actor: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
