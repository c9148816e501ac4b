//! Which claim a worker holds a mail under. A worker renews its lease on
//! a row, and marks it sent or failed, only while the row is still under
//! its own claim: after a lease ran out and another worker took the row,
//! the first one leaves it alone. A stopping instance gives back its
//! claims by their prefix, its worker id.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    ClaimedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(string_len_null(Outbox::ClaimedBy, 80))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::ClaimedBy)
                    .to_owned(),
            )
            .await
    }
}
