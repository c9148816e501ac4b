//! An organisation's place in a pilot is held by one verified, trusted
//! application, not by whoever applied first: unverified and unconfirmed
//! applications no longer block anyone. Staff vouch per application.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PilotApplications {
    Table,
    /// The organisation as the applicant typed it, beside the register's.
    TypedOrganisation,
    /// This application holds its organisation's place in the pilot.
    HoldsPlace,
    /// The application that held the place when this one came in.
    DuplicateOf,
    VouchedBy,
    VouchedAt,
    VouchReason,
    Status,
    EligibilityDecision,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(PilotApplications::TypedOrganisation, 300),
            boolean(PilotApplications::HoldsPlace)
                .default(false)
                .to_owned(),
            uuid_null(PilotApplications::DuplicateOf),
            string_len_null(PilotApplications::VouchedBy, 254),
            timestamp_with_time_zone_null(PilotApplications::VouchedAt),
            text_null(PilotApplications::VouchReason),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PilotApplications::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // Verified applications the register confirmed keep their place;
        // the old index let every live application hold one.
        manager
            .exec_stmt(
                Query::update()
                    .table(PilotApplications::Table)
                    .value(PilotApplications::HoldsPlace, true)
                    .and_where(
                        Expr::col(PilotApplications::Status).is_in(["submitted", "accepted"]),
                    )
                    .and_where(Expr::col(PilotApplications::EligibilityDecision).eq("eligible"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX uq_pilot_applications_organisation")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_pilot_applications_place \
             ON pilot_applications (pilot_id, organisation_key) WHERE holds_place",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX uq_pilot_applications_place")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_pilot_applications_organisation \
             ON pilot_applications (pilot_id, organisation_key) WHERE status <> 'withdrawn'",
        )
        .await?;
        for column in [
            PilotApplications::VouchReason,
            PilotApplications::VouchedAt,
            PilotApplications::VouchedBy,
            PilotApplications::DuplicateOf,
            PilotApplications::HoldsPlace,
            PilotApplications::TypedOrganisation,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(PilotApplications::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
