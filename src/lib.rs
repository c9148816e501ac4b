//! Aanmeldpunt: sign-ups for the partnership events and pilots of Dutch
//! public employers. [`rocket`] builds the whole app from a figment; `main`
//! and the tests share it.
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod entities;
pub mod error;
pub mod export;
pub mod format;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod routes;
pub mod services;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::{self, AdHoc};
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::{Build, Orbit, Rocket};
use tokio::sync::Notify;

use crate::config::{redact_url, AppConfig};
use crate::mail::worker::{self, WorkerSettings};
use crate::mail::Mailer;
use crate::services::Services;
use crate::views::Views;

/// Rocket's figment: Rocket.toml, then `ROCKET_*` environment variables.
pub fn figment() -> Figment {
    rocket::Config::figment()
}

pub fn rocket(figment: Figment) -> Rocket<Build> {
    let static_dir = figment
        .extract_inner::<String>("static_dir")
        .unwrap_or_else(|_| "static".into());
    let (shield, content_security_policy) = routes::protection::headers();
    rocket::custom(figment)
        .attach(shield)
        .attach(content_security_policy)
        .attach(AdHoc::try_on_ignite("Database, mail and templates", setup))
        .attach(AdHoc::on_liftoff("Mail worker", |rocket| {
            Box::pin(start_mail_worker(rocket))
        }))
        .attach(AdHoc::on_liftoff("Reminders and retention", |rocket| {
            Box::pin(start_reminders(rocket))
        }))
        .attach(AdHoc::on_liftoff("Rate limit upkeep", |rocket| {
            Box::pin(start_rate_limit_upkeep(rocket))
        }))
        .mount("/", routes::pages())
        .mount("/", http::fallback_routes())
        .mount("/api/v1", routes::api())
        .mount("/static", FileServer::from(static_dir))
        .register("/", routes::catchers())
}

async fn setup(rocket: Rocket<Build>) -> fairing::Result {
    match prepare(rocket.figment()).await {
        Ok(ready) => Ok(rocket
            .manage(ready.limits_upkeep)
            .manage(ready.proxies)
            .manage(ready.services)
            .manage(ready.views)
            .manage(ready.mailer)
            .manage(ready.worker)
            .manage(ready.config)),
        Err(why) => {
            tracing::error!("not starting: {why}");
            Err(rocket)
        }
    }
}

/// Everything the app manages as state, made from its settings.
struct Ready {
    config: AppConfig,
    services: Services,
    views: Views,
    mailer: Mailer,
    worker: WorkerSettings,
    proxies: http::client::TrustedProxies,
    limits_upkeep: LimitsUpkeep,
}

/// The rate limits, for the task that forgets what has passed.
struct LimitsUpkeep(Arc<services::limits::Limits>);

async fn prepare(figment: &Figment) -> Result<Ready, String> {
    let config: AppConfig = figment
        .extract()
        .map_err(|e| format!("configuration is incomplete or invalid: {e}"))?;
    let db = db::connect_with_timeout(
        &config.database_url,
        config.database_max_connections,
        Duration::from_secs(config.database_acquire_timeout_secs),
    )
    .await
    .map_err(|e| {
        format!(
            "cannot open database {}: {e}",
            redact_url(&config.database_url)
        )
    })?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    if config.seed
        && services::seed::seed_if_empty(&db, chrono::Utc::now())
            .await
            .map_err(|e| format!("seeding failed: {e}"))?
    {
        tracing::info!("seeded the demonstration events");
    }
    let views = Views::load(&config.template_dir)
        .map_err(|e| format!("templates in {} do not load: {e:?}", config.template_dir))?;
    let mailer = Mailer::from_config(&config).map_err(|e| format!("mail transport: {e}"))?;
    if config.mail_send_timeout_secs.saturating_mul(2) > config.mail_claim_lease_secs {
        return Err(format!(
            "mail_claim_lease_secs ({}) must be at least twice mail_send_timeout_secs ({}), \
             or a slow send could be taken over and sent twice",
            config.mail_claim_lease_secs, config.mail_send_timeout_secs
        ));
    }
    let worker = WorkerSettings {
        from: config.mail_from.clone(),
        retry_delays_secs: config.mail_retry_delays_secs.clone(),
        max_attempts: config.mail_max_attempts,
        poll_interval: Duration::from_millis(config.mail_poll_interval_ms),
        batch_size: 20,
        claim_lease: Duration::from_secs(config.mail_claim_lease_secs.max(1)),
        send_timeout: Duration::from_secs(config.mail_send_timeout_secs.max(1)),
        render_nice: config.mail_render_nice.clamp(0, 19),
    };
    let proxies = http::client::TrustedProxies::from_config(&config)?;
    let secret = figment.extract_inner::<String>("secret_key").ok();
    let limits = services::limits::Limits::from_config(&config, &db, secret.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let limits = Arc::new(limits);
    let services = Services {
        db,
        views: views.clone(),
        base_url: config.base_url.trim_end_matches('/').to_owned(),
        mail_from: config.mail_from.clone(),
        mail_queued: Arc::new(Notify::new()),
        sign_ups: Default::default(),
        limits: limits.clone(),
    };
    Ok(Ready {
        config,
        services,
        views,
        mailer,
        worker,
        proxies,
        limits_upkeep: LimitsUpkeep(limits),
    })
}

async fn start_mail_worker(rocket: &Rocket<Orbit>) {
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
    tokio::spawn(async move {
        tokio::select! {
            _ = work => {}
            _ = shutdown => {}
        }
    });
}

/// Forgets rate-limit windows that have passed every few minutes; without
/// it memory and the table would keep every key ever seen.
async fn start_rate_limit_upkeep(rocket: &Rocket<rocket::Orbit>) {
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

/// The scheduled jobs: reminders that are due, and the retention purge.
async fn start_reminders(rocket: &Rocket<Orbit>) {
    let interval = rocket
        .state::<AppConfig>()
        .map_or(0, |c| c.reminder_interval_secs);
    let retention = rocket.state::<AppConfig>().map_or((90, 730), |c| {
        (c.retention_days_after_event, c.retention_days_applications)
    });
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
                if let Err(e) = services::reminders::send_due(&services, chrono::Utc::now()).await {
                    tracing::warn!("reminders: {e}");
                }
                let purged = services::privacy::purge(
                    &services,
                    chrono::Utc::now(),
                    retention.0,
                    retention.1,
                )
                .await;
                if let Err(e) = purged {
                    tracing::warn!("retention purge: {e}");
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
