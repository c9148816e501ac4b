//! Connecting, migrating, and the one place that knows how each backend
//! locks an event row.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
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

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a transaction that reads first and writes
/// later cannot be upgraded once another connection has committed, and
/// fails with SQLITE_BUSY instead of waiting. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Which event row to lock.
pub enum EventKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

/// Begins a write transaction holding the event until it ends, so seat
/// counts cannot change under us: PostgreSQL locks the row with
/// `SELECT ... FOR UPDATE`; on SQLite the transaction's write lock already
/// keeps every other writer out.
pub async fn begin_locked(
    db: &DatabaseConnection,
    key: EventKey<'_>,
) -> Result<(DatabaseTransaction, Option<event::Model>), DbErr> {
    let txn = begin_write(db).await?;
    let query = match key {
        EventKey::Id(id) => event::Entity::find_by_id(id),
        EventKey::Slug(slug) => event::Entity::find().filter(event::Column::Slug.eq(slug)),
    };
    let event = match txn.get_database_backend() {
        DatabaseBackend::Sqlite => query.one(&txn).await?,
        _ => query.lock_exclusive().one(&txn).await?,
    };
    Ok((txn, event))
}

/// Whether a database error means the database is unreachable rather than
/// that our statement was wrong.
pub fn is_unavailable(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}
