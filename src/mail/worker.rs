//! Sends due outbox rows in the background, retrying with backoff.
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use super::mailer::{EncodedMail, MailError};
use super::render_thread::RenderThread;
use super::{outbox, Mailer, OutgoingEmail};
use crate::views::Views;

#[derive(Clone)]
pub struct WorkerSettings {
    pub from: String,
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

/// Claims one batch of due rows and tries each once. Returns how many rows
/// were claimed.
pub async fn send_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    views: &Views,
    renderer: &RenderThread,
    settings: &WorkerSettings,
) -> Result<usize, sea_orm::DbErr> {
    // Writes take their turn like every other writer (crate::db::begin_write).
    let txn = crate::db::begin_write(db).await?;
    let rows =
        outbox::claim_due(&txn, Utc::now(), settings.batch_size, settings.claim_lease).await?;
    txn.commit().await?;
    let claimed = rows.len();
    for row in rows {
        let (id, attempts) = (row.id, row.attempts);
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
            Ok(encoded) => mailer.send(&encoded).await.map(|()| encoded.mail),
            Err(e) => Err(e),
        };
        match sent {
            Ok(mail) => {
                let txn = crate::db::begin_write(db).await?;
                outbox::mark_sent(&txn, &mail).await?;
                txn.commit().await?;
            }
            Err(e) => {
                let retry_at = (attempts < settings.max_attempts).then(|| {
                    Utc::now()
                        + chrono::Duration::from_std(settings.delay_after(attempts))
                            .unwrap_or_else(|_| chrono::Duration::hours(1))
                });
                tracing::warn!(
                    outbox_id = id,
                    attempts,
                    gives_up = retry_at.is_none(),
                    "sending mail failed: {e}"
                );
                let txn = crate::db::begin_write(db).await?;
                outbox::mark_attempt_failed(&txn, id, &e.to_string(), retry_at).await?;
                txn.commit().await?;
            }
        }
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_schedule_then_repeats_the_last_step() {
        let settings = WorkerSettings {
            from: "a@b.nl".into(),
            retry_delays_secs: vec![10, 30, 3600],
            max_attempts: 10,
            poll_interval: Duration::from_secs(1),
            batch_size: 10,
            claim_lease: Duration::from_secs(300),
            send_timeout: Duration::from_secs(60),
            render_nice: 0,
        };
        assert_eq!(settings.delay_after(1), Duration::from_secs(10));
        assert_eq!(settings.delay_after(2), Duration::from_secs(30));
        assert_eq!(settings.delay_after(3), Duration::from_secs(3600));
        assert_eq!(settings.delay_after(9), Duration::from_secs(3600));
    }
}
