//! Load benchmark: `cargo bench --bench load`. See BENCHMARKS.md.
//!
//! Starts the release binary as its own process and loads it with `wrk`
//! (Debian package `wrk`) from this machine, for SQLite and, when it
//! answers, PostgreSQL:
//!   (a) GET /events/<slug>
//!   (b) sign-ups through the JSON API and through the HTML form, as fast
//!       as the connections go (saturation); then JSON sign-ups paced: each
//!       connection pauses between sign-ups so that together they offer
//!       each rate of BENCH_PACED_RATES (latency below saturation)
//!   (c) the same sign-up service called in-process, without HTTP (the
//!       database ceiling)
//!   (d) GET /livez, a route that does nothing (the framework ceiling)
//! and prints requests/s, p50/p99 latency, the app's peak RSS and the
//! ratios (b)/(c) and (b)/(d). Then, per database:
//!   (e) mail: a burst of BENCH_MAIL_SIGN_UPS sign-ups with the app sending
//!       its confirmations over SMTP to a server inside this process, once
//!       per BENCH_MAIL_PARALLEL setting; the time until the server accepted
//!       the last one
//! and for PostgreSQL:
//!   (f) JSON sign-ups at each of BENCH_PG_CLIENTS concurrent clients, with
//!       the app connected over TCP (as production is) and through the Unix
//!       socket, side by side
//!
//! Settings (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (200),
//! BENCH_PACED_RATES (1000,2000,3000 sign-ups/s),
//! BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres; "off"
//! skips PostgreSQL), BENCH_SQLITE ("off" skips SQLite),
//! BENCH_PG_CLIENTS (16,50,200), BENCH_POSTGRES_SOCKET_URL
//! (postgres://postgres@%2Fvar%2Frun%2Fpostgresql/aanmeldpunt_bench, the
//! benchmark database through the socket; "off" skips the socket runs),
//! BENCH_MAIL_SIGN_UPS (2000; 0 skips (e)), BENCH_MAIL_PARALLEL (1,4).
// A test or benchmark that meets the unexpected stops there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aanmeldpunt::entities::outbox;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use support::{fresh_postgres_database, insert_event, sign_up_rate};

#[derive(Clone)]
struct Settings {
    seconds: u64,
    connections: usize,
    /// Sign-ups per second that all connections together offer, one
    /// paced run each.
    paced_rates: Vec<u64>,
    /// Concurrent clients of the TCP and Unix-socket runs (f).
    pg_clients: Vec<u64>,
    /// Sign-ups of the mail burst (e); 0 skips it.
    mail_sign_ups: u64,
    /// `mail_send_parallel` of each mail run (e).
    mail_parallel: Vec<u64>,
}

fn env_list(name: &str, default: &str) -> Vec<u64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .filter(|&n| n > 0)
        .collect()
}

#[derive(Clone)]
struct Figures {
    name: String,
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: u64,
}

fn main() {
    let settings = Settings {
        seconds: env_number("BENCH_SECONDS", 10),
        connections: env_number("BENCH_CONNECTIONS", 200) as usize,
        paced_rates: env_list("BENCH_PACED_RATES", "1000,2000,3000"),
        pg_clients: env_list("BENCH_PG_CLIENTS", "16,50,200"),
        mail_sign_ups: env_number("BENCH_MAIL_SIGN_UPS", 2000),
        mail_parallel: env_list("BENCH_MAIL_PARALLEL", "1,4"),
    };
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    print_machine();
    if std::env::var("BENCH_SQLITE").as_deref() != Ok("off") {
        let sqlite_dir = tempfile::tempdir().expect("temporary folder");
        let sqlite_url = format!("sqlite://{}/bench.db?mode=rwc", sqlite_dir.path().display());
        runtime.block_on(run_for("SQLite", &sqlite_url, &settings));
    }

    let admin_url = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if admin_url == "off" {
        return;
    }
    match runtime.block_on(fresh_postgres_database(&admin_url, "aanmeldpunt_bench")) {
        Ok(url) => {
            runtime.block_on(run_for("PostgreSQL", &url, &settings));
            let socket_url = std::env::var("BENCH_POSTGRES_SOCKET_URL").unwrap_or_else(|_| {
                "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/aanmeldpunt_bench".into()
            });
            let socket_url = (socket_url != "off").then_some(socket_url);
            runtime.block_on(tcp_and_socket(&url, socket_url.as_deref(), &settings));
        }
        Err(e) => println!("\nPostgreSQL skipped: {e}"),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn print_machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024 / 1024);
    println!("machine: {cpu}, {cores} cores, {memory} GiB");
}

async fn run_for(label: &str, database_url: &str, settings: &Settings) {
    println!("\n== {label}");
    let connections = std::env::var("ROCKET_DATABASE_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok());
    let db = aanmeldpunt::db::connect(database_url, connections)
        .await
        .expect("the benchmark reaches the database");
    aanmeldpunt::db::migrate(&db).await.expect("migrations");
    let http_event = insert_event(&db, "bench-http").await;
    let raw_event = insert_event(&db, "bench-raw").await;
    let serial_event = insert_event(&db, "bench-serial").await;
    let mut paced_events = Vec::new();
    for rate in &settings.paced_rates {
        paced_events.push((
            *rate,
            insert_event(&db, &format!("bench-paced-{rate}")).await,
        ));
    }

    // (c) first, before the app runs: its mail worker would otherwise
    // write to the database from another process meanwhile. The raw runs'
    // mail is then marked sent so the worker does not send it later.
    let round_trip_us = statement_round_trip_us(&db).await;
    println!("  one statement through sea-orm and sqlx, one at a time: {round_trip_us:.0} us");
    let one_at_a_time = Settings {
        seconds: 2,
        connections: 1,
        paced_rates: Vec::new(),
        ..settings.clone()
    };
    let single = raw_sign_ups(&db, &serial_event.slug, &one_at_a_time).await;
    println!(
        "  one sign-up at a time, no HTTP: {:.2} ms each ({:.0}/s)",
        1000.0 / single.per_second,
        single.per_second
    );
    let raw = raw_sign_ups(&db, &raw_event.slug, settings).await;
    println!("  measured {} ({:.0} req/s)", raw.name, raw.per_second);
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            sea_orm::sea_query::Expr::value(outbox::OutboxStatus::Sent),
        )
        .exec(&db)
        .await
        .expect("mark raw mail sent");

    let mail_dir = mail_folder();
    let port = free_port();
    let app = AppProcess::start(database_url, port, mail_dir.path(), &[]);
    let http = reqwest::Client::new();
    app.wait_until_up(&http).await;
    let base = format!("http://127.0.0.1:{port}");

    let scripts = tempfile::tempdir().expect("script folder");
    let event_page = format!("{base}/events/{}", http_event.slug);
    let livez = wrk("(d) GET /livez", &format!("{base}/livez"), None, settings);
    println!("  peak RSS so far: {:.1} MB", app.peak_rss_mb());
    let page = wrk("(a) GET /events/<slug>", &event_page, None, settings);
    println!("  peak RSS so far: {:.1} MB", app.peak_rss_mb());
    let json_script = write_script(scripts.path(), "json.lua", &json_sign_up_script());
    let json = wrk(
        "(b) sign-up, JSON API",
        &format!("{base}/api/v1/events/{}/registrations", http_event.slug),
        Some(&json_script),
        settings,
    );
    println!("  peak RSS so far: {:.1} MB", app.peak_rss_mb());
    wait_for_outbox(&db).await;
    empty_folder(mail_dir.path());
    let (cookie, csrf) = form_session(&http, &event_page).await;
    let form_script = write_script(
        scripts.path(),
        "form.lua",
        &form_sign_up_script(&cookie, &csrf),
    );
    let form = wrk(
        "(b) sign-up, HTML form",
        &format!("{base}/events/{}/registrations", http_event.slug),
        Some(&form_script),
        settings,
    );
    wait_for_outbox(&db).await;
    empty_folder(mail_dir.path());
    println!("  peak RSS so far: {:.1} MB", app.peak_rss_mb());

    // JSON sign-ups from clients that pause between them, so that together
    // they offer a set rate: latency below saturation. Each run starts on
    // an empty event, like a real meeting; the runs above left some 60,000
    // sign-ups on theirs (see BENCHMARKS.md on counting seats).
    let mut paced = Vec::new();
    for (rate, event) in &paced_events {
        let (pause, mean_pause_ms) = pacing(settings.connections, *rate);
        let script = write_script(
            scripts.path(),
            &format!("json-paced-{rate}.lua"),
            &(json_sign_up_script() + &pause),
        );
        paced.push(wrk(
            &format!("(b) JSON, offered {rate}/s"),
            &format!("{base}/api/v1/events/{}/registrations", event.slug),
            Some(&script),
            settings,
        ));
        println!("  (pauses of {mean_pause_ms:.0} ms on average per connection)");
        wait_for_outbox(&db).await;
        empty_folder(mail_dir.path());
    }
    let peak_rss_mb = app.peak_rss_mb();
    let stored = aanmeldpunt::entities::registration::Entity::find()
        .filter(aanmeldpunt::entities::registration::Column::EventId.eq(http_event.id))
        .count(&db)
        .await
        .unwrap_or(0);
    drop(app);

    let rows = [&page, &json, &form]
        .into_iter()
        .chain(&paced)
        .chain([&raw, &livez]);
    println!(
        "{:<28} {:>10} {:>10} {:>9} {:>9} {:>8}",
        "run", "requests", "req/s", "p50 ms", "p99 ms", "failed"
    );
    for f in rows {
        println!(
            "{:<28} {:>10} {:>10.0} {:>9.2} {:>9.2} {:>8}",
            f.name, f.requests, f.per_second, f.p50_ms, f.p99_ms, f.failed
        );
    }
    println!("sign-ups stored through HTTP: {stored} (the two unpaced runs)");
    println!(
        "ratios: JSON/raw {:.2}, form/raw {:.2}, JSON/empty route {:.3}, form/empty route {:.3}",
        json.per_second / raw.per_second,
        form.per_second / raw.per_second,
        json.per_second / livez.per_second,
        form.per_second / livez.per_second
    );
    println!("peak RSS of the app: {peak_rss_mb:.1} MB");

    if settings.mail_sign_ups > 0 {
        let mut runs = Vec::new();
        for &parallel in &settings.mail_parallel {
            runs.push(mail_burst(&db, database_url, settings.mail_sign_ups, parallel).await);
        }
        print_mail_runs(&runs);
    }
}

/// (f): JSON sign-ups at each number of clients, the app connected to the
/// same database over TCP and through the Unix socket, one app process
/// per connection, each run on an empty event.
async fn tcp_and_socket(tcp_url: &str, socket_url: Option<&str>, settings: &Settings) {
    println!("\n== PostgreSQL over TCP and through the Unix socket");
    let mut transports = vec![("TCP", tcp_url.to_owned())];
    if let Some(socket_url) = socket_url {
        transports.push(("Unix socket", socket_url.to_owned()));
    }
    let scripts = tempfile::tempdir().expect("script folder");
    let script = write_script(scripts.path(), "json.lua", &json_sign_up_script());
    let mut results: Vec<(&str, f64, Vec<Figures>)> = Vec::new();
    for (name, url) in &transports {
        let db = match aanmeldpunt::db::connect(url, None).await {
            Ok(db) => db,
            Err(e) => {
                println!("  {name} skipped: {e}");
                continue;
            }
        };
        let round_trip_us = statement_round_trip_us(&db).await;
        println!("  {name}: one statement, one at a time: {round_trip_us:.0} us");
        let mail_dir = mail_folder();
        let port = free_port();
        let app = AppProcess::start(url, port, mail_dir.path(), &[]);
        let http = reqwest::Client::new();
        app.wait_until_up(&http).await;
        let mut figures = Vec::new();
        for &clients in &settings.pg_clients {
            let event = insert_event(
                &db,
                &format!("bench-{}-{clients}", name.replace(' ', "-").to_lowercase()),
            )
            .await;
            let run = Settings {
                connections: clients as usize,
                ..settings.clone()
            };
            figures.push(wrk(
                &format!("(f) JSON, {name}, {clients} clients"),
                &format!(
                    "http://127.0.0.1:{port}/api/v1/events/{}/registrations",
                    event.slug
                ),
                Some(&script),
                &run,
            ));
            wait_for_outbox(&db).await;
            empty_folder(mail_dir.path());
        }
        drop(app);
        results.push((name, round_trip_us, figures));
    }
    println!(
        "{:<12} {:>8} {:>11} {:>9} {:>9} {:>10}",
        "connection", "clients", "sign-ups/s", "p50 ms", "p99 ms", "vs socket"
    );
    let socket = results
        .iter()
        .find(|(name, ..)| *name == "Unix socket")
        .map(|(_, _, f)| f.clone());
    for (name, round_trip_us, figures) in &results {
        for (i, f) in figures.iter().enumerate() {
            let versus = socket
                .as_ref()
                .and_then(|s| s.get(i))
                .map_or("-".to_owned(), |s| {
                    format!("{:.2}", f.per_second / s.per_second)
                });
            println!(
                "{:<12} {:>8} {:>11.0} {:>9.2} {:>9.2} {:>10}",
                name, settings.pg_clients[i], f.per_second, f.p50_ms, f.p99_ms, versus
            );
        }
        println!("{name}: {round_trip_us:.0} us a statement");
    }
}

/// One mail run (e).
struct MailRun {
    parallel: u64,
    sign_ups: u64,
    burst_s: f64,
    mails: usize,
    first_mail_s: f64,
    last_mail_s: f64,
    left_in_outbox: u64,
    mean_bytes: usize,
}

/// (e): `sign_ups` JSON sign-ups from 50 clients as fast as they go,
/// against an app that sends its mail over SMTP (`mail_send_parallel` =
/// `parallel`) to a server in this process; then the wait until that
/// server has accepted every confirmation.
async fn mail_burst(
    db: &DatabaseConnection,
    database_url: &str,
    sign_ups: u64,
    parallel: u64,
) -> MailRun {
    let sink = SmtpSink::start();
    let event = insert_event(
        db,
        &format!("bench-mail-{parallel}-{}", Uuid::new_v4().simple()),
    )
    .await;
    // Unused: the mail goes over SMTP.
    let mail_dir = tempfile::tempdir().expect("mail folder");
    let port = free_port();
    let app = AppProcess::start(
        database_url,
        port,
        mail_dir.path(),
        &[
            ("ROCKET_MAIL_TRANSPORT", "smtp".into()),
            ("ROCKET_SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port)),
            ("ROCKET_MAIL_SEND_PARALLEL", parallel.to_string()),
        ],
    );
    let http = reqwest::Client::new();
    app.wait_until_up(&http).await;
    let url = format!(
        "http://127.0.0.1:{port}/api/v1/events/{}/registrations",
        event.slug
    );
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let (http, url, next) = (http.clone(), url.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= sign_ups {
                        break;
                    }
                    let body = serde_json::json!({
                        "name": "Anna de Vries",
                        "email": format!("mail-{parallel}-{n}@utrecht.nl"),
                        "organisation": "Gemeente Utrecht",
                        "sector": "GEM",
                    });
                    let answer = http.post(&url).json(&body).send().await;
                    assert!(
                        answer.is_ok_and(|a| a.status().as_u16() == 201),
                        "a sign-up of the mail burst failed"
                    );
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("client");
    }
    let burst_s = started.elapsed().as_secs_f64();
    let want = usize::try_from(sign_ups).unwrap_or(usize::MAX);
    let deadline = started + Duration::from_secs(300);
    while sink.count() < want && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The worker marks a mail sent after the server accepted it.
    for _ in 0..100 {
        if pending_mail(db, event.id).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let left_in_outbox = pending_mail(db, event.id).await;
    drop(app);
    let (mails, first, last, bytes) = sink.summary();
    MailRun {
        parallel,
        sign_ups,
        burst_s,
        mails,
        first_mail_s: first.map_or(f64::NAN, |t| (t - started).as_secs_f64()),
        last_mail_s: last.map_or(f64::NAN, |t| (t - started).as_secs_f64()),
        left_in_outbox,
        mean_bytes: bytes / mails.max(1),
    }
}

async fn pending_mail(db: &DatabaseConnection, event_id: Uuid) -> u64 {
    outbox::Entity::find()
        .filter(outbox::Column::EventId.eq(event_id))
        .filter(outbox::Column::Status.ne(outbox::OutboxStatus::Sent))
        .count(db)
        .await
        .unwrap_or(u64::MAX)
}

fn print_mail_runs(runs: &[MailRun]) {
    println!(
        "{:<26} {:>9} {:>9} {:>7} {:>12} {:>11} {:>8} {:>8} {:>7}",
        "run",
        "sign-ups",
        "burst s",
        "mails",
        "first mail s",
        "last mail s",
        "mails/s",
        "outbox",
        "bytes"
    );
    for run in runs {
        // From the first mail accepted to the last: the rate the worker and
        // the server reach once mail is waiting.
        let rate = (run.mails.saturating_sub(1)) as f64 / (run.last_mail_s - run.first_mail_s);
        println!(
            "{:<26} {:>9} {:>9.2} {:>7} {:>12.2} {:>11.2} {:>8.0} {:>8} {:>7}",
            format!("(e) mail, {} at once", run.parallel),
            run.sign_ups,
            run.burst_s,
            run.mails,
            run.first_mail_s,
            run.last_mail_s,
            rate,
            run.left_in_outbox,
            run.mean_bytes
        );
    }
    println!(
        "(times from the start of the burst; outbox: rows of the run not marked sent at the end)"
    );
}

/// An SMTP server in this process that accepts everything and counts it:
/// the mail server of the mail runs (e).
struct SmtpSink {
    port: u16,
    seen: Arc<std::sync::Mutex<SinkLog>>,
}

#[derive(Default)]
struct SinkLog {
    mails: usize,
    bytes: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

#[derive(Clone)]
struct SinkHandler {
    seen: Arc<std::sync::Mutex<SinkLog>>,
    bytes: usize,
}

impl mailin_embedded::Handler for SinkHandler {
    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> mailin_embedded::Response {
        self.bytes = 0;
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.bytes += buf.len();
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let now = Instant::now();
        let mut seen = self.seen.lock().expect("sink log");
        seen.mails += 1;
        seen.bytes += self.bytes;
        seen.first.get_or_insert(now);
        seen.last = Some(now);
        mailin_embedded::response::OK
    }
}

impl SmtpSink {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("SMTP port");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(std::sync::Mutex::new(SinkLog::default()));
        let mut server = mailin_embedded::Server::new(SinkHandler {
            seen: seen.clone(),
            bytes: 0,
        });
        // One thread per connection the app may open.
        server
            .with_name("smtp.bench")
            .with_num_threads(70)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { port, seen }
    }

    fn count(&self) -> usize {
        self.seen.lock().map_or(0, |s| s.mails)
    }

    fn summary(&self) -> (usize, Option<Instant>, Option<Instant>, usize) {
        let seen = self.seen.lock().expect("sink log");
        (seen.mails, seen.first, seen.last, seen.bytes)
    }
}

/// Where the app writes its `.eml` files. In memory (`/dev/shm`) where
/// there is one: a run writes some 100,000 files, and on this machine's
/// ext4 disk the journal commit every 5 s then stalled the app's own
/// writes for about 100 ms each time (p99 of paced sign-ups 50-90 ms
/// against 15-17 ms). Production mail leaves over SMTP, not as files.
fn mail_folder() -> tempfile::TempDir {
    let in_memory = Path::new("/dev/shm");
    let folder = if in_memory.is_dir() {
        tempfile::tempdir_in(in_memory)
    } else {
        tempfile::tempdir()
    };
    let folder = folder.expect("mail folder");
    println!(
        "  mail written as .eml files to {}",
        folder.path().display()
    );
    folder
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
    listener.local_addr().expect("address").port()
}

struct AppProcess {
    child: Child,
    port: u16,
}

impl AppProcess {
    /// `extra`: more settings, applied last.
    fn start(database_url: &str, port: u16, mail_dir: &Path, extra: &[(&str, String)]) -> Self {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        let secret = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key);
        let child = Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
            .arg("serve")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("ROCKET_PROFILE", "release")
            .env("ROCKET_SECRET_KEY", secret)
            .env("ROCKET_DATABASE_URL", database_url)
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("ROCKET_MAIL_TRANSPORT", "files")
            .env("ROCKET_MAIL_DIR", mail_dir)
            .env("ROCKET_SEED", "false")
            .env("ROCKET_LOG_LEVEL", "critical")
            // All load comes from one address here.
            .env("ROCKET_RATE_LIMIT_SIGN_UPS_PER_MINUTE", "100000000")
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the release binary starts");
        AppProcess { child, port }
    }

    async fn wait_until_up(&self, http: &reqwest::Client) {
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        for _ in 0..600 {
            if http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the app did not come up");
    }

    /// The high-water mark of resident memory, as the kernel counts it.
    fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (c): the sign-up service, called by as many tasks as wrk has
/// connections, against the same database, without HTTP.
async fn raw_sign_ups(db: &DatabaseConnection, slug: &str, settings: &Settings) -> Figures {
    let rate = sign_up_rate(db, slug, settings.connections, settings.seconds, "raw").await;
    Figures {
        name: "(c) sign-up, no HTTP (raw)".into(),
        requests: rate.requests,
        per_second: rate.per_second,
        p50_ms: rate.p50_ms,
        p99_ms: rate.p99_ms,
        failed: rate.failed,
    }
}

/// What one statement costs before the database does any work: the floor
/// under every statement a sign-up runs.
async fn statement_round_trip_us(db: &DatabaseConnection) -> f64 {
    let rounds = 2000;
    let started = Instant::now();
    for _ in 0..rounds {
        db.execute_unprepared("SELECT 1").await.expect("SELECT 1");
    }
    started.elapsed().as_secs_f64() * 1_000_000.0 / f64::from(rounds)
}

/// Lets the app's mail worker catch up, so one run's mail is not sent
/// during the next run.
async fn wait_for_outbox(db: &DatabaseConnection) {
    for _ in 0..600 {
        let pending = outbox::Entity::find()
            .filter(outbox::Column::Status.ne(outbox::OutboxStatus::Sent))
            .count(db)
            .await
            .unwrap_or(0);
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("(mail worker still busy after 60 s)");
}

/// Deletes the `.eml` files sent so far: a run writes some 40,000 of about
/// 60 kB each, and in `/dev/shm` they would hold that much memory.
fn empty_folder(folder: &Path) {
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The CSRF cookie and form field a browser gets with the event page.
async fn form_session(http: &reqwest::Client, page: &str) -> (String, String) {
    let response = http.get(page).send().await.expect("event page");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("csrf="))
        .and_then(|c| c.split(';').next())
        .expect("a csrf cookie")
        .to_owned();
    let html = response.text().await.expect("html");
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("a csrf field") + marker.len();
    let csrf = html[start..]
        .split('"')
        .next()
        .expect("its value")
        .to_owned();
    (cookie, csrf)
}

fn write_script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write wrk script");
    path.display().to_string()
}

/// Shared by both sign-up scripts: a unique e-mail address per request, and
/// a summary line the benchmark reads back.
const LUA_COMMON: &str = r#"
-- thread_id is a global that setup() gives each thread before init().
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = thread_id or 0
  math.randomseed(os.time() + thread_id)
end
function next_email()
  counter = counter + 1
  return string.format("w%d-%d-%d@utrecht.nl", thread_id, math.random(1, 1000000000), counter)
end
"#;

const LUA_SUMMARY: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %f %f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"#;

fn json_sign_up_script() -> String {
    format!(
        r#"{LUA_COMMON}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  local body = string.format('{{"name":"Anna de Vries","email":"%s","organisation":"Gemeente Utrecht","sector":"GEM"}}', next_email())
  return wrk.format(nil, nil, nil, body)
end
{LUA_SUMMARY}"#
    )
}

fn form_sign_up_script(cookie: &str, csrf: &str) -> String {
    format!(
        r#"{LUA_COMMON}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
function request()
  local email = next_email()
  local token = string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), counter, thread_id)
  local body = "name=Anna+de+Vries&email=" .. email:gsub("@", "%%40") ..
    "&organisation=Gemeente+Utrecht&sector=GEM&csrf={csrf}&form_token=" .. token
  return wrk.format(nil, nil, nil, body)
end
{LUA_SUMMARY}"#
    )
}

/// A wrk `delay()` that pauses each connection a random, exponentially
/// distributed time (arrivals as from many independent people) with the
/// mean that makes all connections together offer `rate` if answers took
/// no time; the rate reached is what the run prints.
fn pacing(connections: usize, rate: u64) -> (String, f64) {
    let mean_pause_ms = connections as f64 * 1000.0 / rate.max(1) as f64;
    let script = format!(
        r#"
function delay()
  return -math.log(1 - math.random()) * {mean_pause_ms}
end
"#
    );
    (script, mean_pause_ms)
}

fn wrk(name: &str, url: &str, script: Option<&str>, settings: &Settings) -> Figures {
    let summary_only = write_summary_script();
    let script = script.unwrap_or(&summary_only);
    let output = Command::new("wrk")
        .args(["-t", &settings.connections.clamp(1, 2).to_string()])
        .args(["-c", &settings.connections.to_string()])
        .args(["-d", &format!("{}s", settings.seconds), "--timeout", "10s"])
        .args(["-s", script, url])
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("BENCH "))
        .unwrap_or_else(|| panic!("wrk printed no summary: {text}"));
    let numbers: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    let [requests, duration_us, p50_us, p99_us, failed] = numbers[..] else {
        panic!("unexpected summary: {line}");
    };
    Figures {
        name: name.into(),
        requests: requests as u64,
        per_second: requests / (duration_us / 1_000_000.0),
        p50_ms: p50_us / 1000.0,
        p99_ms: p99_us / 1000.0,
        failed: failed as u64,
    }
}

fn write_summary_script() -> String {
    let path = std::env::temp_dir().join(format!("aanmeldpunt-bench-{}.lua", std::process::id()));
    std::fs::write(&path, LUA_SUMMARY).expect("write wrk script");
    path.display().to_string()
}
