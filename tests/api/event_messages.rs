//! Organisers write to a meeting's people: a preview that says how many it
//! reaches, then mail through the outbox to exactly that audience, listed
//! on the meeting afterwards.
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;

use crate::helpers::{spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

async fn page(app: &TestApp, uri: &str, fields: &[(&str, &str)]) -> (Status, String) {
    let response = app.post_form(uri, fields).await;
    let status = response.status();
    (status, response.into_string().await.unwrap_or_default())
}

#[rocket::async_test]
async fn a_message_to_the_waiting_list_is_previewed_then_mailed_to_them_alone() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    for who in ["a", "b", "c"] {
        app.sign_up_api(SLUG, &format!("{who}@utrecht.nl")).await;
    }
    app.send_pending_mail().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let compose = app.get(&format!("/admin/events/{SLUG}/messages")).await;
    let html = compose.into_string().await.unwrap();
    assert!(html.contains("Mensen op de wachtlijst (2)"), "{html}");

    let body = "Er komen misschien plaatsen vrij.\n\nWe <b>houden</b> u op de hoogte.";
    let fields = [
        ("csrf", csrf.as_str()),
        ("audience", "waitlisted"),
        ("subject", "Nieuws over de wachtlijst"),
        ("body", body),
    ];
    let (status, preview) = page(
        &app,
        &format!("/admin/events/{SLUG}/messages/preview"),
        &fields,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        preview.contains("Dit bericht gaat naar 2 mensen: Mensen op de wachtlijst."),
        "{preview}"
    );
    assert!(preview.contains("We &lt;b&gt;houden&lt;&#x2F;b&gt; u op de hoogte."));
    assert_eq!(app.outbox().await.len(), 3, "a preview sends nothing");

    let (status, _) = page(&app, &format!("/admin/events/{SLUG}/messages"), &fields).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(app.send_pending_mail().await, 2);
    for who in ["b", "c"] {
        let mail = app
            .mails_to(&format!("{who}@utrecht.nl"), 2)
            .await
            .remove(1);
        assert_eq!(
            mail.subject,
            format!("Nieuws over de wachtlijst – Bijeenkomst {SLUG}")
        );
        assert!(mail.text.contains(body), "{}", mail.text);
        assert!(mail.text.contains("/manage/"), "their own link");
        assert!(
            mail.html.contains("We &lt;b&gt;houden"),
            "escaped: {}",
            mail.html
        );
        assert!(mail.ics.is_none());
    }
    assert_eq!(
        app.mails_to("a@utrecht.nl", 1).await.len(),
        1,
        "the confirmed got nothing"
    );

    let listed = app.get(&format!("/admin/events/{SLUG}/messages")).await;
    let html = listed.into_string().await.unwrap();
    assert!(
        html.contains("<td>Nieuws over de wachtlijst</td>"),
        "{html}"
    );
    assert!(html.contains("<td>2</td>"));
}

#[rocket::async_test]
async fn a_message_needs_a_subject_a_text_and_someone_to_reach() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let (status, html) = page(
        &app,
        &format!("/admin/events/{SLUG}/messages/preview"),
        &[
            ("csrf", &csrf),
            ("audience", "confirmed"),
            ("subject", ""),
            ("body", "Tekst blijft staan"),
        ],
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains(r#"id="subject-error""#), "{html}");
    assert!(html.contains(">Tekst blijft staan</textarea>"));

    let (status, html) = page(
        &app,
        &format!("/admin/events/{SLUG}/messages"),
        &[
            ("csrf", &csrf),
            ("audience", "checked_in"),
            ("subject", "Dia's"),
            ("body", "Zie bijlage"),
        ],
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert!(html.contains("Er is niemand in deze groep"), "{html}");
    let registrations = app.registrations().await;
    assert_eq!(registrations[0].status, RegistrationStatus::Confirmed);
    assert_eq!(app.outbox().await.len(), 1, "only the confirmation");
}
