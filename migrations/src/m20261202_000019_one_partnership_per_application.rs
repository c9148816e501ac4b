//! One accepted application makes at most one partnership: converting it
//! twice made two, and the dashboard counted both. The service refuses the
//! second; this index refuses it when two conversions race.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    ApplicationId,
}

const INDEX: &str = "uq_partnerships_application";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Partnerships::Table)
                    .col(Partnerships::ApplicationId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Partnerships::Table)
                    .to_owned(),
            )
            .await
    }
}
