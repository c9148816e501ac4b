//! Sign-ups that arrive together are written in one transaction (group
//! commit). Each must still get the answer it would get alone. To make the
//! batch certain, the test holds the event's lock while the requests come
//! in, so they all queue up behind it.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aanmeldpunt::db::EventKey;
use aanmeldpunt::services::registrations::{LockedEvent, SignUpQueue};
use aanmeldpunt::services::Services;
use rocket::http::{ContentType, Header, Status};
use sea_orm::{ConnectionTrait, DatabaseBackend};
use serde_json::Value;

use crate::helpers::{sign_up_body, spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

async fn sign_up(app: &TestApp, email: &str, key: Option<&str>) -> (Status, Value) {
    let mut request = app
        .client
        .post(format!("/api/v1/events/{SLUG}/registrations"))
        .header(ContentType::JSON)
        .body(sign_up_body(email).to_string());
    if let Some(key) = key {
        request = request.header(Header::new("Idempotency-Key", key.to_owned()));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// The sign-up queue of the app under test.
fn queue(app: &TestApp) -> &SignUpQueue {
    &app.client
        .rocket()
        .state::<Services>()
        .expect("services")
        .sign_ups
}

/// Polls `done` every few milliseconds for up to ten seconds: the
/// requests run on tasks of their own and reach the queue when the
/// scheduler gets to them, not at a known moment.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{what} did not happen within ten seconds");
}

/// Sends every sign-up while the event is locked, then lets go. The first
/// one takes the queue's turn and waits for the lock in a batch of one;
/// all others queue behind it and make up the next batch together, which
/// the queue's statistics then show.
async fn all_at_once(
    app: &Arc<TestApp>,
    sign_ups: Vec<(String, Option<String>)>,
) -> Vec<(Status, Value)> {
    let services = app.client.rocket().state::<Services>().expect("services");
    let held = LockedEvent::open(services, EventKey::Slug(SLUG))
        .await
        .expect("lock the event")
        .expect("the event");
    let count = sign_ups.len();
    let mut tasks = Vec::new();
    for (n, (email, key)) in sign_ups.into_iter().enumerate() {
        let caller = app.clone();
        tasks.push(tokio::spawn(async move {
            sign_up(&caller, &email, key.as_deref()).await
        }));
        if n == 0 {
            until("the first sign-up's batch", || {
                queue(app).stats().batches == 1
            })
            .await;
        }
    }
    until("the others queueing", || queue(app).waiting() == count - 1).await;
    held.commit().await.expect("let go of the event");
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    let stats = queue(app).stats();
    assert_eq!(stats.batches, 2, "one batch of one, then one of the rest");
    assert_eq!(stats.largest, count - 1, "the rest were written together");
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ups_written_together_get_the_answers_they_would_get_alone() {
    let app = Arc::new(spawn_app().await);
    app.create_event(EventSpec {
        capacity: 10,
        ..Default::default()
    })
    .await;
    let key = "0b7a2f0e-8d4c-4c1e-9a57-3c2d1e0f9b8a";
    let mut sign_ups: Vec<(String, Option<String>)> = (0..20)
        .map(|i| (format!("p{i}@utrecht.nl"), None))
        .collect();
    // The same address twice, and one submission sent three times.
    sign_ups.push(("p3@utrecht.nl".into(), None));
    for _ in 0..3 {
        sign_ups.push(("double@utrecht.nl".into(), Some(key.into())));
    }
    let answers = all_at_once(&app, sign_ups.clone()).await;

    let mut created_per_email: HashMap<&str, usize> = HashMap::new();
    for ((email, _), (status, body)) in sign_ups.iter().zip(&answers) {
        match *status {
            Status::Created => *created_per_email.entry(email).or_default() += 1,
            Status::Conflict => assert_eq!(body["error"], "duplicate", "{body}"),
            other => panic!("{email}: {other} {body}"),
        }
    }
    assert_eq!(
        created_per_email["p3@utrecht.nl"], 1,
        "one seat per address"
    );
    assert_eq!(
        created_per_email["double@utrecht.nl"], 3,
        "a replay answers 201"
    );
    let double_ids: Vec<&Value> = sign_ups
        .iter()
        .zip(&answers)
        .filter(|((email, _), _)| email == "double@utrecht.nl")
        .map(|(_, (_, body))| &body["id"])
        .collect();
    assert!(
        double_ids.iter().all(|id| *id == double_ids[0]),
        "one sign-up"
    );

    let regs = app.registrations().await;
    assert_eq!(regs.len(), 21);
    let mut queue: Vec<i64> = regs.iter().map(|r| r.queue_number).collect();
    queue.sort();
    assert_eq!(queue, (1..=21).collect::<Vec<i64>>());
    let mut positions: Vec<u64> = answers
        .iter()
        .filter(|(status, _)| *status == Status::Created)
        .filter_map(|(_, body)| body["waitlist_position"].as_u64())
        .collect();
    positions.sort();
    positions.dedup();
    assert_eq!(
        positions,
        (1..=11).collect::<Vec<u64>>(),
        "11 wait, in order"
    );

    // One mail per sign-up, plus the links again for the second p3.
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 22);
    let to_p3 = outbox.iter().filter(|m| m.recipient == "p3@utrecht.nl");
    assert_eq!(to_p3.count(), 2);
    let to_double = outbox.iter().filter(|m| m.recipient == "double@utrecht.nl");
    assert_eq!(to_double.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sign_up_the_database_refuses_fails_alone_not_its_whole_batch() {
    let app = Arc::new(spawn_app().await);
    app.create_event(EventSpec::default()).await;
    let refuse = match app.db.get_database_backend() {
        DatabaseBackend::Postgres => vec![
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.email = 'boom@utrecht.nl' THEN RAISE EXCEPTION 'refused'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON registrations \
             FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
        ],
        _ => vec![
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON registrations \
             WHEN NEW.email = 'boom@utrecht.nl' BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
    };
    for sql in refuse {
        app.db.execute_unprepared(sql).await.expect(sql);
    }
    let sign_ups: Vec<(String, Option<String>)> = (0..20)
        .map(|i| match i {
            10 => ("boom@utrecht.nl".to_owned(), None),
            _ => (format!("p{i}@utrecht.nl"), None),
        })
        .collect();
    let answers = all_at_once(&app, sign_ups.clone()).await;

    for ((email, _), (status, body)) in sign_ups.iter().zip(&answers) {
        let expected = match email.as_str() {
            "boom@utrecht.nl" => Status::InternalServerError,
            _ => Status::Created,
        };
        assert_eq!(*status, expected, "{email}: {body}");
    }
    let regs = app.registrations().await;
    assert_eq!(regs.len(), 19);
    assert!(regs.iter().all(|r| r.email != "boom@utrecht.nl"));
    assert_eq!(app.outbox().await.len(), 19, "no mail for the refused one");
}
