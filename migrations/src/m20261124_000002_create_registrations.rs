use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261124_000001_create_events::Events;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    EventId,
    Name,
    Email,
    Organisation,
    Sector,
    JobTitle,
    Remarks,
    Lang,
    Status,
    QueueNumber,
    IcsSequence,
    CreatedAt,
    ConfirmedAt,
    CancelledAt,
    UpdatedAt,
    CheckedInAt,
    SubmissionKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Registrations::Table)
                    .col(pk_uuid(Registrations::Id))
                    .col(uuid(Registrations::EventId))
                    .col(string_len(Registrations::Name, 200))
                    .col(string_len(Registrations::Email, 254))
                    .col(string_len(Registrations::Organisation, 200))
                    .col(string_len(Registrations::Sector, 10))
                    .col(string_len_null(Registrations::JobTitle, 200))
                    .col(text_null(Registrations::Remarks))
                    .col(string_len(Registrations::Lang, 5))
                    .col(string_len(Registrations::Status, 20))
                    .col(big_integer(Registrations::QueueNumber))
                    .col(integer(Registrations::IcsSequence))
                    .col(timestamp_with_time_zone(Registrations::CreatedAt))
                    .col(timestamp_with_time_zone_null(Registrations::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(Registrations::CancelledAt))
                    .col(timestamp_with_time_zone(Registrations::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Registrations::CheckedInAt))
                    // The idempotency key the sign-up came with, if any.
                    .col(string_len_null(Registrations::SubmissionKey, 64))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_event")
                            .from(Registrations::Table, Registrations::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_registrations_event_status_queue")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Status)
                    .col(Registrations::QueueNumber)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_registrations_event_submission_key")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::SubmissionKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Duplicate look-ups by address, and the waiting list in order.
        manager
            .create_index(
                Index::create()
                    .name("idx_registrations_event_email")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Email)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_registrations_event_queue")
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::QueueNumber)
                    .to_owned(),
            )
            .await?;
        // One active sign-up per address and event, enforced by the database
        // as the last line of defence behind the service's own check.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_registrations_active_email \
                 ON registrations (event_id, email) WHERE status <> 'cancelled'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Registrations::Table).to_owned())
            .await
    }
}
