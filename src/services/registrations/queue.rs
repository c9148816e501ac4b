//! Group commit for sign-ups. A sign-up waits in a queue; whoever gets the
//! turn takes everything waiting and signs it up in one transaction per
//! event. Under load, the statements and the commit of one transaction are
//! shared by many sign-ups instead of paid by each (the serial cost was
//! mostly statement round trips, BENCHMARKS.md item 6); alone, a sign-up is
//! a batch of one and waits for nobody.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::sign_up::{sign_up_batch, Done, SignUp};
use crate::error::AppError;
use crate::services::Services;

/// More would not pay: a batch's insert binds 18 values per sign-up, and
/// SQLite takes at most 32,766 per statement.
const MOST_PER_BATCH: usize = 500;

pub(super) type Answer = Result<Done, AppError>;

pub(super) struct Waiting {
    pub(super) sign_up: SignUp,
    pub(super) reply: oneshot::Sender<Answer>,
}

#[derive(Default)]
pub struct SignUpQueue {
    waiting: Mutex<Vec<Waiting>>,
    /// Held by the one task that is signing up a batch.
    turn: tokio::sync::Mutex<()>,
    /// Per event slug, whether its last batch found it open to the public
    /// sector only. A hint, never trusted: a batch checks the event row it
    /// locked, so a stale entry only moves the register check into the lock.
    public_sector_only: Mutex<HashMap<String, bool>>,
    batches: AtomicU64,
    largest_batch: AtomicUsize,
}

/// How the queue has batched so far, for tests and the debug log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchStats {
    pub batches: u64,
    pub largest: usize,
}

impl SignUpQueue {
    pub(super) fn seems_public_sector_only(&self, slug: &str) -> bool {
        let known = self.public_sector_only.lock();
        let known = known.unwrap_or_else(|e| e.into_inner());
        known.get(slug).copied().unwrap_or(false)
    }

    pub(super) fn remember_public_sector_only(&self, slug: &str, public_sector_only: bool) {
        let mut known = self
            .public_sector_only
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if known.get(slug) != Some(&public_sector_only) {
            known.insert(slug.to_owned(), public_sector_only);
        }
    }

    pub(super) fn record_batch(&self, size: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.largest_batch.fetch_max(size, Ordering::Relaxed);
        tracing::debug!(batch = size, "sign-up batch");
    }

    /// Sign-ups waiting for the next batch.
    pub fn waiting(&self) -> usize {
        self.lock_waiting().len()
    }

    pub fn stats(&self) -> BatchStats {
        BatchStats {
            batches: self.batches.load(Ordering::Relaxed),
            largest: self.largest_batch.load(Ordering::Relaxed),
        }
    }

    pub(super) async fn submit(&self, services: &Services, sign_up: SignUp) -> Answer {
        let (reply, mut answer) = oneshot::channel();
        self.lock_waiting().push(Waiting { sign_up, reply });
        loop {
            let _turn = self.turn.lock().await;
            // An earlier turn may have taken and answered this sign-up.
            match answer.try_recv() {
                Ok(answer) => return answer,
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(AppError::internal(BatchLost))
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let batch = self.take_batch();
            if batch.is_empty() {
                // Taken by a turn whose task was dropped before answering:
                // its batch goes on in its own task; wait for that.
                drop(_turn);
                return answer
                    .await
                    .unwrap_or_else(|_| Err(AppError::internal(BatchLost)));
            }
            // A task of its own, so that a caller dropped halfway (a closed
            // connection) cannot leave the others of its batch unanswered.
            let services = services.clone();
            let signed_up = tokio::spawn(async move { sign_up_batch(&services, batch).await });
            if signed_up.await.is_err() {
                return Err(AppError::internal(BatchLost));
            }
        }
    }

    fn take_batch(&self) -> Vec<Waiting> {
        let mut waiting = self.lock_waiting();
        let rest = waiting.len().saturating_sub(MOST_PER_BATCH);
        let mut batch = waiting.split_off(0);
        // Beyond the limit, the latest arrivals wait for the next turn.
        if rest > 0 {
            *waiting = batch.split_off(MOST_PER_BATCH);
        }
        batch
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // A panic while pushing or splitting a Vec leaves it whole.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the sign-up batch ended without an answer")]
struct BatchLost;
