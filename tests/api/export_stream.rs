//! Exports are written while they are sent, a chunk of 1,000 rows at a
//! time: read back, every row is there once and in order, in CSV and in
//! XLSX; and a read that fails halfway breaks the transfer off instead of
//! ending it like a whole file.
use std::io::{Cursor, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::audit_log;
use aanmeldpunt::error::AppError;
use aanmeldpunt::export::{Row, Sheet};
use aanmeldpunt::http::download::{Download, ExportFormat};
use aanmeldpunt::services::exports::{Export, RowSource};
use calamine::{Data, Reader, Xlsx};
use rocket::http::Status;
use sea_orm::{EntityTrait, QueryOrder};

use crate::helpers::{spawn_app, EventSpec};
use crate::list_paging::fill;
use crate::smtp::reserve_port;

const SLUG: &str = "partnerships-voor-meer-banen";
/// Three chunks, the last one short.
const PEOPLE: usize = 2_345;

fn people() -> Vec<(String, String, String)> {
    (0..PEOPLE)
        .map(|i| {
            let name = if i == 1_500 {
                "=HYPERLINK(\"http://kwaad.example\")".to_owned()
            } else {
                format!("Persoon {i:04}")
            };
            (
                name,
                format!("p{i:04}@utrecht.nl"),
                "Gemeente Utrecht".into(),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn an_export_of_several_chunks_reads_back_whole_in_csv_and_in_xlsx() {
    let app = spawn_app().await;
    let meeting = app.create_event(EventSpec::default()).await;
    fill(&app, &meeting, &people()).await;
    app.log_in_as(Role::Organiser).await;
    let expected: Vec<String> = (0..PEOPLE).map(|i| format!("p{i:04}@utrecht.nl")).collect();

    let csv = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/csv"))
        .await;
    assert_eq!(csv.status(), Status::Ok);
    let bytes = csv.into_bytes().await.unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(records[0][0].contains("persoonsgegevens"), "the note first");
    assert_eq!(&records[1][1], "E-mail");
    let addresses: Vec<&str> = records[2..].iter().map(|r| &r[1]).collect();
    assert_eq!(addresses, expected, "every sign-up once, in queue order");
    assert_eq!(
        &records[2 + 1_500][0],
        "'=HYPERLINK(\"http://kwaad.example\")"
    );

    let xlsx = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/xlsx"))
        .await;
    assert_eq!(xlsx.status(), Status::Ok);
    let bytes = xlsx.into_bytes().await.unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("Aanmeldingen").unwrap();
    let cell = |row: usize, col: usize| match sheet.get((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("row {row} column {col}: {other:?}"),
    };
    assert!(cell(0, 0).contains("persoonsgegevens"));
    assert_eq!(cell(1, 1), "E-mail");
    assert_eq!(sheet.height(), 2 + PEOPLE);
    let addresses: Vec<String> = (0..PEOPLE).map(|i| cell(2 + i, 1)).collect();
    assert_eq!(addresses, expected);
    assert_eq!(cell(2 + 1_500, 0), "'=HYPERLINK(\"http://kwaad.example\")");
    assert_eq!(cell(2 + 7, 8), "nee", "checked in, the last column");

    let audited: Vec<serde_json::Value> = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == "export")
        .filter_map(|entry| entry.after)
        .map(|after| serde_json::from_str(&after).unwrap())
        .collect();
    assert_eq!(
        audited,
        vec![serde_json::json!({"rows": PEOPLE}); 2],
        "each export recorded with its size"
    );
}

/// After the first chunk: the end, a failing read (a database gone
/// halfway) or a panic in the source.
struct AfterOne(&'static str);

#[rocket::async_trait]
impl RowSource for AfterOne {
    async fn next_chunk(&mut self) -> Result<Option<Vec<Row>>, AppError> {
        match self.0 {
            "error" => Err(AppError::internal(std::io::Error::other("database gone"))),
            "panic" => panic!("a bug in a row source"),
            _ => Ok(None),
        }
    }
}

#[rocket::get("/export/<then>/<format>")]
fn broken_export(then: &str, format: ExportFormat) -> Download {
    let then = match then {
        "error" => "error",
        "panic" => "panic",
        _ => "end",
    };
    let export = Export {
        sheet: Sheet {
            name: "Blad".into(),
            note: None,
            headers: vec!["Naam".into()],
        },
        first: vec![vec!["Anna".into()]; 1000],
        rest: Box::new(AfterOne(then)),
    };
    Download::export(export, "blad", format)
}

/// The raw bytes of a response, read until the server closes.
fn raw_response(port: u16, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    // The server closes the connection in both cases; an error here would
    // be our read timeout.
    stream.read_to_end(&mut answer).unwrap();
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_that_fails_halfway_breaks_the_transfer_off() {
    let port = reserve_port();
    let config = rocket::Config {
        port,
        address: std::net::Ipv4Addr::LOCALHOST.into(),
        log_level: rocket::config::LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let server = rocket::custom(config)
        .mount("/", rocket::routes![broken_export])
        .ignite()
        .await
        .unwrap();
    let shutdown = server.shutdown();
    tokio::spawn(server.launch());
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("http://127.0.0.1:{port}/export/end/csv"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    for format in ["csv", "xlsx"] {
        let whole = tokio::task::spawn_blocking(move || {
            raw_response(port, &format!("/export/end/{format}"))
        })
        .await
        .unwrap();
        assert!(whole.starts_with(b"HTTP/1.1 200"));
        assert!(
            whole.ends_with(b"\r\n0\r\n\r\n"),
            "{format}: a whole export ends with the last chunk"
        );
        for then in ["error", "panic"] {
            let broken = tokio::task::spawn_blocking(move || {
                raw_response(port, &format!("/export/{then}/{format}"))
            })
            .await
            .unwrap();
            // How much of the head and the first chunk reached the socket
            // before hyper closed it is up to timing; never the last chunk.
            let text = String::from_utf8_lossy(&broken);
            assert!(
                !text.contains("\r\n0\r\n\r\n"),
                "{format}, {then}: no last chunk"
            );
            let read = http
                .get(format!("http://127.0.0.1:{port}/export/{then}/{format}"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await;
            assert!(read.is_err(), "{format}, {then}: a broken transfer");
        }
    }
    shutdown.notify();
}
