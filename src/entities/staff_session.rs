use sea_orm::entity::prelude::*;

/// A signed-in staff member's session. The cookie holds a random id; only
/// its SHA-256 is stored, so a database dump signs nobody in.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub staff_id: Uuid,
    pub created_at: DateTimeUtc,
    /// Renewed as the session is used; idle too long, it ends.
    pub last_seen_at: DateTimeUtc,
    /// The latest it may last, however busy.
    pub expires_at: DateTimeUtc,
    /// The browser, as its User-Agent names it, so staff recognise a session.
    pub user_agent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
