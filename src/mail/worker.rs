//! Sends due outbox rows in the background, retrying with backoff.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use super::mailer::{EncodedMail, MailError};
use super::outbox::Failure;
use super::render_thread::RenderThread;
use super::{links, outbox, Mailer, OutgoingEmail};
use crate::entities::outbox as outbox_entity;
use crate::views::Views;

#[derive(Clone)]
pub struct WorkerSettings {
    pub from: String,
    /// What the links in mail start with (`base_url`, no trailing slash).
    pub base_url: String,
    /// This instance's worker: its claims on outbox rows start with it.
    pub worker_id: String,
    pub retry_delays_secs: Vec<u64>,
    pub max_attempts: i32,
    pub poll_interval: Duration,
    pub batch_size: u64,
    /// How long a worker holds a mail it took: at least twice `send_timeout`.
    pub claim_lease: Duration,
    /// The most one SMTP exchange may take, from connect to the end.
    pub send_timeout: Duration,
    /// Nice value of the render thread ([`RenderThread`]).
    pub render_nice: i32,
    /// Mails sent at once, each over its own SMTP connection from the
    /// transport's pool. Mail to one address still leaves one at a time.
    pub send_parallel: usize,
}

impl WorkerSettings {
    /// The wait before attempt `attempts + 1`; the last delay repeats.
    fn delay_after(&self, attempts: i32) -> Duration {
        let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
        let secs = self
            .retry_delays_secs
            .get(index)
            .or(self.retry_delays_secs.last())
            .copied()
            .unwrap_or(60);
        Duration::from_secs(secs)
    }
}

/// Runs until the process stops. `wake` is notified after each commit that
/// wrote outbox rows, so mail leaves at once instead of at the next poll.
pub async fn run(
    db: DatabaseConnection,
    mailer: Mailer,
    views: Views,
    settings: WorkerSettings,
    wake: Arc<Notify>,
) {
    let renderer = match RenderThread::start(settings.render_nice) {
        Ok(renderer) => renderer,
        Err(e) => {
            tracing::error!("mail worker not started, no render thread: {e}");
            return;
        }
    };
    loop {
        match send_due(&db, &mailer, &views, &renderer, &settings).await {
            // A full batch means there may be more waiting: go again at once.
            Ok(sent) if sent as u64 == settings.batch_size => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("mail worker: {e}"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
}

/// Why mail could not be sent at all (as opposed to one mail failing,
/// which is recorded on its row and retried).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("no render thread: {0}")]
    RenderThread(#[from] std::io::Error),
}

/// Sends every mail that is due now, batch after batch, until none is left;
/// mail that failed and waits for a later retry stays. Tests and commands
/// drive the outbox with this instead of waiting for [`run`].
pub async fn send_all_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    views: &Views,
    settings: &WorkerSettings,
) -> Result<usize, WorkerError> {
    let renderer = RenderThread::start(settings.render_nice)?;
    let mut sent = 0;
    loop {
        match send_due(db, mailer, views, &renderer, settings).await? {
            0 => return Ok(sent),
            claimed => sent += claimed,
        }
    }
}

/// Claims one batch of due rows and tries each once, up to
/// `send_parallel` at a time. Returns how many rows were claimed.
///
/// Each row was claimed by this worker alone (under a claim of its own,
/// with a lease), is sent once and then marked sent or failed on its own:
/// the parallel sends only overlap the waits for the SMTP server. Mail to
/// one person must leave in the order it was written (waiting list before
/// "you moved up"), so one address's rows go one after another.
pub async fn send_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    views: &Views,
    renderer: &RenderThread,
    settings: &WorkerSettings,
) -> Result<usize, sea_orm::DbErr> {
    let claim = format!("{}:{}", settings.worker_id, uuid::Uuid::new_v4().simple());
    // Writes take their turn like every other writer (crate::db::begin_write).
    let txn = crate::db::begin_write(db).await?;
    let leased_until = Instant::now() + settings.claim_lease;
    let mut rows = outbox::claim_due(
        &txn,
        Utc::now(),
        settings.batch_size,
        settings.claim_lease,
        &claim,
    )
    .await?;
    links::issue(&txn, &mut rows, &settings.base_url).await?;
    txn.commit().await?;
    let claimed = rows.len();
    let claim = claim.as_str();
    let sends = by_recipient(rows).into_iter().map(|rows| async move {
        for row in rows {
            let held = Held {
                claim,
                until: leased_until,
            };
            send_one(db, mailer, views, renderer, settings, row, held).await?;
        }
        Ok::<(), sea_orm::DbErr>(())
    });
    // Every send that started is finished and recorded before an error
    // from one of them is returned.
    let results: Vec<_> = futures_util::stream::iter(sends)
        .buffer_unordered(settings.send_parallel.max(1))
        .collect()
        .await;
    results.into_iter().collect::<Result<(), _>>()?;
    Ok(claimed)
}

/// The claim a row is held under, and until when (by this clock).
#[derive(Clone, Copy)]
struct Held<'a> {
    claim: &'a str,
    until: Instant,
}

/// The rows in groups of one recipient each, every group in the order of
/// the rows (the claim's order, by id).
fn by_recipient(rows: Vec<outbox_entity::Model>) -> Vec<Vec<outbox_entity::Model>> {
    let mut groups: Vec<Vec<outbox_entity::Model>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let key = row.recipient.to_lowercase();
        match index.get(&key) {
            Some(&i) => groups[i].push(row),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![row]);
            }
        }
    }
    groups
}

/// Renders, sends and records one claimed row. A send may take up to
/// `send_timeout`; if the lease would run out before that, it is renewed
/// first, and the row is left alone when it is no longer ours (its lease
/// ran out while it waited in the batch and another worker took it).
async fn send_one(
    db: &DatabaseConnection,
    mailer: &Mailer,
    views: &Views,
    renderer: &RenderThread,
    settings: &WorkerSettings,
    row: outbox_entity::Model,
    held: Held<'_>,
) -> Result<(), sea_orm::DbErr> {
    let (id, attempts) = (row.id, row.attempts);
    if Instant::now() + settings.send_timeout >= held.until {
        let txn = crate::db::begin_write(db).await?;
        let ours = outbox::renew(&txn, id, held.claim, Utc::now(), settings.claim_lease).await?;
        txn.commit().await?;
        if !ours {
            tracing::info!(outbox_id = id, "mail taken over by another worker");
            return Ok(());
        }
    }
    let (views, from) = (views.clone(), settings.from.clone());
    let encoded = renderer
        .run(move || {
            let mail = OutgoingEmail::render(&row, &views)
                .map_err(|e| MailError::Render(format!("{e:?}")))?;
            EncodedMail::new(&from, mail)
        })
        .await
        .unwrap_or_else(|e| Err(MailError::Render(e.to_string())));
    let sent = match encoded {
        Ok(encoded) => tokio::time::timeout(settings.send_timeout, mailer.send(&encoded))
            .await
            .unwrap_or(Err(MailError::TimedOut(settings.send_timeout)))
            .map(|()| encoded.mail),
        Err(e) => Err(e),
    };
    let txn = crate::db::begin_write(db).await?;
    match sent {
        Ok(mail) => {
            if !outbox::mark_sent(&txn, &mail, held.claim).await? {
                tracing::warn!(outbox_id = id, "mail sent after its claim was taken over");
            }
        }
        Err(e) => {
            let (failure, retry_at) = settings.retry_after(&e, attempts);
            tracing::warn!(
                outbox_id = id,
                attempts,
                gives_up = retry_at.is_none(),
                server_down = failure == Failure::OfTheServer,
                "sending mail failed: {e}"
            );
            outbox::mark_attempt_failed(&txn, id, held.claim, &e.to_string(), retry_at, failure)
                .await?;
        }
    }
    txn.commit().await
}

impl WorkerSettings {
    /// How a failure counts and when to try again (`None`: give up). While
    /// the server is down or silent, mail waits without using up attempts,
    /// and is tried at least every minute: mail leaves within a minute of
    /// the server coming back, not after an hour-long backoff step.
    fn retry_after(
        &self,
        error: &MailError,
        attempts: i32,
    ) -> (Failure, Option<chrono::DateTime<Utc>>) {
        let at = |delay: Duration| {
            Utc::now()
                + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::hours(1))
        };
        if error.is_outage() {
            let delay = self.delay_after(attempts).min(OUTAGE_RETRY);
            return (Failure::OfTheServer, Some(at(delay)));
        }
        let retry_at = (attempts < self.max_attempts).then(|| at(self.delay_after(attempts)));
        (Failure::OfTheMail, retry_at)
    }
}

/// The longest wait between tries while the mail server is unreachable.
const OUTAGE_RETRY: Duration = Duration::from_secs(60);

/// Gives back the claims of this worker (`worker_id`) on mail it had not
/// finished, so a stopping instance leaves nothing waiting for its lease.
pub async fn release_claims(
    db: &DatabaseConnection,
    worker_id: &str,
) -> Result<u64, sea_orm::DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let released = outbox::release_claims(&txn, worker_id).await?;
    txn.commit().await?;
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_schedule_then_repeats_the_last_step() {
        let settings = WorkerSettings {
            from: "a@b.nl".into(),
            base_url: "https://aanmeldpunt.test".into(),
            worker_id: "test".into(),
            retry_delays_secs: vec![10, 30, 3600],
            max_attempts: 10,
            poll_interval: Duration::from_secs(1),
            batch_size: 10,
            claim_lease: Duration::from_secs(300),
            send_timeout: Duration::from_secs(60),
            render_nice: 0,
            send_parallel: 1,
        };
        assert_eq!(settings.delay_after(1), Duration::from_secs(10));
        assert_eq!(settings.delay_after(2), Duration::from_secs(30));
        assert_eq!(settings.delay_after(3), Duration::from_secs(3600));
        assert_eq!(settings.delay_after(9), Duration::from_secs(3600));
    }

    fn row(id: i64, recipient: &str) -> outbox_entity::Model {
        let now = Utc::now();
        outbox_entity::Model {
            id,
            kind: crate::domain::MailKind::RegistrationConfirmed,
            recipient: recipient.into(),
            subject: String::new(),
            ics: None,
            context: None,
            event_id: None,
            registration_id: None,
            application_id: None,
            status: crate::domain::OutboxStatus::Sending,
            attempts: 1,
            next_attempt_at: now,
            locked_until: None,
            claimed_by: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }

    #[test]
    fn one_addresses_mail_stays_together_and_in_order() {
        let rows = vec![
            row(1, "a@x.nl"),
            row(2, "b@x.nl"),
            row(3, "A@x.nl"),
            row(4, "c@x.nl"),
            row(5, "a@x.nl"),
        ];
        let ids: Vec<Vec<i64>> = by_recipient(rows)
            .iter()
            .map(|group| group.iter().map(|r| r.id).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 3, 5], vec![2], vec![4]]);
    }
}
