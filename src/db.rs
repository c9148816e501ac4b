//! Connecting, migrating, and the one place that knows how each backend
//! locks an event row.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::entities::event;

pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        create_sqlite_parent_dir(url);
        // One writer at a time is SQLite's nature: WAL lets readers go on
        // beside it, and the busy timeout queues writers instead of failing.
        options
            .max_connections(max_connections.unwrap_or(8))
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
    } else {
        options.max_connections(max_connections.unwrap_or(16));
    }
    sea_orm::Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

fn create_sqlite_parent_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            // A failure here surfaces as a clear connect error right after.
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

/// Which event row to lock.
pub enum EventKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

/// Begins a transaction whose first act is to lock the event, and holds it
/// until the transaction ends, so seat counts cannot change under us.
/// PostgreSQL locks the row with `SELECT ... FOR UPDATE`; SQLite has no row
/// locks, so a no-op write takes the database write lock. It must come
/// first: a SQLite transaction that read before it writes cannot be upgraded
/// once another connection has committed (SQLITE_BUSY_SNAPSHOT).
pub async fn begin_locked(
    db: &DatabaseConnection,
    key: EventKey<'_>,
) -> Result<(DatabaseTransaction, Option<event::Model>), DbErr> {
    let txn = db.begin().await?;
    let event = lock_event(&txn, key).await?;
    Ok((txn, event))
}

async fn lock_event(
    txn: &DatabaseTransaction,
    key: EventKey<'_>,
) -> Result<Option<event::Model>, DbErr> {
    let query = match key {
        EventKey::Id(id) => event::Entity::find_by_id(id),
        EventKey::Slug(slug) => event::Entity::find().filter(event::Column::Slug.eq(slug)),
    };
    match txn.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let (sql, value) = match key {
                EventKey::Id(id) => (
                    "UPDATE events SET capacity = capacity WHERE id = ?",
                    id.into(),
                ),
                EventKey::Slug(slug) => (
                    "UPDATE events SET capacity = capacity WHERE slug = ?",
                    slug.into(),
                ),
            };
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                sql,
                [value],
            ))
            .await?;
            query.one(txn).await
        }
        _ => query.lock_exclusive().one(txn).await,
    }
}

/// Whether a database error means the database is unreachable rather than
/// that our statement was wrong.
pub fn is_unavailable(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}
