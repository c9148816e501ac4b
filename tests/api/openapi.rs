//! The OpenAPI document at `/api/v1/openapi.json` describes every mounted
//! API route, so a new route without docs fails here.
use std::collections::BTreeSet;

use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::helpers::spawn_app;

/// The routes outside `/api/v1` that the document describes too.
const PROBES: [&str; 2] = ["/healthz", "/livez"];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document() -> Value {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    response.into_json().await.expect("the document is JSON")
}

/// `/api/v1/events/<slug>` as the document writes it: `/api/v1/events/{slug}`.
fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .split('/')
        .map(|segment| match segment.strip_prefix('<') {
            Some(name) => format!("{{{}}}", name.trim_end_matches('>').trim_end_matches("..")),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[rocket::async_test]
async fn the_document_is_openapi_3_with_title_and_version() {
    let doc = document().await;
    let version = doc["openapi"].as_str().expect("an openapi field");
    assert!(version.starts_with("3."), "{version}");
    assert_eq!(doc["info"]["title"], "Aanmeldpunt API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["paths"].as_object().is_some_and(|p| !p.is_empty()));
}

#[rocket::async_test]
async fn every_mounted_api_route_is_documented_and_nothing_else() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .await
        .into_json()
        .await
        .unwrap();
    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|route| {
            let path = route.uri.path();
            path.starts_with("/api/v1") || PROBES.contains(&path)
        })
        .map(|route| {
            (
                route.method.as_str().to_ascii_lowercase(),
                openapi_path(route.uri.path()),
            )
        })
        .collect();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(move |method| (method.to_string(), path.clone()))
        })
        .collect();
    assert!(mounted.len() >= 12, "{mounted:?}");
    for probe in PROBES {
        assert!(
            mounted.contains(&("get".to_owned(), probe.to_owned())),
            "{probe} is mounted"
        );
    }
    assert_eq!(mounted, documented);
}

#[rocket::async_test]
async fn the_probes_answer_as_documented() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .await
        .into_json()
        .await
        .unwrap();
    let healthz = &doc["paths"]["/healthz"]["get"]["responses"];
    assert_eq!(
        healthz["503"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    let healthy: Value = app.get("/healthz").await.into_json().await.unwrap();
    assert_eq!(healthy, serde_json::json!({"status": "ok"}));
    let livez = &doc["paths"]["/livez"]["get"]["responses"]["200"]["content"];
    assert!(livez.get("text/plain").is_some(), "{livez}");
    let live = app.get("/livez").await;
    assert_eq!(live.content_type(), Some(ContentType::Plain));
    assert_eq!(live.into_string().await.unwrap(), "ok");
}

#[rocket::async_test]
async fn the_email_pattern_admits_the_internationalised_addresses_the_server_accepts() {
    let app = spawn_app().await;
    app.create_event(crate::helpers::EventSpec::default()).await;
    let doc: Value = app
        .get("/api/v1/openapi.json")
        .await
        .into_json()
        .await
        .unwrap();
    let email = &doc["components"]["schemas"]["SignUpFields"]["properties"]["email"];
    let pattern = regex::Regex::new(email["pattern"].as_str().unwrap()).unwrap();
    assert_eq!(
        email,
        &doc["components"]["schemas"]["ApplicationFields"]["properties"]["email"]
    );
    for (address, accepted) in [
        ("dup@zëist.nl", true),
        (" Anna@Utrecht.NL ", true),
        ("bert@straße.de", true),
        ("anna@utrеcht.nl", false), // Cyrillic е
        ("anna@xn--zëist.nl", false),
        ("anna@localhost", false),
        ("anna@[127.0.0.1]", false),
    ] {
        assert_eq!(
            pattern.is_match(address),
            accepted,
            "the document on {address:?}"
        );
        let (status, body) = app
            .sign_up_api("partnerships-voor-meer-banen", address)
            .await;
        let expected = match accepted {
            true => Status::Created,
            false => Status::UnprocessableEntity,
        };
        assert_eq!(status, expected, "the server on {address:?}: {body}");
    }
    let mail = app.mails_to("dup@zëist.nl", 1).await.remove(0);
    assert!(mail.subject.starts_with("Bevestiging"), "{}", mail.subject);
}

#[rocket::async_test]
async fn every_operation_documents_its_errors_as_error_bodies() {
    let doc = document().await;
    let mut operation_ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                operation_ids.insert(id.to_owned()),
                "{method} {path}: id {id}"
            );
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

#[rocket::async_test]
async fn the_schemas_name_the_values_the_api_sends() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Created"]["properties"]["status"]["enum"],
        serde_json::json!(["confirmed", "waitlisted"])
    );
    assert_eq!(
        schemas["RegistrationState"]["enum"],
        serde_json::json!([
            "not_yet_open",
            "open",
            "waitlist_only",
            "full",
            "closed",
            "cancelled"
        ])
    );
    assert_eq!(
        schemas["ErrorBody"]["required"],
        serde_json::json!(["error", "message"])
    );
    let sign_up = &schemas["SignUpFields"];
    assert_eq!(sign_up["additionalProperties"], false);
    assert_eq!(
        sign_up["required"],
        serde_json::json!(["name", "email", "organisation", "sector"])
    );
    let sectors = schemas["SignUpFields"]["properties"]["sector"]["enum"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(sectors, 15);
    assert!(
        sign_up["properties"].get("form_token").is_none(),
        "the HTML form's own field is not part of the API"
    );
}
