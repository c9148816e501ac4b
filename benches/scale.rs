//! Scale benchmark: `cargo bench --bench scale`. See BENCHMARKS.md.
//!
//! Does a back-office page cost the same with years of history as with
//! none? For SQLite and, when it answers, PostgreSQL: a fresh database
//! with one meeting and one page of each list (100 sign-ups, mails and
//! audit rows: a page read from 0 rows would measure reading nothing) is
//! measured, then filled in bulk (not through HTTP) up to SCALE_SIGN_UPS
//! sign-ups for that meeting (100,000), SCALE_MAIL outbox rows (1,000,000)
//! and SCALE_AUDIT audit rows (1,000,000), and measured again. Each figure is the median of
//! SCALE_REPEATS (21) reads of the page's database work, called in-process
//! as the routes call it (rendering 100 rows costs the same either way):
//! the attendee list's first and last page with its counts, a search, the
//! counts per sector (a page of its own), the door list and a door search, the mail log of one recipient and of the
//! failed, the audit log and one member of staff's entries. Printed: ms
//! with one page of rows, ms when full, and full/one page. Then the
//! attendee export, with one page of rows and full: CSV and XLSX as the
//! route streams them, and CSV held in memory as before it streamed, each
//! with its time, size and the rise of the resident memory while it ran.
//!
//! Also the partnerships' dashboard and first page, with a year's 15
//! partnerships and with SCALE_PARTNERSHIPS (2,000: twenty busy years,
//! each through four stages), and sign-ups through the service (16 at
//! once for 5 s): into a new meeting before the fill, and into the meeting
//! of 100,000 after it.
//!
//! Settings (environment): SCALE_SIGN_UPS, SCALE_MAIL, SCALE_AUDIT,
//! SCALE_PARTNERSHIPS, SCALE_REPEATS, BENCH_POSTGRES_URL
//! (postgres://postgres@127.0.0.1:5432/postgres; "off" skips PostgreSQL),
//! BENCH_SQLITE ("off" skips SQLite).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod support;

use std::time::{Duration, Instant};

use aanmeldpunt::domain::{
    partnership_search_key, sign_up_search_key, Category, Lang, MailKind, OutboxStatus, PageAt,
    RegistrationStatus, Search, SectorCode, Stage,
};
use aanmeldpunt::entities::event;
use aanmeldpunt::entities::{
    audit_log, event_seats, outbox, partnership, partnership_stage_change, registration,
};
use aanmeldpunt::http::download::{export_chunks, ExportFormat};
use aanmeldpunt::services::exports::{Export, RowSource};
use aanmeldpunt::services::mail_log::{self, MailFilter};
use aanmeldpunt::services::{attendees, audit, door, partnerships};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait,
    TransactionTrait,
};
use uuid::Uuid;

use support::{fresh_postgres_database, insert_event, sign_up_rate};

const CHUNK: usize = 1000;
/// Rows of the baseline: one page of each list.
const PAGE: usize = 100;

fn one_page_start() -> Sizes {
    Sizes {
        sign_ups: 0,
        mail: 0,
        audit: 0,
        partnerships: 0,
        repeats: 0,
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Sizes {
    sign_ups: usize,
    mail: usize,
    audit: usize,
    partnerships: usize,
    repeats: usize,
}

fn main() {
    let sizes = Sizes {
        sign_ups: env_number("SCALE_SIGN_UPS", 100_000),
        mail: env_number("SCALE_MAIL", 1_000_000),
        audit: env_number("SCALE_AUDIT", 1_000_000),
        partnerships: env_number("SCALE_PARTNERSHIPS", 2_000),
        repeats: env_number("SCALE_REPEATS", 21).max(1),
    };
    println!(
        "scale: {} sign-ups in one meeting, {} mails, {} audit rows; median of {} reads",
        sizes.sign_ups, sizes.mail, sizes.audit, sizes.repeats
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if std::env::var("BENCH_SQLITE").as_deref() != Ok("off") {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/scale.db?mode=rwc", dir.path().display());
        runtime.block_on(run_for("SQLite", &url, &sizes));
    }
    let pg = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if pg != "off" {
        match runtime.block_on(fresh_postgres_database(&pg, "aanmeldpunt_scale")) {
            Ok(url) => runtime.block_on(run_for("PostgreSQL", &url, &sizes)),
            Err(e) => println!("\nPostgreSQL skipped: {e}"),
        }
    }
}

async fn run_for(label: &str, url: &str, sizes: &Sizes) {
    let db = aanmeldpunt::db::connect(url, None).await.unwrap();
    aanmeldpunt::db::migrate(&db).await.unwrap();
    let meeting = insert_event(&db, "schaal").await;
    // The baseline holds one page of each list: a page of 100 rows read
    // from 100 rows, against the same page read from all of them.
    let one_page = Sizes {
        sign_ups: PAGE,
        mail: PAGE,
        audit: PAGE,
        // A year's target.
        partnerships: 15,
        repeats: sizes.repeats,
    };
    fill(
        &db,
        &meeting,
        &Sizes {
            repeats: 0,
            ..one_page
        },
        &one_page_start(),
    )
    .await;
    let empty = measure(&db, meeting.id, sizes.repeats).await;
    let empty_exports = exports(&db, meeting.id).await;
    // Into a meeting of its own: the big one's queue numbers are the fill's.
    let small = insert_event(&db, "schaal-klein").await;
    let empty_sign_ups = sign_up_rate(&db, &small.slug, 16, 5, "one-page").await;
    let started = Instant::now();
    fill(
        &db,
        &meeting,
        sizes,
        &Sizes {
            repeats: 0,
            ..one_page
        },
    )
    .await;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    println!(
        "\n{label}: filled in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let full = measure(&db, meeting.id, sizes.repeats).await;
    println!(
        "{:<34} {:>9} {:>9} {:>7}",
        "page", "1 page ms", "full ms", "ratio"
    );
    for ((name, e), (_, f)) in empty.iter().zip(&full) {
        let (e, f) = (ms(*e), ms(*f));
        println!("{name:<34} {e:>9.2} {f:>9.2} {:>6.1}x", f / e.max(0.001));
    }
    let full_exports = exports(&db, meeting.id).await;
    let full_sign_ups = sign_up_rate(&db, &meeting.slug, 16, 5, "full").await;
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>9} {:>7}",
        "sign-ups, 16 at once, 5 s", "done", "per s", "p50 ms", "p99 ms", "failed"
    );
    for (name, rate) in [("one page", &empty_sign_ups), ("full", &full_sign_ups)] {
        println!(
            "{name:<34} {:>8} {:>9.0} {:>9.2} {:>9.2} {:>7}",
            rate.requests, rate.per_second, rate.p50_ms, rate.p99_ms, rate.failed
        );
    }
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>7} {:>10}",
        "export of the attendee list", "rows", "ms", "ms/1000", "MB", "RSS +MB"
    );
    for (name, figures) in empty_exports.iter().chain(&full_exports) {
        println!(
            "{name:<34} {:>8} {:>9.0} {:>9.1} {:>7.1} {:>10.1}",
            figures.rows,
            ms(figures.time),
            ms(figures.time) * 1000.0 / figures.rows.max(1) as f64,
            figures.bytes as f64 / 1e6,
            figures.rss_growth_kb as f64 / 1024.0,
        );
    }
}

struct ExportFigures {
    rows: u64,
    time: Duration,
    bytes: usize,
    /// How far the resident memory rose above where it was when the
    /// export started: the peak, reset before each export.
    rss_growth_kb: u64,
}

/// A field of /proc/self/status, in kB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs `export` with the peak resident memory reset first (Linux: "5"
/// to /proc/self/clear_refs), so the peak it leaves is its own.
async fn measured_export<F: std::future::Future<Output = usize>>(
    rows: u64,
    export: F,
) -> ExportFigures {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    let bytes = export.await;
    let time = start.elapsed();
    ExportFigures {
        rows,
        time,
        bytes,
        rss_growth_kb: status_kb("VmHWM:").saturating_sub(before),
    }
}

/// The attendee export as the route writes it, streamed (CSV, XLSX), and
/// as it was written before it streamed: every row read into memory, then
/// the file built, then sent.
async fn exports(db: &DatabaseConnection, event_id: Uuid) -> Vec<(String, ExportFigures)> {
    let everyone = || attendees::Filter::parse("", "", "", "").unwrap();
    let mut figures = Vec::new();
    for (name, format) in [
        ("CSV, streamed", ExportFormat::Csv),
        ("XLSX, streamed", ExportFormat::Xlsx),
    ] {
        let (rows, sheet, source) = attendees::export(db, event_id, everyone()).await.unwrap();
        let export = Export {
            sheet,
            first: Vec::new(),
            rest: Box::new(source),
        };
        let drained = measured_export(rows, async {
            let mut chunks = export_chunks(export, format);
            let mut bytes = 0;
            while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
                bytes += chunk.unwrap().len();
            }
            bytes
        })
        .await;
        figures.push((name.to_owned(), drained));
    }
    let (rows, sheet, mut source) = attendees::export(db, event_id, everyone()).await.unwrap();
    let held = measured_export(rows, async {
        let mut all = Vec::new();
        while let Some(chunk) = source.next_chunk().await.unwrap() {
            all.extend(chunk);
        }
        let mut file = aanmeldpunt::export::csv_head(&sheet).unwrap();
        file.extend(aanmeldpunt::export::csv_rows(&all).unwrap());
        file.len()
    })
    .await;
    figures.push(("CSV, held in memory (before)".to_owned(), held));
    figures
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median time of each page's reads.
async fn measure(
    db: &DatabaseConnection,
    event_id: Uuid,
    repeats: usize,
) -> Vec<(String, Duration)> {
    let everyone = attendees::Filter::parse("", "", "", "").unwrap();
    let searched = attendees::Filter::parse("persoon 099999", "", "", "").unwrap();
    let door_search = Search::parse("Persoon 050000").unwrap();
    let anna = MailFilter {
        failed_only: false,
        recipient: Some("m000500@scale.example".into()),
    };
    let failed = MailFilter {
        failed_only: true,
        recipient: None,
    };
    let mut figures = Vec::new();
    macro_rules! page {
        ($name:expr, $read:expr) => {{
            let mut times = Vec::with_capacity(repeats);
            for _ in 0..repeats {
                let start = Instant::now();
                $read;
                times.push(start.elapsed());
            }
            times.sort();
            figures.push(($name.to_owned(), times[times.len() / 2]));
        }};
    }
    page!("attendees: first page + counts", {
        attendees::list(db, event_id, &everyone, &PageAt::First)
            .await
            .unwrap();
    });
    page!("attendees: last page + counts", {
        attendees::list(db, event_id, &everyone, &PageAt::Before(i64::MAX))
            .await
            .unwrap();
    });
    page!("attendees: search + counts", {
        attendees::list(db, event_id, &searched, &PageAt::First)
            .await
            .unwrap();
    });
    page!("attendees: counts per sector", {
        attendees::by_sector(db, event_id).await.unwrap();
    });
    page!("door: first page", {
        let query = door::page_query(event_id, &Search::default(), &PageAt::First);
        query.all(db).await.unwrap();
    });
    page!("door: search", {
        let query = door::page_query(event_id, &door_search, &PageAt::First);
        query.all(db).await.unwrap();
    });
    page!("mail log: one recipient", {
        mail_log::page_query(&anna, &PageAt::First)
            .all(db)
            .await
            .unwrap();
    });
    page!("mail log: failed only", {
        mail_log::page_query(&failed, &PageAt::First)
            .all(db)
            .await
            .unwrap();
    });
    page!("mail log: a page deep in it", {
        mail_log::page_query(&MailFilter::default(), &PageAt::After(400_000))
            .all(db)
            .await
            .unwrap();
    });
    page!("audit log: first page", {
        audit::page(db, None, &PageAt::First).await.unwrap();
    });
    let year = chrono::Datelike::year(&Utc::now());
    page!("partnerships: dashboard", {
        partnerships::summary(db, year).await.unwrap();
    });
    page!("partnerships: last year's dashboard", {
        partnerships::summary(db, year - 1).await.unwrap();
    });
    page!("partnerships: first page", {
        partnerships::page(db, &Search::default(), &PageAt::First)
            .await
            .unwrap();
    });
    let supplier = Search::parse("schoonmaak 7").unwrap();
    page!("partnerships: search", {
        partnerships::page(db, &supplier, &PageAt::First)
            .await
            .unwrap();
    });
    page!("audit log: one member of staff", {
        audit::page(db, Some("staff7@scale.example"), &PageAt::First)
            .await
            .unwrap();
    });
    figures
}

/// Fills the lists up to `sizes`, from the rows `from` already holds.
async fn fill(db: &DatabaseConnection, meeting: &event::Model, sizes: &Sizes, from: &Sizes) {
    let now = Utc::now();
    for start in (from.sign_ups..sizes.sign_ups).step_by(CHUNK) {
        let rows = (start..(start + CHUNK).min(sizes.sign_ups)).map(|i| {
            let (name, email, org) = (
                format!("Persoon {i:06}"),
                format!("p{i:06}@scale.example"),
                format!("Gemeente {}", i % 342),
            );
            registration::ActiveModel {
                id: Set(Uuid::new_v4()),
                event_id: Set(meeting.id),
                search_key: Set(sign_up_search_key(&name, &email, &org)),
                changed_by_attendee_at: Set(None),
                name: Set(name),
                email: Set(email),
                organisation: Set(org),
                sector: Set(SectorCode::parse("GEM").unwrap()),
                job_title: Set(None),
                remarks: Set(None),
                lang: Set(Lang::Nl),
                status: Set(if i % 10 == 9 {
                    RegistrationStatus::Waitlisted
                } else {
                    RegistrationStatus::Confirmed
                }),
                queue_number: Set(i as i64 + 1),
                ics_sequence: Set(0),
                created_at: Set(now),
                confirmed_at: Set(Some(now)),
                cancelled_at: Set(None),
                updated_at: Set(now),
                checked_in_at: Set(None),
                submission_key: Set(None),
                calendar_uid: Set(None),
            }
        });
        in_one_transaction(db, registration::Entity::insert_many(rows)).await;
    }
    // The seat counters, as the locked event keeps them.
    let waitlisted = (sizes.sign_ups / 10) as i64;
    event_seats::Entity::delete_by_id(meeting.id)
        .exec(db)
        .await
        .unwrap();
    event_seats::ActiveModel {
        event_id: Set(meeting.id),
        confirmed: Set(sizes.sign_ups as i64 - waitlisted),
        waitlisted: Set(waitlisted),
        last_queue_number: Set(sizes.sign_ups as i64),
    }
    .insert(db)
    .await
    .unwrap();
    for start in (from.mail..sizes.mail).step_by(CHUNK) {
        let rows = (start..(start + CHUNK).min(sizes.mail)).map(|i| outbox::ActiveModel {
            kind: Set(MailKind::RegistrationConfirmed),
            recipient: Set(format!("m{:06}@scale.example", i % 200_000)),
            subject: Set("Bevestiging".into()),
            ics: Set(None),
            context: Set(None),
            event_id: Set(Some(meeting.id)),
            registration_id: Set(None),
            application_id: Set(None),
            // One in a thousand failed, as after a bad night of SMTP.
            status: Set(if i % 1000 == 0 {
                OutboxStatus::Failed
            } else {
                OutboxStatus::Sent
            }),
            attempts: Set(1),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            claimed_by: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(Some(now)),
            ..Default::default()
        });
        in_one_transaction(db, outbox::Entity::insert_many(rows)).await;
    }
    for start in (from.audit..sizes.audit).step_by(CHUNK) {
        let rows = (start..(start + CHUNK).min(sizes.audit)).map(|i| audit_log::ActiveModel {
            actor: Set(format!("staff{}@scale.example", i % 40)),
            action: Set("registration.check_in".into()),
            subject: Set(format!("registration {i}")),
            before: Set(None),
            after: Set(None),
            created_at: Set(now),
            ..Default::default()
        });
        in_one_transaction(db, audit_log::Entity::insert_many(rows)).await;
    }
    fill_partnerships(db, sizes, from).await;
}

/// Partnerships over the years: one a fortnight or so, each through four
/// stages, spread back from now.
async fn fill_partnerships(db: &DatabaseConnection, sizes: &Sizes, from: &Sizes) {
    let now = Utc::now();
    for start in (from.partnerships..sizes.partnerships).step_by(CHUNK) {
        let ids: Vec<Uuid> = (start..(start + CHUNK).min(sizes.partnerships))
            .map(|_| Uuid::new_v4())
            .collect();
        let rows = ids.iter().enumerate().map(|(n, &id)| {
            let i = start + n;
            let created = now - chrono::Duration::days(recorded_days_ago(i));
            partnership::ActiveModel {
                id: Set(id),
                buyer_organisation_id: Set(Uuid::new_v4()),
                buyer_name: Set(format!("Gemeente {}", i % 342)),
                sector: Set(SectorCode::parse("GEM").unwrap()),
                supplier_name: Set(format!("Schoonmaak {i} BV")),
                search_key: Set(partnership_search_key(
                    &format!("Gemeente {}", i % 342),
                    &format!("Schoonmaak {i} BV"),
                )),
                supplier_kvk: Set(None),
                category: Set(Category::Cleaning),
                application_id: Set(None),
                stage: Set(Stage::Started),
                planned_hours_per_week: Set(51.0),
                realised_hours_per_week: Set(25.5),
                notes: Set(String::new()),
                started_at: Set(Some(created + chrono::Duration::days(60))),
                created_at: Set(created),
                updated_at: Set(created + chrono::Duration::days(60)),
            }
        });
        in_one_transaction(db, partnership::Entity::insert_many(rows)).await;
        let changes = ids.iter().enumerate().flat_map(|(n, &id)| {
            let created = now - chrono::Duration::days(recorded_days_ago(start + n));
            [
                Stage::Interest,
                Stage::FirstConversation,
                Stage::KickOff,
                Stage::Started,
            ]
            .into_iter()
            .enumerate()
            .map(move |(step, stage)| partnership_stage_change::ActiveModel {
                partnership_id: Set(id),
                from_stage: Set(None),
                to_stage: Set(stage),
                actor: Set("staff@scale.example".into()),
                changed_at: Set(created + chrono::Duration::days(20 * step as i64)),
                ..Default::default()
            })
        });
        in_one_transaction(db, partnership_stage_change::Entity::insert_many(changes)).await;
    }
}

/// The first 15 partnerships are recent (recorded in the last four months,
/// each started 60 days later, this year's when run after April); the rest
/// are from the years before, one every four days, so the year's own
/// figures are the same with history or without it.
fn recorded_days_ago(i: usize) -> i64 {
    let this_year = 15;
    match i < this_year {
        true => 60 + 4 * i as i64,
        false => 500 + 4 * (i - this_year) as i64,
    }
}

async fn in_one_transaction<A: ActiveModelTrait>(
    db: &DatabaseConnection,
    insert: sea_orm::InsertMany<A>,
) {
    let txn = db.begin().await.unwrap();
    insert.exec_without_returning(&txn).await.unwrap();
    txn.commit().await.unwrap();
}
