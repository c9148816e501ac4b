use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Events {
    Table,
    Id,
    Slug,
    TitleNl,
    TitleEn,
    DescriptionNl,
    DescriptionEn,
    Location,
    StartsAt,
    EndsAt,
    Capacity,
    WaitlistEnabled,
    Eligibility,
    Status,
    RegistrationOpensAt,
    RegistrationClosesAt,
    CreatedAt,
    UpdatedAt,
    ReminderDaysBefore,
    ReminderSentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(pk_uuid(Events::Id))
                    .col(string_len_uniq(Events::Slug, 120))
                    .col(string_len(Events::TitleNl, 200))
                    .col(string_len(Events::TitleEn, 200))
                    .col(text(Events::DescriptionNl))
                    .col(text(Events::DescriptionEn))
                    .col(string_len(Events::Location, 300))
                    .col(timestamp_with_time_zone(Events::StartsAt))
                    .col(timestamp_with_time_zone(Events::EndsAt))
                    .col(integer(Events::Capacity))
                    .col(boolean(Events::WaitlistEnabled))
                    .col(string_len(Events::Eligibility, 20))
                    .col(string_len(Events::Status, 20))
                    .col(timestamp_with_time_zone_null(Events::RegistrationOpensAt))
                    .col(timestamp_with_time_zone_null(Events::RegistrationClosesAt))
                    .col(timestamp_with_time_zone(Events::CreatedAt))
                    .col(timestamp_with_time_zone(Events::UpdatedAt))
                    .col(integer(Events::ReminderDaysBefore).default(2))
                    .col(timestamp_with_time_zone_null(Events::ReminderSentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_starts_at")
                    .table(Events::Table)
                    .col(Events::StartsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Events::Table).to_owned())
            .await
    }
}
