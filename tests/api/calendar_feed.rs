//! The public calendar files, read back with a calendar parser: the feed
//! of meetings to subscribe to and one meeting to add. Neither names a
//! person, and a called-off meeting stays in the feed, marked cancelled.
use aanmeldpunt::domain::EventStatus;
use icalendar::{Calendar, Component, EventLike};
use rocket::http::Status;

use crate::helpers::{spawn_app, EventSpec, TestApp};

async fn calendar(app: &TestApp, uri: &str) -> (Calendar, String) {
    let response = app.get(uri).await;
    assert_eq!(response.status(), Status::Ok, "{uri}");
    let content_type = response.content_type().map(|c| c.to_string());
    assert_eq!(
        content_type.as_deref(),
        Some("text/calendar; charset=utf-8")
    );
    let body = response.into_string().await.unwrap();
    (body.parse().expect("valid iCalendar"), body)
}

#[rocket::async_test]
async fn the_feed_lists_public_meetings_and_names_no_one() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        slug: "partnerdag".into(),
        ..Default::default()
    })
    .await;
    app.create_event(EventSpec {
        slug: "afgelast".into(),
        status: EventStatus::Cancelled,
        ..Default::default()
    })
    .await;
    app.create_event(EventSpec {
        slug: "concept".into(),
        status: EventStatus::Draft,
        ..Default::default()
    })
    .await;
    app.sign_up_api("partnerdag", "anna@utrecht.nl").await;

    let (feed, body) = calendar(&app, "/events.ics").await;
    let mut entries: Vec<(String, String)> = feed
        .events()
        .map(|e| {
            (
                e.get_url().unwrap_or_default().to_owned(),
                e.property_value("STATUS").unwrap_or_default().to_owned(),
            )
        })
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [
            (
                "https://aanmeldpunt.test/events/afgelast?lang=nl".to_owned(),
                "CANCELLED".to_owned()
            ),
            (
                "https://aanmeldpunt.test/events/partnerdag?lang=nl".to_owned(),
                "CONFIRMED".to_owned()
            ),
        ]
    );
    assert_eq!(feed.property_value("METHOD"), Some("PUBLISH"));
    assert!(
        !body.contains("ATTENDEE") && !body.contains("anna@"),
        "{body}"
    );
    assert!(feed.events().all(|e| {
        e.get_summary().unwrap().starts_with("Bijeenkomst ")
            && e.get_start().is_some()
            && e.get_end().is_some()
    }));

    let (english, _) = calendar(&app, "/events.ics?lang=en").await;
    assert!(english
        .events()
        .all(|e| e.get_summary().unwrap().starts_with("Meeting ")));
}

#[rocket::async_test]
async fn one_meeting_downloads_as_a_file_to_add_and_a_draft_does_not() {
    let app = spawn_app().await;
    let event = app.create_event(EventSpec::default()).await;
    let uri = format!("/events/{}/calendar.ics", event.slug);
    let response = app.get(&uri).await;
    assert_eq!(
        response.headers().get_one("Content-Disposition"),
        Some(format!("attachment; filename=\"{}.ics\"", event.slug).as_str())
    );
    let (file, _) = calendar(&app, &uri).await;
    let entries: Vec<_> = file.events().collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].get_location(), Some("Den Haag"));
    assert_eq!(
        entries[0].get_uid(),
        Some(format!("event-{}@aanmeldpunt", event.id).as_str())
    );
    let page = app.get(&format!("/events/{}", event.slug)).await;
    let html = page.into_string().await.unwrap();
    assert!(html.contains(&format!(
        r#"href="/events/{}/calendar.ics?lang=nl""#,
        event.slug
    )));

    let draft = app
        .create_event(EventSpec {
            slug: "concept".into(),
            status: EventStatus::Draft,
            ..Default::default()
        })
        .await;
    let response = app
        .get(&format!("/events/{}/calendar.ics", draft.slug))
        .await;
    assert_eq!(response.status(), Status::NotFound);
}
