use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Partnerships {
    Table,
    Id,
    BuyerOrganisationId,
    BuyerName,
    Sector,
    SupplierName,
    SupplierKvk,
    Category,
    ApplicationId,
    Stage,
    PlannedHoursPerWeek,
    RealisedHoursPerWeek,
    Notes,
    StartedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnershipStageChanges {
    Table,
    Id,
    PartnershipId,
    FromStage,
    ToStage,
    Actor,
    ChangedAt,
}

#[derive(DeriveIden)]
enum PartnershipTargets {
    Table,
    Year,
    StartedTarget,
    JobsTarget,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Partnerships::Table)
                    .col(pk_uuid(Partnerships::Id))
                    .col(uuid(Partnerships::BuyerOrganisationId))
                    .col(string_len(Partnerships::BuyerName, 300))
                    .col(string_len(Partnerships::Sector, 10))
                    .col(string_len(Partnerships::SupplierName, 300))
                    .col(string_len_null(Partnerships::SupplierKvk, 8))
                    .col(string_len(Partnerships::Category, 30))
                    .col(uuid_null(Partnerships::ApplicationId))
                    .col(string_len(Partnerships::Stage, 30))
                    .col(double(Partnerships::PlannedHoursPerWeek))
                    .col(double(Partnerships::RealisedHoursPerWeek))
                    .col(text(Partnerships::Notes))
                    .col(timestamp_with_time_zone_null(Partnerships::StartedAt))
                    .col(timestamp_with_time_zone(Partnerships::CreatedAt))
                    .col(timestamp_with_time_zone(Partnerships::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnershipStageChanges::Table)
                    .col(big_pk_auto(PartnershipStageChanges::Id))
                    .col(uuid(PartnershipStageChanges::PartnershipId))
                    .col(string_len_null(PartnershipStageChanges::FromStage, 30))
                    .col(string_len(PartnershipStageChanges::ToStage, 30))
                    .col(string_len(PartnershipStageChanges::Actor, 254))
                    .col(timestamp_with_time_zone(PartnershipStageChanges::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stage_changes_partnership")
                            .from(
                                PartnershipStageChanges::Table,
                                PartnershipStageChanges::PartnershipId,
                            )
                            .to(Partnerships::Table, Partnerships::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PartnershipTargets::Table)
                    .col(integer(PartnershipTargets::Year).primary_key())
                    .col(integer(PartnershipTargets::StartedTarget))
                    .col(double_null(PartnershipTargets::JobsTarget))
                    .col(string_len(PartnershipTargets::UpdatedBy, 254))
                    .col(timestamp_with_time_zone(PartnershipTargets::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PartnershipStageChanges::Table.into_iden(),
            PartnershipTargets::Table.into_iden(),
            Partnerships::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
