//! The app's log, as its operator reads it: no link token, no address.
//! Runs the real binary with Rocket's request log on, so Rocket's own
//! lines ("No matching routes for GET /manage/...") are read too.
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;

use crate::helpers::{insert_event, EventSpec, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_tokens_and_addresses_never_reach_the_log() {
    let database = TestDatabase::create().await;
    let mail_dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut app = Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROCKET_DATABASE_URL", &database.url)
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_MAIL_TRANSPORT", "files")
        .env("ROCKET_MAIL_DIR", mail_dir.path())
        .env("ROCKET_SEED", "false")
        .env("ROCKET_LOG_LEVEL", "debug")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Read the log while the app runs: a full pipe would stall it.
    let mut stderr = app.stderr.take().unwrap();
    let reader = tokio::spawn(async move {
        let mut log = String::new();
        stderr.read_to_string(&mut log).await.map(|_| log)
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    // Polls the other process (up to 30 s) until it answers.
    for _ in 0..600 {
        if http.get(format!("{base}/livez")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = sea_orm::Database::connect(&database.url).await.unwrap();
    insert_event(&db, EventSpec::default()).await;

    let token = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg";
    for path in [
        format!("/manage/{token}"),
        format!("/manage/{token}/cancel"),
        format!("/applications/verify/{token}"),
        format!("/applications/{token}"),
        format!("/admin/checkin/{token}"),
    ] {
        http.get(format!("{base}{path}")).send().await.unwrap();
        http.post(format!("{base}{path}")).send().await.unwrap();
    }
    let sign_up = serde_json::json!({
        "name": "Anna de Vries",
        "email": "anna.devries@utrecht.nl",
        "organisation": "Gemeente Utrecht",
        "sector": "GEM",
    });
    let created = http
        .post(format!(
            "{base}/api/v1/events/partnerships-voor-meer-banen/registrations"
        ))
        .json(&sign_up)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let bad_address = serde_json::json!({"email": "anna.devries@utrecht.nl\u{0}", "name": "A"});
    http.post(format!(
        "{base}/api/v1/events/partnerships-voor-meer-banen/registrations"
    ))
    .json(&bad_address)
    .send()
    .await
    .unwrap();
    // The worker sends the confirmation; let it log that, then stop.
    for _ in 0..200 {
        if std::fs::read_dir(mail_dir.path()).unwrap().next().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.start_kill().unwrap();
    app.wait().await.unwrap();
    let log = reader.await.unwrap().unwrap();
    assert!(log.contains("/manage/…"), "the requests were logged: {log}");
    assert!(!log.contains(token), "a token in the log: {log}");
    assert!(
        !log.to_lowercase().contains("anna.devries"),
        "an address in the log: {log}"
    );
}
