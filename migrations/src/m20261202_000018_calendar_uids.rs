//! The UID of each sign-up's calendar entry, stored with it. It was
//! `registration-<id>@<host of base_url>`, so a new domain broke the link
//! between an invite already sent and its later update or cancellation.
//! New sign-ups store `<id>@aanmeldpunt`; a sign-up without one keeps the
//! old form, which the app still builds for it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    CalendarUid,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .add_column(string_len_null(Registrations::CalendarUid, 120))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .drop_column(Registrations::CalendarUid)
                    .to_owned(),
            )
            .await
    }
}
