//! The partnerships list comes a page at a time, newest first, each with
//! its history: an index in that order, so a page reads its rows and
//! nothing else, and one on the history's partnership, so a page reads
//! only its own partnerships' stage changes.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str)] = &[
    ("idx_partnerships_created", "partnerships (created_at, id)"),
    (
        "idx_partnership_stage_changes_partnership",
        "partnership_stage_changes (partnership_id, id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, on) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {on}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
