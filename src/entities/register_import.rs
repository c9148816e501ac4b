use sea_orm::entity::prelude::*;

/// One import of a register file: who, when, which file, what it changed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "register_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub actor: String,
    pub file_name: String,
    pub format: String,
    pub dataset: String,
    /// A full file: what it no longer lists was deactivated.
    pub full: bool,
    /// The date the file's data were taken from the register, if it says.
    pub register_date: Option<Date>,
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub deactivated: i32,
    pub renamed: i32,
    pub skipped: i32,
    pub rejected: i32,
    /// JSON object: kind -> organisations deactivated.
    pub deactivated_by_kind: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
