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
