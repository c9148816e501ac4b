use chrono::{Duration, Utc};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};

use crate::helpers::{sign_up_body, spawn_app, EventSpec};
use aanmeldpunt::entities::event::{Eligibility, EventStatus};

const URI: &str = "/api/v1/events/partnerships-voor-meer-banen/registrations";
const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn a_valid_sign_up_is_confirmed_with_201() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;

    let (status, body) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created);
    assert_eq!(body["status"], "confirmed");
    assert!(body.get("waitlist_position").is_none());
    let stored = app.registrations().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id.to_string(), body["id"].as_str().unwrap());
    assert_eq!(stored[0].organisation, "Gemeente Utrecht");
}

#[rocket::async_test]
async fn sign_ups_beyond_capacity_join_the_waiting_list_in_order() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;

    let (_, first) = app.sign_up_api(SLUG, "a@utrecht.nl").await;
    let (_, second) = app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let (status, third) = app.sign_up_api(SLUG, "c@utrecht.nl").await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(second["status"], "waitlisted");
    assert_eq!(second["waitlist_position"], 1);
    assert_eq!(status, Status::Created);
    assert_eq!(third["waitlist_position"], 2);

    let event: serde_json::Value = app
        .get("/api/v1/events/partnerships-voor-meer-banen")
        .await
        .into_json()
        .await
        .unwrap();
    assert_eq!(event["seats_left"], 0);
}

#[rocket::async_test]
async fn invalid_fields_are_reported_per_field_with_422() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;

    let (status, body) = app
        .post_json(
            URI,
            &json!({"name": " ", "email": "anna@", "sector": "BANK"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(body["error"], "validation");
    for field in ["name", "email", "organisation", "sector"] {
        assert!(
            body["fields"][field].is_string(),
            "no message for {field}: {body}"
        );
    }
    assert!(app.registrations().await.is_empty(), "nothing half-written");
    assert!(app.outbox().await.is_empty());
}

#[rocket::async_test]
async fn unknown_json_fields_are_refused_with_422() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut body = sign_up_body("anna@utrecht.nl");
    body["is_admin"] = json!(true);
    let (status, answer) = app.post_json(URI, &body).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(answer["error"], "validation");
    assert!(answer["message"].as_str().unwrap().contains("is_admin"));
}

#[rocket::async_test]
async fn malformed_json_is_a_400_and_oversized_bodies_a_413() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let response = app
        .client
        .post(URI)
        .header(ContentType::JSON)
        .body("{\"name\":")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    let body: serde_json::Value = response.into_json().await.unwrap();
    assert_eq!(body["error"], "bad_request");

    let mut huge = sign_up_body("anna@utrecht.nl");
    huge["remarks"] = json!("x".repeat(100_000));
    let (status, body) = app.post_json(URI, &huge).await;
    assert_eq!(status, Status::PayloadTooLarge);
    assert_eq!(body["error"], "payload_too_large");
}

#[rocket::async_test]
async fn the_same_address_cannot_take_a_second_seat_but_gets_its_mail_again() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;

    let (status, body) = app.sign_up_api(SLUG, "  Anna@Utrecht.NL ").await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"], "duplicate");
    assert_eq!(app.registrations().await.len(), 1);
    let mails = app.mails_to("anna@utrecht.nl", 2).await;
    assert!(
        mails[1].ics.is_some(),
        "the fresh copy carries the invite again"
    );
    assert!(mails[1].text.contains("opnieuw"), "{}", mails[1].text);
}

#[rocket::async_test]
async fn a_full_event_without_waiting_list_refuses_with_409_full() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        waitlist: false,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    let (status, body) = app.sign_up_api(SLUG, "b@utrecht.nl").await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"], "full");
    assert_eq!(app.registrations().await.len(), 1);
}

#[rocket::async_test]
async fn outside_the_registration_window_sign_ups_are_closed() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        slug: "later".into(),
        registration_opens_at: Some(Utc::now() + Duration::days(2)),
        ..Default::default()
    })
    .await;
    app.create_event(EventSpec {
        slug: "gesloten".into(),
        registration_closes_at: Some(Utc::now() - Duration::hours(1)),
        ..Default::default()
    })
    .await;
    app.create_event(EventSpec {
        slug: "afgelast".into(),
        status: EventStatus::Cancelled,
        ..Default::default()
    })
    .await;
    for slug in ["later", "gesloten", "afgelast"] {
        let (status, body) = app.sign_up_api(slug, "a@utrecht.nl").await;
        assert_eq!(status, Status::Conflict, "{slug}");
        assert_eq!(body["error"], "closed", "{slug}");
    }
    let html = app
        .get("/events/gesloten")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("is gesloten"), "{html}");
    assert!(!html.contains("<form"), "no form on a closed event");
}

#[rocket::async_test]
async fn public_sector_events_refuse_market_companies_with_403() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        eligibility: Eligibility::PublicSector,
        ..Default::default()
    })
    .await;
    let mut body = sign_up_body("info@schoonmaakbedrijf.nl");
    body["sector"] = json!("OVERIG");
    let (status, answer) = app.post_json(URI, &body).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(answer["error"], "ineligible");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("Overheid en Onderwijs"));

    let (status, _) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created, "a municipality is welcome");
}

#[rocket::async_test]
async fn public_sector_events_check_the_register_not_just_the_claimed_sector() {
    use aanmeldpunt::services::register::RegisterFormat;
    let app = spawn_app().await;
    app.create_event(EventSpec {
        eligibility: Eligibility::PublicSector,
        ..Default::default()
    })
    .await;
    let list = "name,sector,kvk,domains\nGlans Schoonmaak BV,OVERIG,87654321,glans.nl\n";
    app.import_register(list, RegisterFormat::Simple)
        .await
        .unwrap();
    let mut body = sign_up_body("karel@glans.nl");
    body["organisation"] = json!("Glans Schoonmaak BV");
    body["sector"] = json!("GEM");
    let (status, answer) = app.post_json(URI, &body).await;
    assert_eq!(status, Status::Forbidden, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .contains("Glans Schoonmaak BV"));
    assert!(app.registrations().await.is_empty());
}

#[rocket::async_test]
async fn signing_up_for_an_unknown_event_is_404() {
    let app = spawn_app().await;
    let (status, body) = app.sign_up_api("bestaat-niet", "a@utrecht.nl").await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(body["error"], "not_found");
}

#[rocket::async_test]
async fn api_messages_follow_accept_language() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let response = app
        .client
        .post(URI)
        .header(ContentType::JSON)
        .header(rocket::http::Header::new("Accept-Language", "en"))
        .body(json!({"name": "A"}).to_string())
        .dispatch()
        .await;
    let body: serde_json::Value = response.into_json().await.unwrap();
    assert_eq!(
        body["fields"]["email"],
        "Enter your e-mail address, like name@municipality.nl."
    );
}

#[rocket::async_test]
async fn the_lang_of_the_body_decides_the_language_of_errors_and_mails() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let post = |body: Value, uri: &'static str| {
        app.client
            .post(uri)
            .header(ContentType::JSON)
            .header(Header::new("Accept-Language", "nl"))
            .body(body.to_string())
            .dispatch()
    };

    let mut invalid = sign_up_body("anna-at-utrecht");
    invalid["lang"] = json!("en");
    let answer: Value = post(invalid, URI).await.into_json().await.unwrap();
    assert_eq!(
        answer["message"],
        "Some fields are not filled in correctly."
    );
    assert!(
        answer["fields"]["email"]
            .as_str()
            .unwrap()
            .starts_with("Enter an e-mail address like"),
        "{answer}"
    );

    // A body of the wrong shape is refused in its language too, and the
    // query does not outvote it.
    let mut unknown = sign_up_body("anna@utrecht.nl");
    unknown["lang"] = json!("en");
    unknown["shoe_size"] = json!(42);
    let answer: Value = post(
        unknown,
        "/api/v1/events/partnerships-voor-meer-banen/registrations?lang=nl",
    )
    .await
    .into_json()
    .await
    .unwrap();
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("The data does not have the expected shape"),
        "{answer}"
    );

    let mut valid = sign_up_body("anna@utrecht.nl");
    valid["lang"] = json!("en");
    assert_eq!(post(valid.clone(), URI).await.status(), Status::Created);
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(
        mail.subject.starts_with("Confirmation:"),
        "{}",
        mail.subject
    );
    // Signing up again: the duplicate is answered in the body's language.
    let answer: Value = post(valid, URI).await.into_json().await.unwrap();
    assert_eq!(answer["error"], "duplicate");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("You have already signed up"),
        "{answer}"
    );

    // Without a lang in the body, the request's language as before.
    let answer: Value = post(sign_up_body("x-at-utrecht"), URI)
        .await
        .into_json()
        .await
        .unwrap();
    assert_eq!(answer["message"], "Niet alle velden zijn goed ingevuld.");
}

#[rocket::async_test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_sign_up() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let send = |key: &'static str| {
        app.client
            .post("/api/v1/events/partnerships-voor-meer-banen/registrations")
            .header(ContentType::JSON)
            .header(Header::new("Idempotency-Key", key))
            .body(sign_up_body("anna@utrecht.nl").to_string())
            .dispatch()
    };
    let key = "0b7a2f0e-8d4c-4c1e-9a57-3c2d1e0f9b8a";
    let first = send(key).await;
    assert_eq!(first.status(), Status::Created);
    let first: Value = serde_json::from_str(&first.into_string().await.unwrap()).unwrap();
    let retry = send(key).await;
    assert_eq!(retry.status(), Status::Created);
    let retry: Value = serde_json::from_str(&retry.into_string().await.unwrap()).unwrap();
    assert_eq!(retry["id"], first["id"]);
    assert_eq!(app.registrations().await.len(), 1);
    assert_eq!(app.outbox().await.len(), 1);

    let bad = send("nope").await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let bad: Value = serde_json::from_str(&bad.into_string().await.unwrap()).unwrap();
    assert!(bad.to_string().contains("idempotency_key"), "{bad}");
}

#[rocket::async_test]
async fn an_idempotency_key_reused_with_another_body_is_refused_and_the_first_sign_up_stands() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let send = |body: Value, lang: &'static str| {
        app.client
            .post(format!("{URI}?lang={lang}"))
            .header(ContentType::JSON)
            .header(Header::new("Idempotency-Key", "reused-key-0123456789"))
            .body(body.to_string())
            .dispatch()
    };
    let first = send(sign_up_body("anna@utrecht.nl"), "nl").await;
    assert_eq!(first.status(), Status::Created);
    let first: Value = first.into_json().await.unwrap();

    let other = send(sign_up_body("bert@utrecht.nl"), "en").await;
    assert_eq!(other.status(), Status::UnprocessableEntity);
    let other: Value = other.into_json().await.unwrap();
    assert_eq!(other["error"], "idempotency_key_reused", "{other}");
    let message = other["message"].as_str().unwrap();
    assert!(
        message.contains("already used for another request"),
        "{other}"
    );
    assert!(
        !other.to_string().contains("anna"),
        "nothing of the first sign-up: {other}"
    );

    let mut renamed = sign_up_body("anna@utrecht.nl");
    renamed["name"] = json!("Anna Jansen");
    let renamed = send(renamed, "nl").await;
    assert_eq!(renamed.status(), Status::UnprocessableEntity);
    let renamed: Value = renamed.into_json().await.unwrap();
    assert!(
        renamed["message"]
            .as_str()
            .unwrap()
            .contains("al gebruikt voor een ander verzoek"),
        "{renamed}"
    );

    // The same body, spelled with spaces and capitals, is the same sign-up.
    let mut same = sign_up_body(" Anna@Utrecht.nl ");
    same["name"] = json!(" Anna de Vries ");
    let replay = send(same, "nl").await;
    assert_eq!(replay.status(), Status::Created);
    let replay: Value = replay.into_json().await.unwrap();
    assert_eq!(replay["id"], first["id"]);

    let stored = app.registrations().await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].email, "anna@utrecht.nl");
    assert_eq!(app.outbox().await.len(), 1, "one mail, to the first");
}

#[rocket::async_test]
async fn line_breaks_in_a_name_or_organisation_are_refused_per_field() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut body = sign_up_body("anna@utrecht.nl");
    body["name"] = serde_json::json!("Anna\r\nATTENDEE:mailto:evil@example.com");
    body["organisation"] = serde_json::json!("Gemeente\nUtrecht");
    body["job_title"] = serde_json::json!("Inkoper\tsenior");
    body["remarks"] = serde_json::json!("Rolstoel,\r\ngraag een tolk");
    let (status, answer) = app
        .post_json(
            "/api/v1/events/partnerships-voor-meer-banen/registrations",
            &body,
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");
    for field in ["name", "organisation", "job_title"] {
        assert!(answer["fields"][field].is_string(), "{field}: {answer}");
    }
    assert!(
        answer["fields"]["remarks"].is_null(),
        "remarks may span lines: {answer}"
    );
    assert!(app.registrations().await.is_empty());
}
