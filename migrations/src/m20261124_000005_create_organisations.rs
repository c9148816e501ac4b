use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    Abbreviation,
    Kind,
    Sector,
    Oin,
    Kvk,
    OrganisationCode,
    RegisterId,
    WebsiteDomain,
    Source,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganisationDomains {
    Table,
    Domain,
    OrganisationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(string_len(Organisations::Name, 300))
                    .col(string_len_null(Organisations::Abbreviation, 200))
                    .col(string_len(Organisations::Kind, 60))
                    .col(string_len_null(Organisations::Sector, 10))
                    .col(string_len_null(Organisations::Oin, 20))
                    .col(string_len_null(Organisations::Kvk, 8))
                    .col(string_len_null(Organisations::OrganisationCode, 60))
                    .col(string_len_null(Organisations::RegisterId, 300))
                    .col(string_len_null(Organisations::WebsiteDomain, 200))
                    .col(string_len(Organisations::Source, 20))
                    .col(boolean(Organisations::Active))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_organisations_oin", Organisations::Oin),
            ("idx_organisations_kvk", Organisations::Kvk),
            ("idx_organisations_register_id", Organisations::RegisterId),
            ("idx_organisations_name", Organisations::Name),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Organisations::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(OrganisationDomains::Table)
                    .col(string_len(OrganisationDomains::Domain, 200))
                    .col(uuid(OrganisationDomains::OrganisationId))
                    .primary_key(
                        Index::create()
                            .col(OrganisationDomains::Domain)
                            .col(OrganisationDomains::OrganisationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_domains_organisation")
                            .from(
                                OrganisationDomains::Table,
                                OrganisationDomains::OrganisationId,
                            )
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisation_domains_organisation")
                    .table(OrganisationDomains::Table)
                    .col(OrganisationDomains::OrganisationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrganisationDomains::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}
