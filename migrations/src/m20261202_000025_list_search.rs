//! Paged and searchable back-office lists. A sign-up gets a search key
//! (name, address and organisation without case or accents), written by
//! the app because SQLite has no accent folding; sign-ups from before it
//! (or written by an instance of the app from before it) start with an
//! empty key, which sorts and pages like any other, and are keyed at the
//! next start. Each list's order gets an index, so a page
//! reads its rows and nothing else.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Registrations {
    Table,
    SearchKey,
}

const INDEXES: &[(&str, &str)] = &[
    // The door list: an event's confirmed people by name.
    (
        "idx_registrations_event_status_search",
        "registrations (event_id, status, search_key, id)",
    ),
    // The attendee list's counts: who is in, and the sectors of those
    // coming, each read from an index alone.
    (
        "idx_registrations_event_checked_in",
        "registrations (event_id, checked_in_at)",
    ),
    (
        "idx_registrations_event_status_sector",
        "registrations (event_id, status, sector)",
    ),
    // The mail log filtered by status, newest first.
    ("idx_outbox_status_id", "outbox (status, id)"),
    // The mail log of one recipient; the address compared without case.
    ("idx_outbox_recipient", "outbox (lower(recipient), id)"),
    // The audit log of one member of staff.
    ("idx_audit_log_actor", "audit_log (lower(actor), id)"),
    // Pilot applications, newest first.
    (
        "idx_pilot_applications_created",
        "pilot_applications (created_at, id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .add_column(text(Registrations::SearchKey).default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (name, on) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {on}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Registrations::Table)
                    .drop_column(Registrations::SearchKey)
                    .to_owned(),
            )
            .await
    }
}
