use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    EventId,
    Email,
    QueueNumber,
}

const BY_EMAIL: &str = "idx_registrations_event_email";
const BY_QUEUE: &str = "idx_registrations_event_queue";

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every sign-up looks for an earlier one with the same address and takes
/// the next queue number, under the event lock. Without these indexes both
/// read every sign-up of the event, so each sign-up got slower than the
/// last (found by the load benchmark).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(BY_EMAIL)
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::Email)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(BY_QUEUE)
                    .table(Registrations::Table)
                    .col(Registrations::EventId)
                    .col(Registrations::QueueNumber)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [BY_QUEUE, BY_EMAIL] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Registrations::Table)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
