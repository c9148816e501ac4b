//! A refused change in the back office shows the back-office page again,
//! filled in, with what is wrong; never the public error page. And a
//! draft meeting's lists work like a published one's.
use aanmeldpunt::domain::{EventStatus, Role};
use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;

use crate::helpers::{spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

fn person<'a>(csrf: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", "Bram Bakker"),
        ("email", email),
        ("organisation", "Gemeente Utrecht"),
        ("sector", "GEM"),
    ]
}

async fn add(app: &TestApp, fields: &[(&str, &str)]) -> (Status, String) {
    let response = app
        .post_form(&format!("/admin/events/{SLUG}/attendees"), fields)
        .await;
    let status = response.status();
    (status, response.into_string().await.unwrap_or_default())
}

#[rocket::async_test]
async fn a_refused_add_by_hand_shows_the_list_with_the_form_filled_in() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let csrf = app.log_in_as(Role::Organiser).await;

    let (status, html) = add(&app, &person(&csrf, "geen-adres")).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("Deelnemers"), "the back-office list: {html}");
    assert!(!html.contains("Er ging iets mis"));
    assert!(html.contains(r#"id="add-email-error""#), "{html}");
    assert!(html.contains(r#"value="geen-adres""#) && html.contains(r#"value="Bram Bakker""#));
    assert!(html.contains(r#"<option value="GEM" selected>"#));
    assert!(app.registrations().await.is_empty());
}

#[rocket::async_test]
async fn adding_someone_already_there_tells_the_organiser_and_mails_no_one() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "bram@utrecht.nl").await;
    assert_eq!(app.mails_to("bram@utrecht.nl", 1).await.len(), 1);
    let csrf = app.log_in_as(Role::Organiser).await;

    let (status, html) = add(&app, &person(&csrf, "bram@utrecht.nl")).await;
    assert_eq!(status, Status::Conflict);
    assert!(html.contains("staat al op de lijst"), "{html}");
    assert!(html.contains(r#"value="bram@utrecht.nl""#));
    assert_eq!(
        app.send_pending_mail().await,
        0,
        "no 'you already signed up' mail"
    );
    assert_eq!(app.registrations().await.len(), 1);
}

#[rocket::async_test]
async fn a_move_to_a_full_list_is_refused_on_the_list() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let waiting = app
        .registrations()
        .await
        .into_iter()
        .find(|r| r.status == RegistrationStatus::Waitlisted)
        .unwrap();
    let response = app
        .post_form(
            &format!("/admin/registrations/{}/move", waiting.id),
            &[("csrf", &csrf), ("to", "confirmed")],
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Er is geen plaats vrij"), "{html}");
    assert!(html.contains("Anna de Vries"), "the list itself");
    assert!(!html.contains("Er ging iets mis"));
}

#[rocket::async_test]
async fn a_drafts_lists_and_add_by_hand_work_like_a_published_meetings() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        status: EventStatus::Draft,
        ..Default::default()
    })
    .await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let (status, _) = add(&app, &person(&csrf, "bram@utrecht.nl")).await;
    assert_eq!(status, Status::SeeOther);
    for page in [
        format!("/admin/events/{SLUG}/attendees"),
        format!("/admin/events/{SLUG}/checkin"),
    ] {
        let response = app.get(&page).await;
        assert_eq!(response.status(), Status::Ok, "{page}");
        let html = response.into_string().await.unwrap();
        assert!(html.contains("Bram Bakker"), "{page}: {html}");
    }
    let export = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/csv"))
        .await;
    assert_eq!(export.status(), Status::Ok);
}

#[rocket::async_test]
async fn an_unknown_buyer_shows_the_partnership_form_again_with_the_reason() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Programme).await;
    let response = app
        .post_form(
            "/admin/partnerships",
            &[
                ("csrf", &csrf),
                ("buyer", "Gemeente Nergenshuizen"),
                ("supplier_name", "Glans Schoonmaak"),
                ("supplier_kvk", "12345678"),
                ("category", "cleaning"),
                ("planned_hours", "veel"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(!html.contains("Er ging iets mis"));
    assert!(
        html.contains("Deze organisatie staat niet in het register"),
        "{html}"
    );
    assert!(
        html.contains(r#"id="planned_hours-error""#),
        "every field at once"
    );
    assert!(html.contains(r#"value="Gemeente Nergenshuizen""#));
    assert!(html.contains(r#"value="Glans Schoonmaak""#));
    assert!(html.contains(r#"<option value="cleaning" selected>"#));
    assert!(html.contains("<title>Fout:"));
}
