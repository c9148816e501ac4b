//! Two app processes on one PostgreSQL database, as behind a load
//! balancer, started at the same moment on an empty database: 2,000
//! people sign up for 100 seats through both at once, then 100 of the
//! confirmed cancel through both (each fetching the cancel page from one
//! instance and confirming on the other). Exactly 100 are confirmed, the
//! waiting list moves up in queue order, and every mail reaches one SMTP
//! server exactly once (counted by Message-ID).
//!
//! Several instances share a PostgreSQL database; an SQLite file belongs
//! to one process, so on SQLite this test has nothing to try and says so.
use std::collections::{BTreeSet, HashMap, HashSet};
use std::process::Stdio;
use std::time::Duration;

use aanmeldpunt::domain::RegistrationStatus;
use aanmeldpunt::entities::outbox::OutboxStatus;
use aanmeldpunt::entities::{event_seats, outbox, registration};
use futures::StreamExt;
use mail_parser::MessageParser;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use tokio::process::{Child, Command};

use crate::crash::wait_until_up;
use crate::helpers::{insert_event, sign_up_body, EventSpec, TestDatabase};
use crate::smtp::{reserve_port, start_smtp_server, Received};

const SLUG: &str = "partnerships-voor-meer-banen";
const SEATS: i32 = 100;
const PEOPLE: usize = 2_000;
const CANCELLED: usize = 100;
/// Requests in flight at once, spread over both instances.
const CLIENTS: usize = 40;
/// Both instances decrypt each other's cookies (the cancel form's CSRF
/// cookie): they share `secret_key`, as the README says they must.
const SECRET_KEY: &str = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";

fn start_app(database_url: &str, port: u16, smtp_port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ROCKET_DATABASE_URL", database_url)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_SECRET_KEY", SECRET_KEY)
        .env("ROCKET_BASE_URL", "http://aanmeldpunt.test")
        .env("ROCKET_MAIL_TRANSPORT", "smtp")
        .env("ROCKET_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
        .env("ROCKET_MAIL_POLL_INTERVAL_MS", "50")
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

/// Polls until `done` holds, up to `secs`: the mail workers of the other
/// processes work in their own time.
async fn wait_for(
    secs: u64,
    what: &str,
    db: &DatabaseConnection,
    mut done: impl AsyncFnMut() -> bool,
) {
    for _ in 0..secs * 20 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut by_status: HashMap<String, usize> = HashMap::new();
    for row in outbox::Entity::find().all(db).await.unwrap() {
        *by_status
            .entry(format!("{:?} {:?}", row.status, row.last_error))
            .or_default() += 1;
    }
    panic!("{what} did not happen within {secs} s; the outbox: {by_status:?}");
}

fn address(n: usize) -> String {
    format!("persoon{n:04}@utrecht.nl")
}

/// Recipient, Message-ID and manage-link path of each mail received.
fn received_mails(received: &Received) -> Vec<(String, String, Option<String>)> {
    let raw: Vec<Vec<u8>> = received.lock().expect("inbox").clone();
    raw.iter()
        .map(|raw| {
            let message = MessageParser::default().parse(raw).expect("a MIME message");
            let to = message.to().and_then(|to| to.first()).expect("a To header");
            let text = message.body_text(0).expect("a text part");
            let manage = text.split_whitespace().find_map(|word| {
                let path = word.split_once("aanmeldpunt.test")?.1;
                path.starts_with("/manage/")
                    .then(|| path.trim_end_matches(['.', ',', ')']).to_owned())
            });
            (
                to.address().expect("an address").to_lowercase(),
                message.message_id().expect("a Message-ID").to_owned(),
                manage,
            )
        })
        .collect()
}

/// Cancels through two instances: the confirmation page (and its CSRF
/// cookie) from one, the confirming POST to the other.
async fn cancel(http: &reqwest::Client, manage: &str, page_port: u16, post_port: u16) {
    let page = http
        .get(format!("http://127.0.0.1:{page_port}{manage}/cancel"))
        .send()
        .await
        .expect("the cancel page");
    assert_eq!(page.status(), reqwest::StatusCode::OK, "{manage}");
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("csrf="))
        .and_then(|v| v.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let html = page.text().await.expect("the page");
    let token = html
        .split_once("name=\"csrf\" value=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .expect("the form's CSRF field")
        .to_owned();
    let confirmed = http
        .post(format!("http://127.0.0.1:{post_port}{manage}/cancel"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}"))
        .send()
        .await
        .expect("the cancellation");
    assert_eq!(
        confirmed.status(),
        reqwest::StatusCode::SEE_OTHER,
        "{manage}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_never_overbook_and_mail_everyone_once() {
    let database = TestDatabase::create().await;
    if !database.url.starts_with("postgres") {
        eprintln!("two_instances: PostgreSQL only (DATABASE_URL); nothing to try on SQLite");
        return;
    }
    let (smtp_port, received) = start_smtp_server();
    let ports = [reserve_port(), reserve_port()];
    // Both at once on the empty database: they take turns to migrate.
    let _apps: Vec<Child> = ports
        .iter()
        .map(|&port| start_app(&database.url, port, smtp_port))
        .collect();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for port in ports {
        wait_until_up(&http, port).await;
    }
    let db = aanmeldpunt::db::connect(&database.url, Some(4))
        .await
        .expect("the database");
    let meeting = insert_event(
        &db,
        EventSpec {
            capacity: SEATS,
            waitlist: true,
            ..EventSpec::default()
        },
    )
    .await;

    let answers: Vec<u16> = futures::stream::iter(0..PEOPLE)
        .map(|n| {
            let (http, port) = (http.clone(), ports[n % 2]);
            async move {
                let url = format!("http://127.0.0.1:{port}/api/v1/events/{SLUG}/registrations");
                let answer = http.post(url).json(&sign_up_body(&address(n))).send();
                answer.await.expect("an answer").status().as_u16()
            }
        })
        .buffer_unordered(CLIENTS)
        .collect()
        .await;
    assert!(answers.iter().all(|&s| s == 201), "{answers:?}");

    let signed_up = registration::Entity::find().all(&db).await.unwrap();
    let of = |status| signed_up.iter().filter(move |r| r.status == status);
    assert_eq!(of(RegistrationStatus::Confirmed).count(), SEATS as usize);
    assert_eq!(of(RegistrationStatus::Waitlisted).count(), PEOPLE - 100);
    let queue: BTreeSet<i64> = signed_up.iter().map(|r| r.queue_number).collect();
    assert_eq!(queue, (1..=PEOPLE as i64).collect(), "one queue, no gaps");
    let mut waiting: Vec<&registration::Model> = of(RegistrationStatus::Waitlisted).collect();
    waiting.sort_by_key(|r| r.queue_number);
    let first_in_line: BTreeSet<String> = waiting[..CANCELLED]
        .iter()
        .map(|r| r.email.clone())
        .collect();

    wait_for(120, "a mail for every sign-up", &db, async || {
        received.lock().expect("inbox").len() >= PEOPLE
    })
    .await;
    let links: HashMap<String, String> = received_mails(&received)
        .into_iter()
        .filter_map(|(to, _, manage)| Some((to, manage?)))
        .collect();
    let leaving: Vec<String> = of(RegistrationStatus::Confirmed)
        .map(|r| links[&r.email].clone())
        .collect();
    futures::stream::iter(leaving.iter().enumerate())
        .for_each_concurrent(CLIENTS / 2, |(n, manage)| {
            let http = http.clone();
            async move { cancel(&http, manage, ports[n % 2], ports[(n + 1) % 2]).await }
        })
        .await;

    let expected_mails = PEOPLE + 2 * CANCELLED;
    wait_for(120, "every mail sent", &db, async || {
        let unsent = outbox::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .any(|m| m.status != OutboxStatus::Sent);
        !unsent && received.lock().expect("inbox").len() >= expected_mails
    })
    .await;

    let after = registration::Entity::find().all(&db).await.unwrap();
    let confirmed: BTreeSet<String> = after
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| r.email.clone())
        .collect();
    assert_eq!(confirmed, first_in_line, "promoted in queue order");
    let seats = event_seats::Entity::find_by_id(meeting.id)
        .one(&db)
        .await
        .unwrap()
        .expect("the seat counters");
    assert_eq!((seats.confirmed, seats.waitlisted), (100, 1_800));

    let mails = received_mails(&received);
    let ids: HashSet<&str> = mails.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), mails.len(), "no mail arrived twice");
    let rows = outbox::Entity::find().count(&db).await.unwrap() as usize;
    assert_eq!((rows, mails.len()), (expected_mails, expected_mails));
    let mut per_person: HashMap<&str, usize> = HashMap::new();
    for (to, _, _) in &mails {
        *per_person.entry(to.as_str()).or_default() += 1;
    }
    for promoted in &first_in_line {
        assert_eq!(per_person[promoted.as_str()], 2, "waiting, then a seat");
    }
}
