use chrono::{Duration, Utc};
use rocket::http::{Header, Status};

use crate::helpers::{spawn_app, EventSpec};
use aanmeldpunt::entities::event::{Eligibility, EventStatus};

#[rocket::async_test]
async fn the_home_page_lists_upcoming_published_events_in_dutch() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.create_event(EventSpec {
        slug: "voorbij".into(),
        starts_at: Utc::now() - Duration::days(10),
        ..Default::default()
    })
    .await;
    app.create_event(EventSpec {
        slug: "concept".into(),
        status: EventStatus::Draft,
        ..Default::default()
    })
    .await;

    let response = app.get("/").await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap();
    assert!(html.contains(r#"<html lang="nl">"#));
    assert!(html.contains("Bijeenkomst partnerships-voor-meer-banen"));
    assert!(html.contains("nog 80 plaatsen vrij"), "{html}");
    assert!(!html.contains("voorbij"), "past events are not listed");
    assert!(!html.contains("concept"), "drafts are not listed");
}

#[rocket::async_test]
async fn english_is_chosen_by_query_or_accept_language() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;

    let html = app.get("/?lang=en").await.into_string().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Meeting partnerships-voor-meer-banen"));

    let response = app
        .client
        .get("/")
        .header(Header::new("Accept-Language", "en-GB,en;q=0.9"))
        .dispatch()
        .await;
    let html = response.into_string().await.unwrap();
    assert!(html.contains("80 seats left"), "{html}");
}

#[rocket::async_test]
async fn the_event_page_shows_details_and_the_sign_up_form() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;

    let html = app
        .get("/events/partnerships-voor-meer-banen")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("Den Haag"));
    assert!(html.contains("nog 80 plaatsen vrij"));
    assert!(html.contains(r#"action="/events/partnerships-voor-meer-banen/registrations?lang=nl""#));
    for sector in ["GEM", "UMC", "OVERIG"] {
        assert!(
            html.contains(&format!(r#"value="{sector}""#)),
            "sector {sector} missing"
        );
    }
}

#[rocket::async_test]
async fn an_unknown_event_is_a_404_page() {
    let app = spawn_app().await;
    let response = app.get("/events/bestaat-niet").await;
    assert_eq!(response.status(), Status::NotFound);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("bestaat niet"), "{html}");
}

#[rocket::async_test]
async fn the_api_lists_events_with_seats_and_amsterdam_offsets() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        eligibility: Eligibility::PublicSector,
        capacity: 2,
        ..Default::default()
    })
    .await;
    app.sign_up_api("partnerships-voor-meer-banen", "a@utrecht.nl")
        .await;

    let response = app.get("/api/v1/events").await;
    assert_eq!(response.status(), Status::Ok);
    let events: serde_json::Value = response.into_json().await.unwrap();
    let event = &events[0];
    assert_eq!(event["slug"], "partnerships-voor-meer-banen");
    assert_eq!(event["capacity"], 2);
    assert_eq!(event["seats_left"], 1);
    assert_eq!(event["waitlist"], true);
    assert_eq!(event["eligibility"], "public_sector");
    assert_eq!(event["registration_open"], true);
    let starts_at = event["starts_at"].as_str().unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(starts_at).expect("RFC 3339");
    let offset = parsed.offset().local_minus_utc();
    assert!(
        offset == 3600 || offset == 7200,
        "Amsterdam offset, got {starts_at}"
    );

    let one = app.get("/api/v1/events/partnerships-voor-meer-banen").await;
    assert_eq!(one.status(), Status::Ok);
    let missing = app.get("/api/v1/events/nope").await;
    assert_eq!(missing.status(), Status::NotFound);
    let body: serde_json::Value = missing.into_json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].as_str().is_some());
}

#[rocket::async_test]
async fn the_api_lists_fourteen_public_sectors_and_other() {
    let app = spawn_app().await;
    let sectors: serde_json::Value = app.get("/api/v1/sectors").await.into_json().await.unwrap();
    let sectors = sectors.as_array().unwrap();
    assert_eq!(sectors.len(), 15);
    let group = |g: &str| sectors.iter().filter(|s| s["group"] == g).count();
    assert_eq!(group("overheid"), 7);
    assert_eq!(group("onderwijs"), 7);
    assert_eq!(group("other"), 1);
    assert!(sectors
        .iter()
        .any(|s| s["code"] == "GEM" && s["name"] == "Gemeenten"));
}

#[rocket::async_test]
async fn a_malformed_id_in_a_link_is_a_404() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let response = app
        .get("/events/partnerships-voor-meer-banen/thanks/not-a-uuid")
        .await;
    assert_eq!(response.status(), Status::NotFound);
}
