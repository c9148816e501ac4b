//! The database connection breaks in the middle of a sign-up: the answer is
//! a 503 that says the sign-up may have gone through and how to tell, not
//! an opaque 500. PostgreSQL only: the app reaches it through a TCP proxy
//! in this test that can cut every connection at once.
use std::sync::{Arc, Mutex};

use aanmeldpunt::db::EventKey;
use aanmeldpunt::services::registrations::LockedEvent;
use aanmeldpunt::services::Services;
use rocket::http::Status;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::helpers::{sign_up_body, spawn_app_with, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";

/// Forwards connections to PostgreSQL until cut.
struct Proxy {
    port: u16,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accepting: JoinHandle<()>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let live = connections.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect("127.0.0.1:5432").await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                live.lock().unwrap().push(pipe);
            }
        });
        Proxy {
            port,
            connections,
            accepting,
        }
    }

    /// Every connection gone, and no new ones: the network is down.
    fn cut(&self) {
        self.accepting.abort();
        for pipe in self.connections.lock().unwrap().drain(..) {
            pipe.abort();
        }
    }
}

#[rocket::async_test]
async fn a_connection_lost_mid_sign_up_answers_503_saying_it_may_have_gone_through() {
    if !std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("outage test skipped: it needs PostgreSQL (DATABASE_URL)");
        return;
    }
    let proxy = Proxy::start().await;
    let direct = Arc::new(Mutex::new(String::new()));
    let remember = direct.clone();
    let port = proxy.port;
    let app = spawn_app_with(move |f| {
        let url: String = f.extract_inner("database_url").unwrap();
        *remember.lock().unwrap() = url.clone();
        f.merge((
            "database_url",
            url.replace("127.0.0.1:5432", &format!("127.0.0.1:{port}")),
        ))
        .merge(("database_acquire_timeout_secs", 2))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    let (status, _) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created, "through the proxy");

    // Hold the event's lock over a connection of our own, so the next
    // sign-up waits inside its transaction; then cut the app's connections.
    let url = direct.lock().unwrap().clone();
    let own = aanmeldpunt::db::connect(&url, Some(1)).await.unwrap();
    let watcher = aanmeldpunt::db::connect(&url, Some(1)).await.unwrap();
    let services = Services {
        db: own,
        ..app.client.rocket().state::<Services>().unwrap().clone()
    };
    let held = LockedEvent::open(&services, EventKey::Slug(SLUG))
        .await
        .unwrap()
        .unwrap();
    let waiting = {
        let body = sign_up_body("bert@utrecht.nl");
        let client = &app.client;
        async move {
            let response = client
                .post(format!("/api/v1/events/{SLUG}/registrations"))
                .header(rocket::http::ContentType::JSON)
                .body(body.to_string())
                .dispatch()
                .await;
            (
                response.status(),
                response.into_string().await.unwrap_or_default(),
            )
        }
    };
    let cutting = async {
        // Poll PostgreSQL (up to 10 s) until the sign-up's transaction
        // waits for the event's lock, then cut.
        use sea_orm::{ConnectionTrait, Statement};
        let waiting_for_lock = Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        for _ in 0..2000 {
            let row = watcher
                .query_one_raw(waiting_for_lock.clone())
                .await
                .unwrap();
            let n: i64 = row.unwrap().try_get("", "n").unwrap();
            if n > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        proxy.cut();
    };
    let ((status, body), ()) = tokio::join!(waiting, cutting);
    drop(held);
    assert_eq!(status, Status::ServiceUnavailable, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "unavailable");
    assert!(
        body["message"].as_str().unwrap().contains("bevestiging"),
        "says how to tell whether it went through: {body}"
    );
    let after = app.client.get("/healthz").dispatch().await;
    assert_eq!(after.status(), Status::ServiceUnavailable);
}
