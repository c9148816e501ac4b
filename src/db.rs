//! Connecting, migrating, and the one place that knows how each backend
//! locks an event row.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm::{ConnAcquireErr, DbBackend, ExecResult, QueryResult, RuntimeErr, Statement};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// How long a writer waits for its turn before the database counts as busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

use crate::entities::event;

pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    connect_with_timeout(url, max_connections, BUSY_TIMEOUT).await
}

/// `acquire_timeout`: how long a request waits for a pooled connection
/// before it is answered 503 (shedding load rather than queueing forever).
pub async fn connect_with_timeout(
    url: &str,
    max_connections: Option<u32>,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).acquire_timeout(acquire_timeout);
    if url.starts_with("sqlite:") {
        create_sqlite_parent_dir(url);
        // One writer at a time is SQLite's nature: WAL lets readers go on
        // beside it, and the busy timeout queues writers instead of failing.
        // Two connections: sign-ups are written by one batch at a time
        // (begin_write), so one connection writes while the other reads.
        // Each connection costs memory: its page cache, its prepared
        // statements and a thread of its own, whose allocator arena glibc
        // keeps; fewer connections and smaller caches cost no sign-up rate
        // (BENCHMARKS.md, item 22). The hot pages of a sign-up (event row,
        // index paths) fit the 512 KiB cache many times over.
        options
            .max_connections(max_connections.unwrap_or(2))
            .map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(BUSY_TIMEOUT)
                    .foreign_keys(true)
                    .pragma("cache_size", "-512")
            });
    } else {
        options.max_connections(max_connections.unwrap_or(16));
    }
    sea_orm::Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Held while an instance prepares the database at start-up (migrations,
/// one-time backfills, the first seed and register), so instances started
/// together on one PostgreSQL database take turns instead of both creating
/// the same tables: the second waits, then finds the work done. The lock
/// is a transaction-level advisory lock on a connection of its own, held
/// by a transaction that does nothing else. SQLite is one process's file:
/// there is nobody to take turns with.
pub struct StartUpTurn(Option<DatabaseTransaction>);

/// The advisory lock's key: "aanmeldp" in ASCII, so it is recognisable in
/// `pg_locks` and unlikely to be another application's.
const START_UP_LOCK: i64 = 0x6161_6e6d_656c_6470;

impl StartUpTurn {
    pub async fn take(db: &DatabaseConnection) -> Result<Self, DbErr> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(StartUpTurn(None));
        }
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({START_UP_LOCK})"))
            .await?;
        Ok(StartUpTurn(Some(txn)))
    }

    pub async fn end(self) -> Result<(), DbErr> {
        match self.0 {
            Some(txn) => txn.rollback().await,
            None => Ok(()),
        }
    }
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

/// A write transaction; on SQLite it also holds this process's turn to
/// write (see [`begin_write`]) until it is committed or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

// sea-orm's trait is an async_trait, so the impl must be one too.
#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// One turn to write per SQLite database file in this process. SQLite lets
/// one connection write at a time; the others wait in its busy handler,
/// which sleeps in growing steps (up to 100 ms) and so often sleeps through
/// the moment the lock comes free. Waiting here instead wakes the next
/// writer at once, in arrival order (BENCHMARKS.md, item 2).
fn sqlite_write_turn(db: &DatabaseConnection) -> Option<Arc<Mutex<()>>> {
    static TURNS: OnceLock<std::sync::Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>> = OnceLock::new();
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_owned();
    let mut turns = TURNS.get_or_init(Default::default).lock().ok()?;
    Some(turns.entry(file).or_default().clone())
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a transaction that reads first and writes
/// later cannot be upgraded once another connection has committed, and
/// fails with SQLITE_BUSY instead of waiting. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = match sqlite_write_turn(db) {
        // As long as SQLite's own busy timeout: past it, the database is
        // as good as unavailable.
        Some(turn) => Some(
            tokio::time::timeout(BUSY_TIMEOUT, turn.lock_owned())
                .await
                .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?,
        ),
        None => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// Which event row to lock.
pub enum EventKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

/// `query` with its rows locked until `txn` ends: `SELECT ... FOR UPDATE`
/// on PostgreSQL; on SQLite the write transaction already keeps every
/// other writer out.
pub fn for_update<E: EntityTrait>(txn: &WriteTxn, query: sea_orm::Select<E>) -> sea_orm::Select<E> {
    match txn.get_database_backend() {
        DatabaseBackend::Sqlite => query,
        _ => query.lock_exclusive(),
    }
}

/// Begins a write transaction holding the event until it ends, so seat
/// counts cannot change under us: PostgreSQL locks the row with
/// `SELECT ... FOR UPDATE`; on SQLite the transaction's write lock already
/// keeps every other writer out.
pub async fn begin_locked(
    db: &DatabaseConnection,
    key: EventKey<'_>,
) -> Result<(WriteTxn, Option<event::Model>), DbErr> {
    let txn = begin_write(db).await?;
    let query = match key {
        EventKey::Id(id) => event::Entity::find_by_id(id),
        EventKey::Slug(slug) => event::Entity::find().filter(event::Column::Slug.eq(slug)),
    };
    let event = for_update(&txn, query).one(&txn).await?;
    Ok((txn, event))
}

/// Whether a database error means the database is unreachable, or the
/// connection broke under a statement, rather than that the statement was
/// wrong. A broken connection mid-transaction may still have committed,
/// so such errors are answered 503 with a word of caution, not 500.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            **e,
            Sqlx::Io(_)
                | Sqlx::Tls(_)
                | Sqlx::Protocol(_)
                | Sqlx::PoolTimedOut
                | Sqlx::PoolClosed
                | Sqlx::WorkerCrashed
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_broken_connection_counts_as_unavailable_and_a_bad_statement_does_not() {
        let io =
            sea_orm::sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        let broken = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(io)));
        assert!(is_unavailable(&broken));
        let closed = DbErr::Query(RuntimeErr::SqlxError(Arc::new(
            sea_orm::sqlx::Error::PoolClosed,
        )));
        assert!(is_unavailable(&closed));
        let wrong = DbErr::Exec(RuntimeErr::SqlxError(Arc::new(
            sea_orm::sqlx::Error::RowNotFound,
        )));
        assert!(!is_unavailable(&wrong));
        assert!(!is_unavailable(&DbErr::Custom("x".into())));
    }
}
