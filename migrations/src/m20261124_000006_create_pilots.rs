use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Pilots {
    Table,
    Id,
    Slug,
    TitleNl,
    TitleEn,
    DescriptionNl,
    DescriptionEn,
    Category,
    OpensAt,
    ClosesAt,
    MaxParticipants,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PilotApplications {
    Table,
    Id,
    PilotId,
    OrganisationId,
    OrganisationName,
    OrganisationKey,
    Sector,
    ContactName,
    Email,
    Phone,
    CurrentSuppliers,
    MarketPartner,
    Motivation,
    ExpectedJobs,
    Lang,
    Status,
    EligibilityDecision,
    EligibilityReason,
    CreatedAt,
    VerifiedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApplicationTransitions {
    Table,
    Id,
    ApplicationId,
    FromStatus,
    ToStatus,
    Actor,
    Reason,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Pilots::Table)
                    .col(pk_uuid(Pilots::Id))
                    .col(string_len_uniq(Pilots::Slug, 120))
                    .col(string_len(Pilots::TitleNl, 200))
                    .col(string_len(Pilots::TitleEn, 200))
                    .col(text(Pilots::DescriptionNl))
                    .col(text(Pilots::DescriptionEn))
                    .col(string_len(Pilots::Category, 30))
                    .col(timestamp_with_time_zone(Pilots::OpensAt))
                    .col(timestamp_with_time_zone(Pilots::ClosesAt))
                    .col(integer(Pilots::MaxParticipants))
                    .col(string_len(Pilots::Status, 20))
                    .col(timestamp_with_time_zone(Pilots::CreatedAt))
                    .col(timestamp_with_time_zone(Pilots::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PilotApplications::Table)
                    .col(pk_uuid(PilotApplications::Id))
                    .col(uuid(PilotApplications::PilotId))
                    .col(uuid_null(PilotApplications::OrganisationId))
                    .col(string_len(PilotApplications::OrganisationName, 300))
                    .col(string_len(PilotApplications::OrganisationKey, 320))
                    .col(string_len(PilotApplications::Sector, 10))
                    .col(string_len(PilotApplications::ContactName, 200))
                    .col(string_len(PilotApplications::Email, 254))
                    .col(string_len_null(PilotApplications::Phone, 40))
                    .col(text(PilotApplications::CurrentSuppliers))
                    .col(text_null(PilotApplications::MarketPartner))
                    .col(text(PilotApplications::Motivation))
                    .col(integer(PilotApplications::ExpectedJobs))
                    .col(string_len(PilotApplications::Lang, 5))
                    .col(string_len(PilotApplications::Status, 20))
                    .col(string_len(PilotApplications::EligibilityDecision, 20))
                    .col(text(PilotApplications::EligibilityReason))
                    .col(timestamp_with_time_zone(PilotApplications::CreatedAt))
                    .col(timestamp_with_time_zone_null(PilotApplications::VerifiedAt))
                    .col(timestamp_with_time_zone(PilotApplications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_pilot_applications_pilot")
                            .from(PilotApplications::Table, PilotApplications::PilotId)
                            .to(Pilots::Table, Pilots::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One live application per organisation and pilot, whoever sends it.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_pilot_applications_organisation \
                 ON pilot_applications (pilot_id, organisation_key) WHERE status <> 'withdrawn'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationTransitions::Table)
                    .col(big_pk_auto(ApplicationTransitions::Id))
                    .col(uuid(ApplicationTransitions::ApplicationId))
                    .col(string_len_null(ApplicationTransitions::FromStatus, 20))
                    .col(string_len(ApplicationTransitions::ToStatus, 20))
                    .col(string_len(ApplicationTransitions::Actor, 254))
                    .col(text_null(ApplicationTransitions::Reason))
                    .col(timestamp_with_time_zone(ApplicationTransitions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_transitions_application")
                            .from(
                                ApplicationTransitions::Table,
                                ApplicationTransitions::ApplicationId,
                            )
                            .to(PilotApplications::Table, PilotApplications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_transitions_application")
                    .table(ApplicationTransitions::Table)
                    .col(ApplicationTransitions::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApplicationTransitions::Table.into_iden(),
            PilotApplications::Table.into_iden(),
            Pilots::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
