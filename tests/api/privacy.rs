use aanmeldpunt::entities::registration::RegistrationStatus;
use aanmeldpunt::services::privacy::{self, Retention, ANONYMISED_DOMAIN};
use aanmeldpunt::services::Services;
use chrono::{Duration, Utc};
use rocket::http::Status;

use crate::helpers::{manage_path, spawn_app, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";

const RETENTION: Retention = Retention {
    after_event_days: 90,
    application_days: 365,
    audit_days: 730,
};

#[rocket::async_test]
async fn sign_ups_are_anonymised_a_set_time_after_their_event() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        starts_at: Utc::now() + Duration::days(3),
        ..Default::default()
    })
    .await;
    let mut body = crate::helpers::sign_up_body("anna@utrecht.nl");
    body["remarks"] = serde_json::json!("rolstoel");
    app.post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    app.mails_to("anna@utrecht.nl", 1).await;
    app.send_pending_mail().await;
    let services = app.client.rocket().state::<Services>().unwrap();

    let soon = privacy::purge(services, Utc::now() + Duration::days(30), RETENTION, false)
        .await
        .unwrap();
    assert_eq!(soon.registrations, 0, "not yet");
    let later = Utc::now() + Duration::days(100);
    let purged = privacy::purge(services, later, RETENTION, false)
        .await
        .unwrap();
    assert_eq!(
        (
            purged.registrations,
            purged.mails_scrubbed,
            purged.mails_deleted
        ),
        (1, 1, 0),
        "the sent confirmation keeps its kind and times"
    );
    let reg = &app.registrations().await[0];
    assert!(
        reg.email.ends_with(ANONYMISED_DOMAIN)
            && reg.name != "Anna de Vries"
            && reg.remarks.is_none()
    );
    assert_eq!(
        reg.organisation, "Gemeente Utrecht",
        "organisations are not personal data; counts stay right"
    );
    assert_eq!(
        privacy::purge(services, later, RETENTION, false)
            .await
            .unwrap()
            .registrations,
        0,
        "only once"
    );
}

#[rocket::async_test]
async fn a_person_erases_their_sign_up_through_the_manage_link() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "bert@utrecht.nl").await;
    let path = manage_path(&app.mails_to("anna@utrecht.nl", 1).await[0]);
    let page = app.get(&path).await.into_string().await.unwrap();
    assert!(page.contains("anna@utrecht.nl") && page.contains("Mijn gegevens verwijderen"));

    let response = app.submit_form(&format!("{path}/erase"), &[]).await;
    assert_eq!(response.status(), Status::SeeOther);
    let regs = app.registrations().await;
    assert_eq!(regs[0].status, RegistrationStatus::Cancelled);
    assert!(regs[0].email.ends_with(ANONYMISED_DOMAIN));
    assert_eq!(
        regs[1].status,
        RegistrationStatus::Confirmed,
        "the waiting list moved up"
    );
    assert_eq!(
        app.get(&path).await.status(),
        Status::NotFound,
        "the link is gone too"
    );
}

#[rocket::async_test]
async fn the_privacy_statement_says_what_why_and_how_long() {
    let app = spawn_app().await;
    let html = app.get("/privacy").await.into_string().await.unwrap();
    assert!(
        html.contains("Welke gegevens bewaren we?") && html.contains("90 dagen na de bijeenkomst"),
        "{html}"
    );
}

/// Tokens at rest: what waits in the outbox (unsent, or failed and kept for
/// a retry) holds no link; the links are issued when the mail goes.
#[rocket::async_test]
async fn a_database_dump_opens_no_ones_sign_up() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let mut body = crate::helpers::application_body("Gemeente Utrecht", "GEM", "bert@utrecht.nl");
    body["contact_name"] = "Bert".into();
    app.create_pilot("proeftuin", 15, true).await;
    app.post_json("/api/v1/pilots/proeftuin/applications", &body)
        .await;

    let dump = crate::dump::everything(&app.db).await;
    assert!(
        dump.contains("anna@utrecht.nl"),
        "the mail waits in the outbox"
    );
    let token_like = regex::Regex::new(r"[A-Za-z0-9_-]{43}").unwrap();
    let candidates: Vec<&str> = token_like.find_iter(&dump).map(|m| m.as_str()).collect();
    for candidate in &candidates {
        for path in [
            format!("/manage/{candidate}"),
            format!("/applications/{candidate}"),
        ] {
            assert_eq!(app.get(&path).await.status(), Status::NotFound, "{path}");
        }
    }
    let link = regex::Regex::new(
        r"/(manage|applications|applications/verify|admin/checkin)/[A-Za-z0-9_-]{43}",
    )
    .unwrap();
    assert!(!link.is_match(&dump), "no link in the outbox: {dump}");

    let mail = &app.mails_to("anna@utrecht.nl", 1).await[0];
    let page = app.get(&manage_path(mail)).await;
    assert_eq!(page.status(), Status::Ok, "the link in the mail works");
}
