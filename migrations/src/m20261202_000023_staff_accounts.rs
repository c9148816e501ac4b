//! Staff accounts as a back office needs them: when each last logged in,
//! an optional second factor (TOTP), and the settings admins change in the
//! app (whether admins must use two-factor log-in).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StaffUsers {
    Table,
    LastLoginAt,
    /// The TOTP secret, encrypted with a key derived from `secret_key`.
    TotpSecret,
    /// Set once the staff member confirmed a code: from then on log-in asks.
    TotpEnabledAt,
    /// The last 30-second step whose code was accepted: none is taken twice.
    TotpLastStep,
}

#[derive(DeriveIden)]
enum AppSettings {
    Table,
    Key,
    Value,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            timestamp_with_time_zone_null(StaffUsers::LastLoginAt),
            text_null(StaffUsers::TotpSecret),
            timestamp_with_time_zone_null(StaffUsers::TotpEnabledAt),
            big_integer_null(StaffUsers::TotpLastStep),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(StaffUsers::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AppSettings::Table)
                    .col(string_len(AppSettings::Key, 64).primary_key())
                    .col(text(AppSettings::Value))
                    .col(string_len(AppSettings::UpdatedBy, 320))
                    .col(timestamp_with_time_zone(AppSettings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppSettings::Table).to_owned())
            .await?;
        for column in [
            StaffUsers::TotpLastStep,
            StaffUsers::TotpEnabledAt,
            StaffUsers::TotpSecret,
            StaffUsers::LastLoginAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(StaffUsers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
