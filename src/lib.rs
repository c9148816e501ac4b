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
    let config: AppConfig = match rocket.figment().extract() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!("configuration is incomplete or invalid: {e}");
            return Err(rocket);
        }
    };
    let db = match db::connect_with_timeout(
        &config.database_url,
        config.database_max_connections,
        Duration::from_secs(config.database_acquire_timeout_secs),
    )
    .await
    {
        Ok(db) => db,
        Err(e) => {
            tracing::error!(
                "cannot open database {}: {e}",
                redact_url(&config.database_url)
            );
            return Err(rocket);
        }
    };
    if let Err(e) = db::migrate(&db).await {
        tracing::error!("database migration failed, not starting: {e}");
        return Err(rocket);
    }
    if config.seed {
        match services::seed::seed_if_empty(&db, chrono::Utc::now()).await {
            Ok(true) => tracing::info!("seeded the demonstration events"),
            Ok(false) => {}
            Err(e) => {
                tracing::error!("seeding failed: {e}");
                return Err(rocket);
            }
        }
    }
    if config.register_on_first_start {
        match services::register::load_shipped_if_empty(&db).await {
            Ok(Some(load)) => tracing::info!(
                "loaded the shipped register: {} organisations from the ROO extract, {} from the \
                 education list, in {} ms",
                load.roo.added,
                load.education.added,
                load.took.as_millis()
            ),
            Ok(None) => {}
            // The app works without it; staff can import a register.
            Err(e) => tracing::error!("the shipped register did not load: {e}"),
        }
    }
    let views = match Views::load(&config.template_dir) {
        Ok(views) => views,
        Err(e) => {
            tracing::error!("templates in {} do not load: {e:?}", config.template_dir);
            return Err(rocket);
        }
    };
    let mailer = match Mailer::from_config(&config) {
        Ok(mailer) => mailer,
        Err(e) => {
            tracing::error!("mail transport: {e}");
            return Err(rocket);
        }
    };
    let worker_settings = WorkerSettings {
        from: config.mail_from.clone(),
        retry_delays_secs: config.mail_retry_delays_secs.clone(),
        max_attempts: config.mail_max_attempts,
        poll_interval: Duration::from_millis(config.mail_poll_interval_ms),
        batch_size: 20,
        claim_lease: Duration::from_secs(config.mail_claim_lease_secs.max(1)),
        render_nice: config.mail_render_nice.clamp(0, 19),
    };
    let services = Services {
        db,
        views: views.clone(),
        base_url: config.base_url.trim_end_matches('/').to_owned(),
        mail_from: config.mail_from.clone(),
        mail_queued: Arc::new(Notify::new()),
        sign_ups: Default::default(),
    };
    let rate_limits = routes::protection::RateLimits::new(&config);
    Ok(rocket
        .manage(rate_limits)
        .manage(services)
        .manage(views)
        .manage(mailer)
        .manage(worker_settings)
        .manage(config))
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

/// Forgets rate-limit state of quiet clients and addresses every few
/// minutes; without it the limiters would keep every key ever seen.
async fn start_rate_limit_upkeep(rocket: &Rocket<rocket::Orbit>) {
    let Some(limits) = rocket.state::<routes::protection::RateLimits>() else {
        return;
    };
    let limits = limits.clone();
    let mut shutdown = rocket.shutdown();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(Duration::from_secs(300)) => limits.forget_idle(),
            }
        }
    });
}

/// The scheduled jobs: reminders that are due, unverified applications
/// whose link ran out, and the retention purge.
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
                if let Err(e) =
                    services::applications::expire_unverified(&services, chrono::Utc::now()).await
                {
                    tracing::warn!("expiring unverified applications: {e}");
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
