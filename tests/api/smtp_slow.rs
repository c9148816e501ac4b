//! An SMTP server that is slow or silent: no send hangs the worker, no mail
//! waits out a lease of a worker that is gone, and no mail goes out twice
//! because a worker's lease ran out while it was still sending.
use std::collections::HashSet;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use aanmeldpunt::entities::outbox::{self, OutboxStatus};
use aanmeldpunt::mail::worker::{send_all_due, WorkerSettings};
use aanmeldpunt::mail::Mailer;
use aanmeldpunt::views::Views;
use sea_orm::EntityTrait;
use tokio::process::Command;

use crate::helpers::{
    insert_event, sign_up_body, spawn_app_with, EventSpec, TestApp, TestDatabase,
};
use crate::smtp::{recipient_of, reserve_port, start_slow_smtp_server};

const SLUG: &str = "partnerships-voor-meer-banen";

/// A server that accepts connections and never says a word, as a mail
/// server does whose disk is full or whose process hangs.
fn start_silent_smtp_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    port
}

fn managed(app: &TestApp) -> (Mailer, Views, WorkerSettings) {
    let rocket = app.client.rocket();
    (
        rocket.state::<Mailer>().expect("mailer").clone(),
        rocket.state::<Views>().expect("views").clone(),
        rocket.state::<WorkerSettings>().expect("settings").clone(),
    )
}

#[rocket::async_test]
async fn a_silent_server_cuts_the_send_off_and_uses_up_no_attempt() {
    let port = start_silent_smtp_server();
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("mail_send_timeout_secs", 1))
            .merge(("mail_claim_lease_secs", 2))
            // Not due again at once, so one round tries it once.
            .merge(("mail_retry_delays_secs", vec![3600]))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;

    // Returns at all: the exchange is cut off instead of waiting forever.
    assert_eq!(app.send_pending_mail().await, 1);
    let row = app.outbox().await.remove(0);
    assert_eq!(row.status, OutboxStatus::Pending, "{row:?}");
    assert_eq!(row.attempts, 0, "a silent server is the server's failure");
    assert!(row.claimed_by.is_none(), "free for the next try: {row:?}");
    assert!(row.last_error.is_some(), "the mail log says why: {row:?}");
}

#[rocket::async_test]
async fn two_workers_with_leases_shorter_than_their_batch_send_each_mail_once() {
    // 10 mails a batch at 300 ms each take 3 s; the lease is 2 s. Without
    // renewal the other worker would take over the rest of the batch.
    let (port, received) = start_slow_smtp_server(Duration::from_millis(300));
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    let people: Vec<String> = (0..20).map(|i| format!("p{i}@utrecht.nl")).collect();
    for email in &people {
        app.sign_up_api(SLUG, email).await;
    }

    let (mailer, views, settings) = managed(&app);
    let worker = |id: &str| WorkerSettings {
        worker_id: id.into(),
        batch_size: 10,
        send_parallel: 1,
        claim_lease: Duration::from_secs(2),
        send_timeout: Duration::from_secs(1),
        ..settings.clone()
    };
    let (first, second) = (worker("first"), worker("second"));
    let (a, b) = tokio::join!(
        send_all_due(&app.db, &mailer, &views, &first),
        send_all_due(&app.db, &mailer, &views, &second),
    );
    let claimed = a.expect("first worker") + b.expect("second worker");

    let recipients: Vec<String> = received
        .lock()
        .expect("inbox")
        .iter()
        .map(|raw| recipient_of(raw))
        .collect();
    let unique: HashSet<&String> = recipients.iter().collect();
    assert_eq!(unique.len(), people.len(), "everyone got mail");
    assert_eq!(recipients.len(), people.len(), "nobody got it twice");
    assert_eq!(claimed, people.len(), "no row claimed a second time");
    assert!(app
        .outbox()
        .await
        .iter()
        .all(|m| m.status == OutboxStatus::Sent && m.claimed_by.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_stops_gives_back_the_mail_it_was_sending() {
    let smtp_port = start_silent_smtp_server();
    let database = TestDatabase::create().await;
    let port = reserve_port();
    let mut app = Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROCKET_DATABASE_URL", &database.url)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_MAIL_TRANSPORT", "smtp")
        .env("ROCKET_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
        // The send hangs far longer than the test: only the stop ends it.
        .env("ROCKET_MAIL_SEND_TIMEOUT_SECS", "300")
        .env("ROCKET_MAIL_CLAIM_LEASE_SECS", "900")
        .env("ROCKET_SEED", "false")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the app binary starts");
    let http = reqwest::Client::new();
    let db = sea_orm::Database::connect(&database.url).await.expect("db");
    // Bounded polls of the other process, up to 30 s each: it starts and
    // claims in its own time.
    let mut up = false;
    for _ in 0..600 {
        let health = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the app came up");
    insert_event(&db, EventSpec::default()).await;
    let answer = http
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/events/{SLUG}/registrations"
        ))
        .json(&sign_up_body("anna@utrecht.nl"))
        .send()
        .await
        .expect("sign-up answered");
    assert_eq!(answer.status(), 201);
    let mut claim = None;
    for _ in 0..600 {
        let rows = outbox::Entity::find().all(&db).await.expect("outbox");
        claim = rows.first().and_then(|m| m.claimed_by.clone());
        if claim.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(claim.is_some(), "the worker took the mail");

    let pid = i32::try_from(app.id().expect("running")).expect("a pid");
    // SAFETY: kill takes plain integers; the pid is our own child's.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let stopped = app.wait().await.expect("the app stops");
    assert!(stopped.success(), "a clean stop: {stopped:?}");

    let row = outbox::Entity::find()
        .all(&db)
        .await
        .expect("outbox")
        .remove(0);
    assert_eq!(row.status, OutboxStatus::Pending, "{row:?}");
    assert!(row.claimed_by.is_none(), "given back: {row:?}");
    assert!(row.locked_until.is_none(), "no lease to wait out: {row:?}");
    assert_eq!(row.attempts, 0);
}
