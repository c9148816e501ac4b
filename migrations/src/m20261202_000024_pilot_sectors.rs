//! Which public sectors may apply for a pilot, set per pilot by programme
//! staff. Pilots made before this were open to all fourteen, and stay so.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Pilots {
    Table,
    Sectors,
}

/// The fourteen public sectors of the banenafspraak, as the app stores them.
const ALL_PUBLIC: &str = "RIJK,RM,POL,DEF,GEM,PROV,WS,PO,VO,MBO,HBO,WO,UMC,OI";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Pilots::Table)
                    .add_column(string_len(Pilots::Sectors, 200).default(ALL_PUBLIC))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Pilots::Table)
                    .drop_column(Pilots::Sectors)
                    .to_owned(),
            )
            .await
    }
}
