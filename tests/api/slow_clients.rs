//! Clients that send their request slowly, against the app binary's own
//! HTTP server (the in-process test client has no sockets): one that never
//! finishes its headers is disconnected, one on a slow line is served.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use crate::helpers::TestDatabase;
use crate::smtp::reserve_port;

async fn start_app(database_url: &str, port: u16) -> tokio::process::Child {
    let app = Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROCKET_DATABASE_URL", database_url)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_MAIL_TRANSPORT", "memory")
        .env("ROCKET_SEED", "false")
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the app binary starts");
    // A bounded poll of the other process (up to 30 s): it starts in its own time.
    let http = reqwest::Client::new();
    for _ in 0..600 {
        let health = http
            .get(format!("http://127.0.0.1:{port}/livez"))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the app did not come up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let database = TestDatabase::create().await;
    let port = reserve_port();
    let _app = start_app(&database.url, port).await;

    let waited = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(90)))
            .expect("read timeout");
        stream
            .write_all(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .expect("half a request");
        let started = Instant::now();
        let mut answer = Vec::new();
        // Ends when the server closes the connection; our own 90 s read
        // timeout would end it with an error instead.
        let read = stream.read_to_end(&mut answer);
        (read.map_err(|e| e.kind()), started.elapsed())
    })
    .await
    .expect("the client thread");
    let (read, waited) = waited;
    assert!(read.is_ok(), "the server closed the connection: {read:?}");
    assert!(
        waited < Duration::from_secs(60),
        "disconnected after {waited:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_on_a_slow_line_is_still_served() {
    let database = TestDatabase::create().await;
    let port = reserve_port();
    let _app = start_app(&database.url, port).await;

    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        // The request in three parts, a second apart, as over a poor line.
        for part in [
            &b"GET /livez HTTP/1.1\r\n"[..],
            b"Host: 127.0.0.1\r\n",
            b"Connection: close\r\n\r\n",
        ] {
            stream.write_all(part).expect("a part");
            std::thread::sleep(Duration::from_secs(1));
        }
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer
    })
    .await
    .expect("the client thread");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
