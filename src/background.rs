//! What runs beside the requests: the mail worker, the scheduled jobs and
//! the rate-limit upkeep, each started at liftoff and stopped at shutdown.
use std::sync::Mutex;
use std::time::Duration;

use rocket::{Orbit, Rocket};
use tokio::task::JoinHandle;

use crate::config::AppConfig;
use crate::error::AppError;
use crate::mail::worker::{self, WorkerSettings};
use crate::mail::Mailer;
use crate::services::{self, Services};
use crate::LimitsUpkeep;

/// The worker's task, so that shutdown can wait for it to stop before it
/// gives back the worker's claims.
#[derive(Default)]
pub struct MailWorkerTask(Mutex<Option<JoinHandle<()>>>);

pub async fn start_mail_worker(rocket: &Rocket<Orbit>) {
    let enabled = rocket.state::<AppConfig>().is_some_and(|c| c.mail_worker);
    let (true, Some(services), Some(mailer), Some(settings)) = (
        enabled,
        rocket.state::<Services>(),
        rocket.state::<Mailer>(),
        rocket.state::<WorkerSettings>(),
    ) else {
        return;
    };
    let work = worker::run(
        services.db.clone(),
        mailer.clone(),
        services.views.clone(),
        settings.clone(),
        services.mail_queued.clone(),
    );
    let shutdown = rocket.shutdown();
    let task = tokio::spawn(async move {
        tokio::select! {
            _ = work => {}
            _ = shutdown => {}
        }
    });
    if let Some(MailWorkerTask(slot)) = rocket.state::<MailWorkerTask>() {
        if let Ok(mut slot) = slot.lock() {
            *slot = Some(task);
        }
    }
}

/// At shutdown the worker stops (a send under way is cut off), then every
/// mail it still held is pending again, for this instance's next start or
/// another instance, without waiting out `mail_claim_lease_secs`.
pub async fn stop_mail_worker(rocket: &Rocket<Orbit>) {
    let (Some(MailWorkerTask(slot)), Some(services), Some(settings)) = (
        rocket.state::<MailWorkerTask>(),
        rocket.state::<Services>(),
        rocket.state::<WorkerSettings>(),
    ) else {
        return;
    };
    let task = slot.lock().ok().and_then(|mut slot| slot.take());
    let Some(task) = task else {
        return;
    };
    let _ = task.await;
    match worker::release_claims(&services.db, &settings.worker_id).await {
        Ok(0) => {}
        Ok(released) => tracing::info!("gave back {released} mail(s) this worker held"),
        Err(e) => tracing::warn!("giving back this worker's mail: {e}"),
    }
}

/// Forgets rate-limit windows that have passed every few minutes; without
/// it memory and the table would keep every key ever seen.
pub async fn start_rate_limit_upkeep(rocket: &Rocket<Orbit>) {
    let Some(LimitsUpkeep(limits)) = rocket.state::<LimitsUpkeep>() else {
        return;
    };
    let limits = limits.clone();
    let mut shutdown = rocket.shutdown();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(Duration::from_secs(300)) => {
                    if let Err(e) = limits.forget_idle().await {
                        tracing::warn!("rate limits: {e}");
                    }
                }
            }
        }
    });
}

/// Runs `job` every `interval` until shutdown; a zero interval leaves the
/// job to cron.
fn every<F, Fut>(rocket: &Rocket<Orbit>, interval: u64, name: &'static str, job: F)
where
    F: Fn(Services) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>> + Send,
{
    let Some(services) = rocket.state::<Services>().cloned() else {
        return;
    };
    if interval == 0 {
        return;
    }
    let shutdown = rocket.shutdown();
    tokio::spawn(async move {
        let work = async {
            loop {
                if let Err(e) = job(services.clone()).await {
                    tracing::warn!("{name}: {e}");
                }
                tokio::time::sleep(Duration::from_secs(interval)).await;
            }
        };
        tokio::select! {
            _ = work => {}
            _ = shutdown => {}
        }
    });
}

/// The scheduled jobs: unverified applications whose link ran out and
/// reminders that are due on the reminder interval, the retention purge on
/// its own.
pub async fn start_scheduled_jobs(rocket: &Rocket<Orbit>) {
    let Some(config) = rocket.state::<AppConfig>() else {
        return;
    };
    every(
        rocket,
        config.reminder_interval_secs,
        "expiring unverified applications",
        |services| async move {
            services::applications::expire_unverified(&services, chrono::Utc::now())
                .await
                .map(drop)
        },
    );
    every(
        rocket,
        config.reminder_interval_secs,
        "reminders",
        |services| async move {
            services::reminders::send_due(&services, chrono::Utc::now())
                .await
                .map(drop)
        },
    );
    let Some(retention) = rocket.state::<services::privacy::Retention>().copied() else {
        return;
    };
    every(
        rocket,
        config.purge_interval_secs,
        "retention purge",
        move |services| async move {
            let purged =
                services::privacy::purge(&services, chrono::Utc::now(), retention, false).await?;
            tracing::info!(?purged, "retention purge");
            Ok(())
        },
    );
}
