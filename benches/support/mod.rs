//! What the benchmarks share: a fresh PostgreSQL database and a meeting
//! with room for everyone (`mod support;` in each).
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use aanmeldpunt::entities::event::{self, Eligibility, EventStatus};

/// Drops and makes database `name` next to `admin_url`'s; its URL.
pub async fn fresh_postgres_database(
    admin_url: &str,
    name: &str,
) -> Result<String, sea_orm::DbErr> {
    let admin = sea_orm::Database::connect(admin_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

pub async fn insert_event(db: &DatabaseConnection, slug: &str) -> event::Model {
    let now = Utc::now();
    let starts = now + chrono::Duration::days(30);
    event::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.into()),
        title_nl: Set("Partnerships voor meer banen".into()),
        title_en: Set("Partnerships for more jobs".into()),
        description_nl: Set("Benchmark".into()),
        description_en: Set("Benchmark".into()),
        location: Set("Den Haag".into()),
        starts_at: Set(starts),
        ends_at: Set(starts + chrono::Duration::hours(4)),
        // Room for everyone: every sign-up takes the full confirmed path.
        capacity: Set(100_000_000),
        waitlist_enabled: Set(true),
        eligibility: Set(Eligibility::Open),
        status: Set(EventStatus::Published),
        registration_opens_at: Set(None),
        registration_closes_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        reminder_days_before: Set(2),
        reminder_sent_at: Set(None),
        call_off_message: Set(None),
        confirmation_note_nl: Set(None),
        confirmation_note_en: Set(None),
    }
    .insert(db)
    .await
    .expect("insert event")
}

/// Sign-ups a second through the sign-up service, in-process (no HTTP),
/// with their latencies.
pub struct SignUpRate {
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failed: u64,
}

/// `tasks` tasks sign people up for `slug` for `seconds`, each address
/// new (`<prefix>-<task>-<n>@utrecht.nl`), through the service the routes
/// call, against `db`.
pub async fn sign_up_rate(
    db: &DatabaseConnection,
    slug: &str,
    tasks: usize,
    seconds: u64,
    prefix: &str,
) -> SignUpRate {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use aanmeldpunt::domain::{Lang, NewRegistration, RegistrationInput};
    use aanmeldpunt::services::{registrations, Services};
    use aanmeldpunt::views::Views;

    // The service asks no rate limit of its own.
    let config: aanmeldpunt::config::AppConfig = aanmeldpunt::figment()
        .merge(("rate_limit_store", "memory"))
        .extract()
        .expect("settings");
    let limits = aanmeldpunt::services::limits::Limits::from_config(&config, db, None)
        .await
        .expect("rate limits");
    let services = Arc::new(Services {
        db: db.clone(),
        views: Views::load("templates").expect("templates"),
        base_url: "http://127.0.0.1".into(),
        mail_from: "Aanmeldpunt <aanmeldpunt@example.nl>".into(),
        mail_queued: Arc::new(tokio::sync::Notify::new()),
        sign_ups: Default::default(),
        limits: Arc::new(limits),
        mail_dir: None,
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let running: Vec<_> = (0..tasks)
        .map(|task| {
            let (services, slug, prefix) = (services.clone(), slug.to_owned(), prefix.to_owned());
            tokio::spawn(async move {
                let (mut latencies, mut failed) = (Vec::new(), 0u64);
                for n in 0.. {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let input = RegistrationInput {
                        name: "Anna de Vries".into(),
                        email: format!("{prefix}-{task}-{n}@utrecht.nl"),
                        organisation: "Gemeente Utrecht".into(),
                        sector: "GEM".into(),
                        job_title: String::new(),
                        remarks: String::new(),
                    };
                    let new = NewRegistration::parse(&input, Lang::Nl).expect("valid");
                    let started = Instant::now();
                    match registrations::register(&services, &slug, new).await {
                        Ok(_) => latencies.push(started.elapsed()),
                        Err(_) => failed += 1,
                    }
                }
                (latencies, failed)
            })
        })
        .collect();
    let started = Instant::now();
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for task in running {
        let (l, f) = task.await.expect("task");
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    SignUpRate {
        requests: latencies.len() as u64,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        failed,
    }
}
