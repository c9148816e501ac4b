//! Rate limits: how often one client, one e-mail address, one sign-up or
//! one application may do something. Counted in fixed windows, in a store
//! chosen by `rate_limit_store`: memory (one instance; the default on
//! SQLite), the database (shared by every instance; the default on
//! PostgreSQL) or Redis (`redis://...`). Subjects are never stored as
//! typed: keys are keyed hashes, so the table and Redis hold no addresses.
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};

use crate::config::AppConfig;
use crate::entities::rate_limit;
use crate::error::{AppError, Throttled};

/// What a limit counts; each has its own allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Sign-ups, applications and resends from one client address.
    FormsFromClient,
    /// Log-in attempts, right or wrong, from one client address.
    LogInsFromClient,
    /// Mail to one address that someone typed: sign-ups, applications,
    /// resent links. Caps what the site can be made to send to a person.
    MailToAddress,
    /// Wrong passwords for one address, known or not: past it, the log-in
    /// answers as for a locked account.
    FailedLogIns,
    /// A sign-up's links sent again because someone signed up twice.
    LinksResent,
    /// Verification mails of one application.
    VerificationResent,
}

impl Limit {
    /// Whose allowance this is, for what the refusal says.
    fn of(self) -> Throttled {
        match self {
            Limit::FormsFromClient | Limit::LogInsFromClient | Limit::FailedLogIns => {
                Throttled::Client
            }
            Limit::MailToAddress | Limit::LinksResent | Limit::VerificationResent => {
                Throttled::Recipient
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Limit::FormsFromClient => "forms-from-client",
            Limit::LogInsFromClient => "log-ins-from-client",
            Limit::MailToAddress => "mail-to-address",
            Limit::FailedLogIns => "failed-log-ins",
            Limit::LinksResent => "links-resent",
            Limit::VerificationResent => "verification-resent",
        }
    }
}

/// How many in how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub hits: u32,
    pub per: Duration,
}

pub struct Limits {
    quotas: HashMap<Limit, Quota>,
    store: Store,
    /// The key of the subjects' hashes: the app's secret where it has one,
    /// so every instance hashes alike; random otherwise (one instance).
    secret: Vec<u8>,
}

enum Store {
    /// Per hashed key: window, hits in it, when the window ends.
    Memory(Mutex<HashMap<u64, (u64, u32, u64)>>, RandomState),
    Database(DatabaseConnection),
    Redis(redis::aio::ConnectionManager),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("rate-limit store: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("rate-limit store: {0}")]
    Database(#[from] DbErr),
    #[error("rate_limit_store must be memory, database or a redis:// URL, not {0:?}")]
    Unknown(String),
    #[error(
        "rate_limit_store = \"database\" needs PostgreSQL; SQLite serves one instance, use memory"
    )]
    DatabaseOnSqlite,
}

impl Limits {
    pub async fn from_config(
        config: &AppConfig,
        db: &DatabaseConnection,
        secret: Option<&str>,
    ) -> Result<Self, StoreError> {
        let store = match config.rate_limit_store.as_deref() {
            None if db.get_database_backend() == DbBackend::Sqlite => Store::memory(),
            // On SQLite a check would wait behind the very write it limits.
            Some("database") if db.get_database_backend() == DbBackend::Sqlite => {
                return Err(StoreError::DatabaseOnSqlite)
            }
            None | Some("database") => Store::Database(db.clone()),
            Some("memory") => Store::memory(),
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                let client = redis::Client::open(url)?;
                Store::Redis(redis::aio::ConnectionManager::new(client).await?)
            }
            Some(other) => return Err(StoreError::Unknown(other.to_owned())),
        };
        let minute = Duration::from_secs(60);
        let hour = Duration::from_secs(3600);
        let quota = |hits: u32, per| Quota {
            hits: hits.max(1),
            per,
        };
        let quotas = HashMap::from([
            (
                Limit::FormsFromClient,
                quota(config.rate_limit_sign_ups_per_minute, minute),
            ),
            (
                Limit::LogInsFromClient,
                quota(config.rate_limit_logins_per_minute, minute),
            ),
            (
                Limit::MailToAddress,
                quota(config.rate_limit_per_email_per_hour, hour),
            ),
            (
                Limit::FailedLogIns,
                quota(
                    super::staff::MAX_FAILED_LOGINS.unsigned_abs(),
                    super::staff::LOCK_OUT_FOR.to_std().unwrap_or(hour),
                ),
            ),
            (Limit::LinksResent, quota(1, hour)),
            (Limit::VerificationResent, quota(3, hour)),
        ]);
        let secret = match secret {
            Some(secret) if !secret.is_empty() => secret.as_bytes().to_vec(),
            _ => random_secret(),
        };
        Ok(Limits {
            quotas,
            store,
            secret,
        })
    }

    fn store_name(&self) -> &'static str {
        match self.store {
            Store::Memory(..) => "memory",
            Store::Database(_) => "database",
            Store::Redis(_) => "redis",
        }
    }

    /// Counts one more for `subject` and refuses past the allowance.
    pub async fn check(&self, limit: Limit, subject: &str) -> Result<(), AppError> {
        self.count(limit, subject, 1).await
    }

    /// Refuses when `subject` already used its allowance, without counting.
    pub async fn peek(&self, limit: Limit, subject: &str) -> Result<(), AppError> {
        self.count(limit, subject, 0).await
    }

    async fn count(&self, limit: Limit, subject: &str, add: u32) -> Result<(), AppError> {
        let quota = self.quotas.get(&limit).copied().unwrap_or(Quota {
            hits: 1,
            per: Duration::from_secs(60),
        });
        let per = quota.per.as_secs().max(1);
        let now = unix_now();
        let window = now / per;
        let wait = per - now % per;
        let hits = match &self.store {
            Store::Memory(counts, hasher) => {
                let key = memory_key(hasher, limit, subject);
                let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                let entry = counts.entry(key).or_insert((window, 0, now + wait));
                if entry.0 != window {
                    *entry = (window, 0, now + wait);
                }
                entry.1 = entry.1.saturating_add(add);
                entry.1
            }
            Store::Database(db) => {
                let key = self.shared_key(limit, subject);
                database_count(db, &key, window, add, now + wait)
                    .await
                    .map_err(AppError::from)?
            }
            Store::Redis(redis) => {
                let key = format!(
                    "aanmeldpunt:rl:{}:{window}",
                    self.shared_key(limit, subject)
                );
                redis_count(redis.clone(), &key, add, wait)
                    .await
                    .map_err(|e| AppError::internal(StoreError::from(e)))?
            }
        };
        let over = if add == 0 {
            hits >= quota.hits
        } else {
            hits > quota.hits
        };
        if over {
            tracing::debug!(
                limit = limit.name(),
                store = self.store_name(),
                "rate limited"
            );
            return Err(AppError::RateLimited {
                retry_after_secs: wait.max(1),
                of: limit.of(),
            });
        }
        Ok(())
    }

    /// A keyed SHA-256 of limit and subject, the same on every instance.
    fn shared_key(&self, limit: Limit, subject: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(&self.secret);
        hash.update(limit.name().as_bytes());
        hash.update([0]);
        hash.update(subject.to_lowercase().as_bytes());
        hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Forgets windows that have passed: memory follows current traffic
    /// only, and the table does not grow.
    pub async fn forget_idle(&self) -> Result<(), DbErr> {
        let now = unix_now();
        match &self.store {
            Store::Memory(counts, _) => {
                let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                counts.retain(|_, (_, _, ends)| *ends > now);
                Ok(())
            }
            Store::Database(db) => rate_limit::Entity::delete_many()
                .filter(rate_limit::Column::ExpiresAt.lt(i64::try_from(now).unwrap_or(i64::MAX)))
                .exec(db)
                .await
                .map(drop),
            // Redis expires its keys itself.
            Store::Redis(_) => Ok(()),
        }
    }
}

impl Store {
    fn memory() -> Self {
        Store::Memory(Mutex::new(HashMap::new()), RandomState::new())
    }
}

fn memory_key(hasher: &RandomState, limit: Limit, subject: &str) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(limit.name().as_bytes());
    for c in subject.chars().flat_map(char::to_lowercase) {
        h.write_u32(u32::from(c));
    }
    h.finish()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    bytes
}

/// One atomic upsert: a new window starts afresh, the same window counts on.
async fn database_count(
    db: &DatabaseConnection,
    key: &str,
    window: u64,
    add: u32,
    expires_at: u64,
) -> Result<u32, DbErr> {
    use rate_limit::Column::{ExpiresAt, Hits, WindowIndex};
    use sea_orm::sea_query::ExprTrait;
    let stored = |column| Expr::col((rate_limit::Entity, column));
    let offered = |column| Expr::col((Alias::new("excluded"), column));
    let hits = Expr::case(
        stored(WindowIndex).eq(offered(WindowIndex)),
        stored(Hits).add(offered(Hits)),
    )
    .finally(offered(Hits));
    let row = rate_limit::Entity::insert(rate_limit::ActiveModel {
        key: Set(key.to_owned()),
        window_index: Set(i64::try_from(window).unwrap_or(i64::MAX)),
        hits: Set(i64::from(add)),
        expires_at: Set(i64::try_from(expires_at).unwrap_or(i64::MAX)),
    })
    .on_conflict(
        OnConflict::column(rate_limit::Column::Key)
            .value(Hits, hits)
            .update_columns([WindowIndex, ExpiresAt])
            .to_owned(),
    )
    .exec_with_returning(db)
    .await?;
    Ok(u32::try_from(row.hits).unwrap_or(u32::MAX))
}

async fn redis_count(
    mut redis: redis::aio::ConnectionManager,
    key: &str,
    add: u32,
    expire_after: u64,
) -> Result<u32, redis::RedisError> {
    let (hits,): (u32,) = redis::pipe()
        .atomic()
        .incr(key, add)
        .expire(key, i64::try_from(expire_after).unwrap_or(3600))
        .ignore()
        .query_async(&mut redis)
        .await?;
    Ok(hits)
}
