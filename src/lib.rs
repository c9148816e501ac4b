//! Aanmeldpunt: sign-ups for the partnership events and pilots of Dutch
//! public employers. [`rocket`] builds the whole app from a figment; `main`
//! and the tests share it.
pub mod auth;
mod background;
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
pub mod logging;
pub mod mail;
pub mod routes;
pub mod services;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use rocket::fairing::{self, AdHoc};
use rocket::figment::Figment;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};
use tokio::sync::Notify;

use crate::config::{redact_url, AppConfig};
use crate::mail::worker::WorkerSettings;
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
        .attach(http::compress::Gzip)
        .attach(AdHoc::try_on_ignite("Database, mail and templates", setup))
        .attach(AdHoc::on_liftoff("Mail worker", |rocket| {
            Box::pin(background::start_mail_worker(rocket))
        }))
        .attach(AdHoc::on_shutdown("Mail claims given back", |rocket| {
            Box::pin(background::stop_mail_worker(rocket))
        }))
        .attach(AdHoc::on_liftoff(
            "Reminders and the retention purge",
            |rocket| Box::pin(background::start_scheduled_jobs(rocket)),
        ))
        .attach(AdHoc::on_liftoff("Rate limit upkeep", |rocket| {
            Box::pin(background::start_rate_limit_upkeep(rocket))
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
            .manage(background::MailWorkerTask::default())
            .manage(ready.proxies)
            .manage(ready.services)
            .manage(ready.views)
            .manage(ready.mailer)
            .manage(ready.worker)
            .manage(ready.retention)
            .manage(ready.totp_key)
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
    retention: services::privacy::Retention,
    totp_key: auth::two_factor::TotpKey,
}

/// The rate limits, for the task that forgets what has passed.
pub(crate) struct LimitsUpkeep(Arc<services::limits::Limits>);

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
    // What can be checked without the database is checked before the
    // start-up turn, so a misconfigured instance keeps no other waiting.
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
    let turn = db::StartUpTurn::take(&db)
        .await
        .map_err(|e| format!("waiting for other instances to finish starting failed: {e}"))?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    match services::attendees::key_unkeyed(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("gave {n} sign-ups from before list search their search key"),
        Err(e) => return Err(format!("sign-ups could not be given a search key: {e}")),
    }
    match services::partnerships::key_unkeyed(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("gave {n} partnerships from before their search their search key"),
        Err(e) => return Err(format!("partnerships could not be given a search key: {e}")),
    }
    if config.seed
        && services::seed::seed_if_empty(&db, chrono::Utc::now())
            .await
            .map_err(|e| format!("seeding failed: {e}"))?
    {
        tracing::info!("seeded the demonstration events");
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
    turn.end()
        .await
        .map_err(|e| format!("ending the start-up turn failed: {e}"))?;
    let worker = WorkerSettings {
        from: config.mail_from.clone(),
        base_url: config.base_url.trim_end_matches('/').to_owned(),
        worker_id: uuid::Uuid::new_v4().simple().to_string(),
        retry_delays_secs: config.mail_retry_delays_secs.clone(),
        max_attempts: config.mail_max_attempts,
        poll_interval: Duration::from_millis(config.mail_poll_interval_ms),
        batch_size: 20,
        claim_lease: Duration::from_secs(config.mail_claim_lease_secs.max(1)),
        send_timeout: Duration::from_secs(config.mail_send_timeout_secs.max(1)),
        render_nice: config.mail_render_nice.clamp(0, 19),
        send_parallel: config.mail_send_parallel.clamp(1, 64),
    };
    let proxies = http::client::TrustedProxies::from_config(&config)?;
    let retention = services::privacy::Retention::from_config(&config)?;
    let secret = figment.extract_inner::<String>("secret_key").ok();
    let limits = services::limits::Limits::from_config(&config, &db, secret.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let limits = Arc::new(limits);
    let totp_key = auth::two_factor::TotpKey::from_secret(secret.as_deref());
    if totp_key.development {
        tracing::warn!(
            "no secret_key: TOTP secrets are encrypted with a development key; set \
             ROCKET_SECRET_KEY before anyone enrols"
        );
    }
    let services = Services {
        db,
        views: views.clone(),
        base_url: config.base_url.trim_end_matches('/').to_owned(),
        mail_from: config.mail_from.clone(),
        mail_queued: Arc::new(Notify::new()),
        sign_ups: Default::default(),
        limits: limits.clone(),
        mail_dir: (config.mail_transport == config::MailTransport::Files)
            .then(|| std::path::PathBuf::from(&config.mail_dir)),
    };
    Ok(Ready {
        config,
        services,
        views,
        mailer,
        worker,
        proxies,
        limits_upkeep: LimitsUpkeep(limits),
        retention,
        totp_key,
    })
}
