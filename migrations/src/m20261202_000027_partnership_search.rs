//! Partnerships are found by buyer or supplier, without case or accents:
//! a search key the app writes (SQLite has no accent folding), empty for
//! partnerships from before it until the next start keys them. The
//! dashboard of the year under way reads the year's starts and the
//! partnerships still on their way, each an index range, and counts the
//! stages from an index alone, so it does not read the years behind it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    SearchKey,
}

const INDEXES: &[(&str, &str)] = &[
    ("idx_partnerships_started", "partnerships (started_at)"),
    ("idx_partnerships_stage", "partnerships (stage)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Partnerships::Table)
                    .add_column(text(Partnerships::SearchKey).default(""))
                    .to_owned(),
            )
            .await?;
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
        manager
            .alter_table(
                Table::alter()
                    .table(Partnerships::Table)
                    .drop_column(Partnerships::SearchKey)
                    .to_owned(),
            )
            .await
    }
}
