use sea_orm::entity::prelude::*;

/// Hits in the current window of one rate limit, shared by every instance
/// (`rate_limit_store = "database"`). The key is a keyed hash of the limit
/// and its subject, never the address or client itself.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub window_index: i64,
    pub hits: i64,
    /// Unix seconds when the window ends; pruned after.
    pub expires_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
