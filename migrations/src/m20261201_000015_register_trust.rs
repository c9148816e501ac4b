//! The register as something to trust: where each organisation and domain
//! came from, the names it is found by, the corrections staff make and a
//! record of every import.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    /// The file family it came from (`roo`, `duo-po`, `curated-onderwijs`):
    /// a full import deactivates only its own dataset's missing rows.
    Dataset,
    /// The register's `overheidswerkgever` classification.
    PublicEmployer,
    /// The register's CAO classification.
    Cao,
    /// What the sector rests on: `kind`, `cao`, `correction`, `staff`.
    SectorBasis,
    SuccessorId,
    Source,
    RegisterId,
}

#[derive(DeriveIden)]
enum OrganisationDomains {
    Table,
    Source,
}

#[derive(DeriveIden)]
enum OrganisationNames {
    Table,
    NameKey,
    OrganisationId,
}

#[derive(DeriveIden)]
enum OrganisationCorrections {
    Table,
    Id,
    OrganisationId,
    Action,
    Value,
    Reason,
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RegisterImports {
    Table,
    Id,
    Actor,
    FileName,
    Format,
    Dataset,
    Full,
    RegisterDate,
    Added,
    Updated,
    Unchanged,
    Deactivated,
    Renamed,
    Skipped,
    Rejected,
    DeactivatedByKind,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            string_len_null(Organisations::Dataset, 40),
            boolean_null(Organisations::PublicEmployer),
            string_len_null(Organisations::Cao, 200),
            string_len_null(Organisations::SectorBasis, 40),
            uuid_null(Organisations::SuccessorId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // What earlier ROO imports brought in belongs to the ROO dataset.
        manager
            .exec_stmt(
                Query::update()
                    .table(Organisations::Table)
                    .value(Organisations::Dataset, "roo")
                    .and_where(Expr::col(Organisations::Source).eq("register"))
                    .and_where(Expr::col(Organisations::RegisterId).is_not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrganisationDomains::Table)
                    .add_column(string_len(OrganisationDomains::Source, 20).default("register"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisations_dataset")
                    .table(Organisations::Table)
                    .col(Organisations::Dataset)
                    .to_owned(),
            )
            .await?;
        // One organisation per register id: two instances starting on one
        // empty database cannot both load the shipped register.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_organisations_register_id \
                 ON organisations (register_id) WHERE register_id IS NOT NULL",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationNames::Table)
                    .col(string_len(OrganisationNames::NameKey, 300))
                    .col(uuid(OrganisationNames::OrganisationId))
                    .primary_key(
                        Index::create()
                            .col(OrganisationNames::NameKey)
                            .col(OrganisationNames::OrganisationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_names_organisation")
                            .from(OrganisationNames::Table, OrganisationNames::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisation_names_organisation")
                    .table(OrganisationNames::Table)
                    .col(OrganisationNames::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationCorrections::Table)
                    .col(big_pk_auto(OrganisationCorrections::Id))
                    .col(uuid(OrganisationCorrections::OrganisationId))
                    .col(string_len(OrganisationCorrections::Action, 20))
                    .col(string_len(OrganisationCorrections::Value, 300))
                    .col(text(OrganisationCorrections::Reason))
                    .col(string_len(OrganisationCorrections::Actor, 254))
                    .col(timestamp_with_time_zone(OrganisationCorrections::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_corrections_organisation")
                            .from(
                                OrganisationCorrections::Table,
                                OrganisationCorrections::OrganisationId,
                            )
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RegisterImports::Table)
                    .col(big_pk_auto(RegisterImports::Id))
                    .col(string_len(RegisterImports::Actor, 254))
                    .col(string_len(RegisterImports::FileName, 300))
                    .col(string_len(RegisterImports::Format, 20))
                    .col(string_len(RegisterImports::Dataset, 40))
                    .col(boolean(RegisterImports::Full))
                    .col(date_null(RegisterImports::RegisterDate))
                    .col(integer(RegisterImports::Added))
                    .col(integer(RegisterImports::Updated))
                    .col(integer(RegisterImports::Unchanged))
                    .col(integer(RegisterImports::Deactivated))
                    .col(integer(RegisterImports::Renamed))
                    .col(integer(RegisterImports::Skipped))
                    .col(integer(RegisterImports::Rejected))
                    .col(text(RegisterImports::DeactivatedByKind))
                    .col(timestamp_with_time_zone(RegisterImports::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX uq_organisations_register_id")
            .await?;
        for table in [
            RegisterImports::Table.into_iden(),
            OrganisationCorrections::Table.into_iden(),
            OrganisationNames::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(OrganisationDomains::Table)
                    .drop_column(OrganisationDomains::Source)
                    .to_owned(),
            )
            .await?;
        for column in [
            Organisations::SuccessorId,
            Organisations::SectorBasis,
            Organisations::Cao,
            Organisations::PublicEmployer,
            Organisations::Dataset,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
