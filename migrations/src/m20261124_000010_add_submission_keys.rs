use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    EventId,
    SubmissionKey,
}

const INDEX: &str = "ux_registrations_event_submission_key";

/// A sign-up remembers the key it was submitted with, so the same form
/// sent twice finds the first sign-up. Unique per event: even two app
/// instances racing on one key cannot both insert. Rows without a key
/// (NULL) do not collide, on SQLite and PostgreSQL alike.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .add_column(string_len_null(Registrations::SubmissionKey, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::SubmissionKey)
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
                    .table(Registrations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .drop_column(Registrations::SubmissionKey)
                    .to_owned(),
            )
            .await
    }
}
