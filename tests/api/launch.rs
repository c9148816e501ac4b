use aanmeldpunt::entities::event;
use chrono::{Datelike, Timelike};
use chrono_tz::Europe::Amsterdam;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use crate::helpers::{spawn_app, spawn_app_with, test_figment, TestDatabase};

#[rocket::async_test]
async fn a_fresh_database_is_seeded_with_the_fourteen_december_meeting() {
    let app = spawn_app_with(|f| f.merge(("seed", true))).await;
    let events = event::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(events.len(), 2, "the meeting and one past event");
    let meeting = events
        .iter()
        .find(|e| e.slug == "partnerships-voor-meer-banen")
        .expect("the meeting");
    let local = meeting.starts_at.with_timezone(&Amsterdam);
    assert_eq!((local.month(), local.day(), local.hour()), (12, 14, 13));
    assert_eq!(meeting.ends_at.with_timezone(&Amsterdam).hour(), 17);
    assert!(meeting.starts_at > chrono::Utc::now());
    assert_eq!(meeting.capacity, 80);
    assert!(meeting.waitlist_enabled);
    assert_eq!(meeting.location, "Den Haag");
    assert!(
        events.iter().any(|e| e.ends_at < chrono::Utc::now()),
        "one past event"
    );
}

#[rocket::async_test]
async fn seeding_happens_only_on_an_empty_database() {
    let database = TestDatabase::create().await;
    for _ in 0..2 {
        let client = Client::tracked(aanmeldpunt::rocket(
            test_figment(&database.url).merge(("seed", true)),
        ))
        .await
        .expect("launches");
        drop(client);
    }
    let db = sea_orm::Database::connect(&database.url).await.unwrap();
    assert_eq!(event::Entity::find().count(&db).await.unwrap(), 2);
}

#[rocket::async_test]
async fn a_failed_migration_stops_the_launch() {
    let database = TestDatabase::create().await;
    let db = sea_orm::Database::connect(&database.url).await.unwrap();
    // A table in the way with a shape the migration does not expect.
    db.execute_unprepared("CREATE TABLE seaql_migrations (version INTEGER)")
        .await
        .unwrap();
    db.execute_unprepared("INSERT INTO seaql_migrations VALUES (1)")
        .await
        .unwrap();
    let launched = Client::tracked(aanmeldpunt::rocket(test_figment(&database.url))).await;
    let Err(error) = launched else {
        panic!("the app must not start on a broken schema");
    };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
        "{error:?}"
    );
}

#[rocket::async_test]
async fn health_is_ok_while_the_database_answers_and_503_when_it_does_not() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), Status::Ok);

    app.db.clone().close().await.unwrap();
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    let body: serde_json::Value = response.into_json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    // Liveness does not depend on the database: the process still answers.
    assert_eq!(app.get("/livez").await.status(), Status::Ok);
}
