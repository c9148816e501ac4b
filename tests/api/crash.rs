//! The app as its own process, killed with SIGKILL in the middle of a load
//! of sign-ups and started again: every sign-up that was answered 201 is
//! stored once and gets its mail, because the mail was queued in the same
//! transaction as the sign-up.
use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aanmeldpunt::entities::outbox::OutboxStatus;
use aanmeldpunt::entities::{outbox, registration};
use mail_parser::MessageParser;
use sea_orm::EntityTrait;
use tokio::process::{Child, Command};

use crate::helpers::{insert_event, sign_up_body, EventSpec, TestDatabase};

const SLUG: &str = "partnerships-voor-meer-banen";
const CLIENTS: usize = 8;
/// Acknowledged sign-ups to wait for before pulling the plug.
const BEFORE_KILL: usize = 150;

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
    listener.local_addr().expect("address").port()
}

fn start_app(database_url: &str, port: u16, mail_dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROCKET_DATABASE_URL", database_url)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("ROCKET_MAIL_TRANSPORT", "files")
        .env("ROCKET_MAIL_DIR", mail_dir)
        .env("ROCKET_MAIL_POLL_INTERVAL_MS", "20")
        // Mail the killed instance had taken is free again this soon.
        .env("ROCKET_MAIL_CLAIM_LEASE_SECS", "2")
        .env("ROCKET_MAIL_SEND_TIMEOUT_SECS", "1")
        .env("ROCKET_SEED", "false")
        .env("ROCKET_LOG_LEVEL", "off")
        // Every client here is 127.0.0.1.
        .env("ROCKET_RATE_LIMIT_SIGN_UPS_PER_MINUTE", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the app binary starts")
}

/// Polls the app binary, a process of its own, until it answers (up to
/// 30 s): how long it takes to start is up to the machine.
pub(crate) async fn wait_until_up(http: &reqwest::Client, port: u16) {
    for _ in 0..600 {
        let answer = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the app did not come up on port {port}");
}

/// Signs people up until the server stops answering; returns who got a 201.
async fn sign_up_until_gone(
    http: reqwest::Client,
    port: u16,
    client: usize,
    acked: Arc<Mutex<Vec<String>>>,
) {
    let url = format!("http://127.0.0.1:{port}/api/v1/events/{SLUG}/registrations");
    for n in 0.. {
        let email = format!("c{client}-{n}@utrecht.nl");
        match http.post(&url).json(&sign_up_body(&email)).send().await {
            Ok(response) if response.status() == reqwest::StatusCode::CREATED => {
                acked.lock().expect("list").push(email);
            }
            Ok(response) => panic!("unexpected answer {} for {email}", response.status()),
            Err(_) => return,
        }
    }
}

/// Recipient and Message-ID of every `.eml` file the app wrote.
fn written_mails(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| {
            let raw = std::fs::read(e.path()).ok()?;
            let message = MessageParser::default().parse(&raw)?;
            let to = message.to()?.first()?.address()?.to_owned();
            Some((to, message.message_id()?.to_owned()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ups_answered_before_a_sigkill_survive_it_once_and_get_their_mail() {
    let database = TestDatabase::create().await;
    let mail_dir = tempfile::tempdir().expect("mail folder");
    let port = free_port();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");

    let mut app = start_app(&database.url, port, mail_dir.path());
    wait_until_up(&http, port).await;
    let db = sea_orm::Database::connect(&database.url).await.expect("db");
    insert_event(
        &db,
        EventSpec {
            capacity: 1_000_000,
            ..Default::default()
        },
    )
    .await;

    let acked = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(sign_up_until_gone(http.clone(), port, c, acked.clone())))
        .collect();
    // The load runs against the other process; poll (up to 12 s) until
    // enough of it was answered.
    for _ in 0..1200 {
        if acked.lock().expect("list").len() >= BEFORE_KILL {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        acked.lock().expect("list").len() >= BEFORE_KILL,
        "the load ran"
    );
    app.start_kill().expect("SIGKILL");
    app.wait().await.expect("the app is gone");
    for client in clients {
        client.await.expect("client task");
    }
    let acked: Vec<String> = acked.lock().expect("list").clone();

    let mut app = start_app(&database.url, port, mail_dir.path());
    wait_until_up(&http, port).await;
    // The restarted binary's own mail worker sends what the killed one
    // left; poll its progress in the database (up to 30 s).
    let mut outbox_rows = Vec::new();
    for _ in 0..1500 {
        outbox_rows = outbox::Entity::find().all(&db).await.expect("outbox");
        if outbox_rows.iter().all(|m| m.status == OutboxStatus::Sent) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.start_kill().expect("stop");
    let _ = app.wait().await;

    let stored = registration::Entity::find().all(&db).await.expect("rows");
    let mut per_email: HashMap<&str, usize> = HashMap::new();
    for row in &stored {
        *per_email.entry(row.email.as_str()).or_default() += 1;
    }
    assert!(per_email.values().all(|&n| n == 1), "nobody stored twice");
    for email in &acked {
        assert_eq!(
            per_email.get(email.as_str()),
            Some(&1),
            "{email} was answered 201"
        );
    }

    // One outbox row per stored sign-up, all sent after the restart.
    assert_eq!(outbox_rows.len(), stored.len());
    assert!(
        outbox_rows.iter().all(|m| m.status == OutboxStatus::Sent),
        "{:?}",
        outbox_rows
            .iter()
            .filter(|m| m.status != OutboxStatus::Sent)
            .count()
    );
    // Every answered sign-up got its mail. A mail written just before the
    // kill may be written again, but it is the same message (Message-ID).
    let mails = written_mails(mail_dir.path());
    let mut message_ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (to, id) in &mails {
        message_ids.entry(to).or_default().insert(id);
    }
    for email in &acked {
        assert_eq!(
            message_ids.get(email.as_str()).map(HashSet::len),
            Some(1),
            "{email}: one message"
        );
    }
}
