//! Messages organisers send to a meeting's attendees ("the room has
//! changed"), kept with their audience and count so the meeting lists what
//! was sent. The mails themselves are outbox rows like any other.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EventMessages {
    Table,
    Id,
    EventId,
    Audience,
    Subject,
    Body,
    SentBy,
    Recipients,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventMessages::Table)
                    .col(uuid(EventMessages::Id).primary_key())
                    .col(uuid(EventMessages::EventId))
                    .col(string_len(EventMessages::Audience, 20))
                    .col(string_len(EventMessages::Subject, 200))
                    .col(text(EventMessages::Body))
                    .col(string_len(EventMessages::SentBy, 254))
                    .col(integer(EventMessages::Recipients))
                    .col(timestamp_with_time_zone(EventMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventMessages::Table, EventMessages::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_event_messages_event")
                    .table(EventMessages::Table)
                    .col(EventMessages::EventId)
                    .col(EventMessages::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventMessages::Table).to_owned())
            .await
    }
}
