//! `aanmeldpunt privacy purge`, as cron runs it where the app's own job is
//! off: a dry run that changes nothing, a run that reports per table and is
//! audited, and retention settings that would erase too much refused.
use std::process::Output;

use aanmeldpunt::entities::{audit_log, event};
use aanmeldpunt::services::privacy::ANONYMISED_DOMAIN;
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::helpers::{spawn_app_with, test_figment, EventSpec, TestDatabase};

const SLUG: &str = "partnerships-voor-meer-banen";

fn purge_command(database: &TestDatabase, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"));
    command
        .args(["privacy", "purge"])
        .args(args)
        .env("ROCKET_DATABASE_URL", &database.url)
        .env("ROCKET_MAIL_TRANSPORT", "memory")
        .env("ROCKET_SEED", "false")
        .env("ROCKET_REMINDER_INTERVAL_SECS", "0")
        .env("RUST_LOG", "error");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

#[rocket::async_test]
async fn the_purge_command_reports_what_it_would_do_then_does_it_once() {
    let database = TestDatabase::create().await;
    let url = database.url.clone();
    let app = spawn_app_with(|_| test_figment(&url)).await;
    let meeting = app
        .create_event(EventSpec {
            starts_at: Utc::now() + Duration::days(2),
            ..Default::default()
        })
        .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.send_pending_mail().await;
    // The meeting was 91 days ago: past the default 90 days.
    let mut past: event::ActiveModel = meeting.into();
    past.starts_at = Set(Utc::now() - Duration::days(91));
    past.ends_at = Set(Utc::now() - Duration::days(91) + Duration::hours(3));
    past.update(&app.db).await.unwrap();

    let dry = purge_command(&database, &["--dry-run"], &[]);
    let report = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(report.contains("would remove: sign-ups 1"), "{report}");
    assert_eq!(
        app.registrations().await[0].email,
        "anna@utrecht.nl",
        "a dry run changes nothing"
    );

    let run = purge_command(&database, &[], &[]);
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{report}");
    assert!(
        report.contains("removed: sign-ups 1, applications 0, link tokens 2, mails deleted 0, mails kept without their person 1"),
        "{report}"
    );
    assert!(app.registrations().await[0]
        .email
        .ends_with(ANONYMISED_DOMAIN));
    let audit: Vec<_> = audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.action == "privacy.purge")
        .collect();
    assert_eq!(audit.len(), 1, "the dry run is not recorded, the run is");
    let counts = audit[0].after.as_deref().unwrap();
    assert!(
        counts.contains("\"registrations\":1") && !counts.contains('@'),
        "{counts}"
    );

    let again = purge_command(&database, &[], &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("removed: sign-ups 0"));
}

#[rocket::async_test]
async fn a_retention_below_its_minimum_is_refused_before_anything_is_touched() {
    let database = TestDatabase::create().await;
    let refused = purge_command(
        &database,
        &[],
        &[("ROCKET_RETENTION_DAYS_AFTER_EVENT", "-30")],
    );
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("retention_days_after_event is -30; it must be at least 1"),
        "{message}"
    );

    let launched = rocket::local::asynchronous::Client::tracked(aanmeldpunt::rocket(
        test_figment(&database.url).merge(("retention_days_audit", 7)),
    ))
    .await;
    let Err(error) = launched else {
        panic!("the app does not start with it either");
    };
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::FailedFairings(_)
    ));
}
