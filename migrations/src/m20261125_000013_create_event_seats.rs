use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum EventSeats {
    Table,
    EventId,
    Confirmed,
    Waitlisted,
    LastQueueNumber,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Seats taken per event, kept by triggers on `registrations`. Counting
/// them from the sign-ups took longer the bigger the event, under the event
/// lock (BENCHMARKS.md, item 15); a row read by key does not. Triggers,
/// not application code, keep the counts, so no path that changes a status
/// (sign-up, cancel, move, call-off, purge) can forget them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventSeats::Table)
                    .col(uuid(EventSeats::EventId).primary_key())
                    .col(big_integer(EventSeats::Confirmed).default(0))
                    .col(big_integer(EventSeats::Waitlisted).default(0))
                    .col(big_integer(EventSeats::LastQueueNumber).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EventSeats::Table, EventSeats::EventId)
                            .to(Events::Table, Events::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO event_seats (event_id, confirmed, waitlisted, last_queue_number)
             SELECT event_id,
                    SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END),
                    SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END),
                    MAX(queue_number)
             FROM registrations GROUP BY event_id",
        )
        .await?;
        let triggers = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE_TRIGGERS,
            DbBackend::Postgres => POSTGRES_TRIGGERS,
            other => {
                return Err(DbErr::Migration(format!(
                    "seat counters are not written for {other:?}"
                )))
            }
        };
        for statement in triggers {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for trigger in ["insert", "update", "delete"] {
            let drop = match manager.get_database_backend() {
                DbBackend::Postgres => format!(
                    "DROP TRIGGER IF EXISTS registrations_seats_after_{trigger} ON registrations;
                     DROP FUNCTION IF EXISTS registrations_seats_after_{trigger}()"
                ),
                _ => format!("DROP TRIGGER IF EXISTS registrations_seats_after_{trigger}"),
            };
            db.execute_unprepared(&drop).await?;
        }
        manager
            .drop_table(Table::drop().table(EventSeats::Table).to_owned())
            .await
    }
}

/// SQLite has row triggers only: one small upsert per changed row.
const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER registrations_seats_after_insert AFTER INSERT ON registrations
     BEGIN
       INSERT INTO event_seats (event_id, confirmed, waitlisted, last_queue_number)
       VALUES (NEW.event_id, NEW.status = 'confirmed', NEW.status = 'waitlisted', NEW.queue_number)
       ON CONFLICT (event_id) DO UPDATE SET
         confirmed = confirmed + excluded.confirmed,
         waitlisted = waitlisted + excluded.waitlisted,
         last_queue_number = max(last_queue_number, excluded.last_queue_number);
     END",
    "CREATE TRIGGER registrations_seats_after_update
     AFTER UPDATE OF status, event_id, queue_number ON registrations
     WHEN OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id
       OR OLD.queue_number IS NOT NEW.queue_number
     BEGIN
       UPDATE event_seats SET
         confirmed = confirmed - (OLD.status = 'confirmed'),
         waitlisted = waitlisted - (OLD.status = 'waitlisted')
       WHERE event_id = OLD.event_id;
       INSERT INTO event_seats (event_id, confirmed, waitlisted, last_queue_number)
       VALUES (NEW.event_id, NEW.status = 'confirmed', NEW.status = 'waitlisted', NEW.queue_number)
       ON CONFLICT (event_id) DO UPDATE SET
         confirmed = confirmed + excluded.confirmed,
         waitlisted = waitlisted + excluded.waitlisted,
         last_queue_number = max(last_queue_number, excluded.last_queue_number);
     END",
    "CREATE TRIGGER registrations_seats_after_delete AFTER DELETE ON registrations
     BEGIN
       UPDATE event_seats SET
         confirmed = confirmed - (OLD.status = 'confirmed'),
         waitlisted = waitlisted - (OLD.status = 'waitlisted')
       WHERE event_id = OLD.event_id;
     END",
];

/// PostgreSQL runs one trigger per statement over its transition tables, so
/// a sign-up batch that inserts 64 rows updates the counter row once.
const POSTGRES_TRIGGERS: &[&str] = &[
    "CREATE FUNCTION registrations_seats_after_insert() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO event_seats AS seats (event_id, confirmed, waitlisted, last_queue_number)
       SELECT event_id,
              count(*) FILTER (WHERE status = 'confirmed'),
              count(*) FILTER (WHERE status = 'waitlisted'),
              max(queue_number)
       FROM new_rows GROUP BY event_id
       ON CONFLICT (event_id) DO UPDATE SET
         confirmed = seats.confirmed + excluded.confirmed,
         waitlisted = seats.waitlisted + excluded.waitlisted,
         last_queue_number = greatest(seats.last_queue_number, excluded.last_queue_number);
       RETURN NULL;
     END $$",
    "CREATE TRIGGER registrations_seats_after_insert AFTER INSERT ON registrations
     REFERENCING NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_after_insert()",
    "CREATE FUNCTION registrations_seats_after_update() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       WITH changed AS (
         SELECT o.event_id AS old_event, o.status AS old_status,
                n.event_id AS new_event, n.status AS new_status, n.queue_number
         FROM old_rows o JOIN new_rows n ON n.id = o.id
         WHERE (o.status, o.event_id, o.queue_number)
               IS DISTINCT FROM (n.status, n.event_id, n.queue_number)
       ), deltas AS (
         SELECT new_event AS event_id,
                (new_status = 'confirmed')::int AS confirmed,
                (new_status = 'waitlisted')::int AS waitlisted,
                queue_number
         FROM changed
         UNION ALL
         SELECT old_event, -((old_status = 'confirmed')::int),
                -((old_status = 'waitlisted')::int), NULL
         FROM changed
       )
       INSERT INTO event_seats AS seats (event_id, confirmed, waitlisted, last_queue_number)
       SELECT event_id, sum(confirmed), sum(waitlisted), coalesce(max(queue_number), 0)
       FROM deltas GROUP BY event_id
       ON CONFLICT (event_id) DO UPDATE SET
         confirmed = seats.confirmed + excluded.confirmed,
         waitlisted = seats.waitlisted + excluded.waitlisted,
         last_queue_number = greatest(seats.last_queue_number, excluded.last_queue_number);
       RETURN NULL;
     END $$",
    "CREATE TRIGGER registrations_seats_after_update AFTER UPDATE ON registrations
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_after_update()",
    "CREATE FUNCTION registrations_seats_after_delete() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
       UPDATE event_seats AS seats SET
         confirmed = seats.confirmed - gone.confirmed,
         waitlisted = seats.waitlisted - gone.waitlisted
       FROM (SELECT event_id,
                    count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
                    count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
             FROM old_rows GROUP BY event_id) AS gone
       WHERE seats.event_id = gone.event_id;
       RETURN NULL;
     END $$",
    "CREATE TRIGGER registrations_seats_after_delete AFTER DELETE ON registrations
     REFERENCING OLD TABLE AS old_rows
     FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_after_delete()",
];
