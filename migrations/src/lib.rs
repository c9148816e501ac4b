//! The schema's only source: the app applies these at launch and the tests
//! build every fresh database from them.
pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_events;
mod m20261124_000002_create_registrations;
mod m20261124_000003_create_access_tokens;
mod m20261124_000004_create_outbox;
mod m20261124_000005_create_organisations;
mod m20261124_000006_create_pilots;
mod m20261124_000007_create_staff_and_audit;
mod m20261124_000009_create_partnerships;
mod m20261125_000013_create_event_seats;
mod m20261201_000014_create_rate_limits_and_sessions;
mod m20261201_000015_register_trust;
mod m20261201_000016_application_places;
mod m20261201_000017_outbox_claims;
mod m20261202_000018_calendar_uids;
mod m20261202_000019_one_partnership_per_application;
mod m20261202_000020_call_off_message;
mod m20261202_000021_event_messages;
mod m20261202_000022_confirmation_notes;
mod m20261202_000023_staff_accounts;
mod m20261202_000024_pilot_sectors;
mod m20261202_000025_list_search;
mod m20261202_000026_partnership_paging;
mod m20261202_000027_partnership_search;
mod m20261202_000028_own_changes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_events::Migration),
            Box::new(m20261124_000002_create_registrations::Migration),
            Box::new(m20261124_000003_create_access_tokens::Migration),
            Box::new(m20261124_000004_create_outbox::Migration),
            Box::new(m20261124_000005_create_organisations::Migration),
            Box::new(m20261124_000006_create_pilots::Migration),
            Box::new(m20261124_000007_create_staff_and_audit::Migration),
            Box::new(m20261124_000009_create_partnerships::Migration),
            Box::new(m20261125_000013_create_event_seats::Migration),
            Box::new(m20261201_000014_create_rate_limits_and_sessions::Migration),
            Box::new(m20261201_000015_register_trust::Migration),
            Box::new(m20261201_000016_application_places::Migration),
            Box::new(m20261201_000017_outbox_claims::Migration),
            Box::new(m20261202_000018_calendar_uids::Migration),
            Box::new(m20261202_000019_one_partnership_per_application::Migration),
            Box::new(m20261202_000020_call_off_message::Migration),
            Box::new(m20261202_000021_event_messages::Migration),
            Box::new(m20261202_000022_confirmation_notes::Migration),
            Box::new(m20261202_000023_staff_accounts::Migration),
            Box::new(m20261202_000024_pilot_sectors::Migration),
            Box::new(m20261202_000025_list_search::Migration),
            Box::new(m20261202_000026_partnership_paging::Migration),
            Box::new(m20261202_000027_partnership_search::Migration),
            Box::new(m20261202_000028_own_changes::Migration),
        ]
    }
}
