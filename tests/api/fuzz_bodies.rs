//! Hostile bodies against every public POST endpoint: whatever arrives,
//! the answer is never a 5xx, and an API refusal always says what is wrong
//! in `error` and `message`. One app per run; proptest drives it from a
//! runtime of its own so that failures shrink to the smallest body.
use std::collections::BTreeMap;

use aanmeldpunt::entities::event::Eligibility;
use aanmeldpunt::services::register::RegisterFormat;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rocket::http::{ContentType, Header};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, urlencode, EventSpec, TestApp, ROO_FIXTURE};

/// Enough to find a crash in a path that parses, small enough that
/// `cargo test` stays fast.
const CASES: u32 = 128;

const EVENT: &str = "partnerships-voor-meer-banen";
const PUBLIC_EVENT: &str = "alleen-publiek";
const PILOT: &str = "proeftuin-schoonmaak";

const SIGN_UP_FIELDS: &[&str] = &[
    "name",
    "email",
    "organisation",
    "sector",
    "job_title",
    "remarks",
    "lang",
];
const APPLICATION_FIELDS: &[&str] = &[
    "organisation",
    "organisation_id",
    "sector",
    "contact_name",
    "email",
    "phone",
    "current_suppliers",
    "market_partner",
    "motivation",
    "expected_jobs",
    "lang",
];

#[derive(Debug, Clone)]
struct Request {
    uri: String,
    content_type: ContentType,
    body: Vec<u8>,
    idempotency_key: Option<String>,
}

/// Strings that have broken web apps before, and anything at all.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,24}",
        "[a-z]{1,12}@(utrecht|minbzk|example)\\.nl",
        select(vec![
            "",
            " ",
            "\u{0}",
            "\\",
            "%",
            "_",
            "%_\\'\"",
            "'; DROP TABLE registrations; --",
            "GEM",
            "gem",
            "OVERIG",
            "RIJK",
            "nl",
            "en-GB",
            "xx",
            "none",
            "\u{202E}evil",
            "\u{FEFF}",
            "a\u{0}b@utrecht.nl",
            "anna@utrecht.nl ",
            "00000000-0000-0000-0000-000000000000",
            "1e309",
            "-1",
            "1001",
        ])
        .prop_map(str::to_owned),
        (1usize..9000).prop_map(|n| "é".repeat(n)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(hostile_text(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body that gets past the parser most of the time: a valid one with a
/// few fields replaced by hostile values, dropped, or added.
fn mutated(
    valid: fn(String) -> Value,
    fields: &'static [&'static str],
) -> impl Strategy<Value = Value> {
    let field = prop_oneof![4 => select(fields).prop_map(str::to_owned), 1 => hostile_text()];
    let value = prop_oneof![2 => hostile_text().prop_map(Value::from), 1 => json_value()];
    let change = (field, prop::option::weighted(0.85, value));
    let changes = prop_oneof![1 => Just(Vec::new()), 3 => prop::collection::vec(change, 1..4)];
    ("[a-z]{1,10}@(utrecht|minbzk|gmail)\\.nl", changes).prop_map(move |(email, changes)| {
        let mut body = valid(email);
        for (field, value) in changes {
            match value {
                Some(value) => body[field.as_str()] = value,
                None => {
                    body.as_object_mut().map(|o| o.remove(&field));
                }
            }
        }
        body
    })
}

fn sign_up(email: String) -> Value {
    json!({"name": "Anna de Vries", "email": email, "organisation": "Gemeente Utrecht",
        "sector": "GEM"})
}

fn application(email: String) -> Value {
    json!({"organisation": "Gemeente Utrecht", "sector": "GEM", "contact_name": "Anna",
        "email": email, "current_suppliers": "Glans", "motivation": "Banen", "expected_jobs": 4})
}

fn slug() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec![EVENT, PUBLIC_EVENT, PILOT]).prop_map(str::to_owned),
        1 => "[a-z0-9%.-]{1,20}",
    ]
}

fn idempotency_key() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        2 => "[A-Za-z0-9_-]{16,64}".prop_map(Some),
        1 => "[ -~]{0,80}".prop_map(Some),
    ]
}

fn json_request() -> impl Strategy<Value = Request> {
    let sign_ups = (
        slug_for(EVENT),
        prop_oneof![
            1 => json_value(),
            3 => mutated(sign_up, SIGN_UP_FIELDS),
        ],
    )
        .prop_map(|(slug, body)| (format!("/api/v1/events/{slug}/registrations"), body));
    let applications = (
        slug_for(PILOT),
        prop_oneof![
            1 => json_value(),
            3 => mutated(application, APPLICATION_FIELDS),
        ],
    )
        .prop_map(|(slug, body)| (format!("/api/v1/pilots/{slug}/applications"), body));
    (prop_oneof![sign_ups, applications], idempotency_key()).prop_map(|((uri, body), key)| {
        Request {
            uri,
            content_type: ContentType::JSON,
            body: body.to_string().into_bytes(),
            idempotency_key: key,
        }
    })
}

/// Mostly the slug that exists for the endpoint, sometimes another.
fn slug_for(existing: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![3 => Just(existing.to_owned()), 1 => slug()]
}

fn any_endpoint() -> impl Strategy<Value = String> {
    slug().prop_flat_map(|slug| {
        select(vec![
            format!("/api/v1/events/{slug}/registrations"),
            format!("/api/v1/pilots/{slug}/applications"),
            format!("/events/{slug}/registrations"),
            format!("/pilots/{slug}/apply"),
        ])
    })
}

fn bytes_request() -> impl Strategy<Value = Request> {
    let content_type = select(vec![
        ContentType::JSON,
        ContentType::Form,
        ContentType::FormData,
        ContentType::Plain,
        ContentType::Binary,
    ]);
    let bytes = prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 0..512),
        1 => (0usize..200_000).prop_map(|n| vec![b'{'; n]),
    ];
    (any_endpoint(), content_type, bytes, idempotency_key()).prop_map(
        |(uri, content_type, body, idempotency_key)| Request {
            uri,
            content_type,
            body,
            idempotency_key,
        },
    )
}

/// Form fields as a browser would post them, starting from a valid form
/// with some fields hostile, dropped or unknown; the CSRF field is added
/// when sending.
fn form_request() -> impl Strategy<Value = Request> {
    let forms = prop_oneof![
        (
            slug_for(EVENT),
            Just(sign_up as fn(String) -> Value),
            Just(SIGN_UP_FIELDS)
        )
            .prop_map(|(slug, valid, fields)| (
                format!("/events/{slug}/registrations"),
                valid,
                fields
            )),
        (
            slug_for(PILOT),
            Just(application as fn(String) -> Value),
            Just(APPLICATION_FIELDS)
        )
            .prop_map(|(slug, valid, fields)| (
                format!("/pilots/{slug}/apply"),
                valid,
                fields
            )),
    ];
    forms.prop_flat_map(|(uri, valid, fields)| {
        let field = prop_oneof![
            4 => select(fields).prop_map(str::to_owned),
            1 => select(vec!["form_token", "csrf"]).prop_map(str::to_owned),
            1 => hostile_text(),
        ];
        let change = (field, prop::option::weighted(0.85, hostile_text()));
        (
            Just(uri),
            "[a-z]{1,10}@(utrecht|minbzk|gmail)\\.nl",
            prop::collection::vec(change, 0..4),
        )
            .prop_map(move |(uri, email, changes)| {
                let mut fields: BTreeMap<String, String> = valid(email)
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or(v.to_string(), str::to_owned)))
                    .collect();
                for (field, value) in changes {
                    match value {
                        Some(value) => fields.insert(field, value),
                        None => fields.remove(&field),
                    };
                }
                let body = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
                    .collect::<Vec<_>>()
                    .join("&");
                Request {
                    uri,
                    content_type: ContentType::Form,
                    body: body.into_bytes(),
                    idempotency_key: None,
                }
            })
    })
}

/// The app with something to sign up for: an open event, one for public
/// employers only that is nearly full, a pilot and the register.
async fn target() -> (TestApp, String) {
    let app = spawn_app_with(|f| {
        f.merge(("rate_limit_per_email_per_hour", 1_000_000))
            .merge(("rate_limit_sign_ups_per_minute", 1_000_000))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    app.create_event(EventSpec {
        slug: PUBLIC_EVENT.into(),
        capacity: 2,
        waitlist: false,
        eligibility: Eligibility::PublicSector,
        ..Default::default()
    })
    .await;
    app.create_pilot(PILOT, 2, true).await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .expect("import the register");
    let csrf = app.csrf_token().await;
    (app, csrf)
}

async fn send(app: &TestApp, csrf: &str, mut request: Request) -> Result<(), TestCaseError> {
    let is_form = request.content_type == ContentType::Form && !request.uri.starts_with("/api/");
    if is_form {
        // Half the time as a browser that loaded the form, half without.
        if request.body.len().is_multiple_of(2) {
            request
                .body
                .extend(format!("&csrf={}", urlencode(csrf)).bytes());
        }
    }
    let mut call = if request.uri.starts_with("/api/v1/organisations") {
        app.client.get(request.uri.clone())
    } else {
        app.client.post(request.uri.clone())
    }
    .header(request.content_type.clone())
    .body(&request.body);
    if let Some(key) = &request.idempotency_key {
        call = call.header(Header::new("Idempotency-Key", key.clone()));
    }
    let response = call.dispatch().await;
    let status = response.status();
    let text = response.into_string().await.unwrap_or_default();
    prop_assert!(
        status.code < 500,
        "{} {} answered {status}: {text}",
        request.uri,
        String::from_utf8_lossy(&request.body)
    );
    if status.code >= 400 {
        prop_assert!(!text.trim().is_empty(), "{status} without a message");
    }
    if request.uri.starts_with("/api/") && status.code >= 400 {
        let body: Value = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{status} is not JSON ({e}): {text}")))?;
        for key in ["error", "message"] {
            prop_assert!(
                body[key].as_str().is_some_and(|s| !s.is_empty()),
                "{status} without `{key}`: {text}"
            );
        }
    }
    Ok(())
}

/// Runs `cases` requests from `strategy` against one app.
fn fuzz(strategy: impl Strategy<Value = Request>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (app, csrf) = runtime.block_on(target());
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |request| {
        runtime.block_on(send(&app, &csrf, request))
    });
    runtime.block_on(async move { drop(app) });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// Not a body, but the other input the public API searches the database
/// with (PostgreSQL refused a NUL in it with a 500).
fn search_request() -> impl Strategy<Value = Request> {
    hostile_text().prop_map(|q| Request {
        uri: format!("/api/v1/organisations?q={}", urlencode(&q)),
        content_type: ContentType::Plain,
        body: Vec::new(),
        idempotency_key: None,
    })
}

#[test]
fn hostile_json_bodies_get_a_4xx_with_a_message_never_a_5xx() {
    fuzz(json_request());
}

#[test]
fn arbitrary_bytes_as_a_body_never_get_a_5xx() {
    fuzz(bytes_request());
}

#[test]
fn hostile_form_bodies_never_get_a_5xx() {
    fuzz(form_request());
}

#[test]
fn hostile_organisation_searches_never_get_a_5xx() {
    fuzz(search_request());
}
