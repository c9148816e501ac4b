use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;

use crate::helpers::{manage_path, spawn_app, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn the_manage_link_shows_the_sign_up() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let path = manage_path(&app.mails_to("anna@utrecht.nl", 1).await[0]);

    let response = app.get(&path).await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("anna@utrecht.nl"));
    assert!(html.contains("Gemeenten"));
    assert!(html.contains("Bevestigd"));
    assert!(
        html.contains(&format!(r#"href="{path}/cancel?lang=nl""#)),
        "cancelling starts with a page that asks, not with a button that acts"
    );
}

#[rocket::async_test]
async fn cancelling_asks_first_and_says_what_will_happen() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let path = manage_path(&app.mails_to("anna@utrecht.nl", 1).await[0]);

    let response = app.get(&format!("{path}/cancel?lang=nl")).await;
    assert_eq!(response.status(), Status::Ok);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("<h1>Aanmelding annuleren</h1>"), "{html}");
    assert!(html.contains("Uw plaats gaat naar de eerste op de wachtlijst"));
    assert!(html.contains("Dit kunt u niet ongedaan maken"));
    assert!(html.contains(&format!(r#"action="{path}/cancel?lang=nl""#)));
    assert!(html.contains(r#"class="button button-danger">Ja, annuleer mijn aanmelding"#));
    assert!(
        html.contains(&format!(r#"href="{path}?lang=nl""#)),
        "a way back"
    );
    assert_eq!(
        app.registrations().await[0].status,
        RegistrationStatus::Confirmed,
        "showing the page changes nothing"
    );
}

#[rocket::async_test]
async fn cancelling_frees_the_seat_and_promotes_the_first_on_the_waiting_list() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "first@utrecht.nl").await;
    app.sign_up_api(SLUG, "second@utrecht.nl").await;
    app.sign_up_api(SLUG, "third@utrecht.nl").await;
    let path = manage_path(&app.mails_to("first@utrecht.nl", 1).await[0]);

    let response = app.submit_form(&format!("{path}/cancel"), &[]).await;
    assert_eq!(response.status(), Status::SeeOther);

    let by_email = |regs: &[aanmeldpunt::entities::registration::Model], email: &str| {
        regs.iter().find(|r| r.email == email).unwrap().status
    };
    let regs = app.registrations().await;
    assert_eq!(
        by_email(&regs, "first@utrecht.nl"),
        RegistrationStatus::Cancelled
    );
    assert_eq!(
        by_email(&regs, "second@utrecht.nl"),
        RegistrationStatus::Confirmed
    );
    assert_eq!(
        by_email(&regs, "third@utrecht.nl"),
        RegistrationStatus::Waitlisted
    );

    let cancel_mail = &app.mails_to("first@utrecht.nl", 2).await[1];
    let ics = cancel_mail.ics.as_ref().expect("a cancel invite");
    assert!(ics.contains("METHOD:CANCEL"));
    assert!(ics.contains("SEQUENCE:1"));
    let first_id = regs
        .iter()
        .find(|r| r.email == "first@utrecht.nl")
        .unwrap()
        .id;
    assert!(
        ics.contains(&format!("UID:{first_id}@aanmeldpunt")),
        "same UID as the invite"
    );

    let promoted = &app.mails_to("second@utrecht.nl", 2).await[1];
    assert!(promoted.subject.starts_with("Bevestiging"));
    assert!(promoted.text.contains("plaats vrijgekomen"));
    assert!(promoted.ics.as_ref().unwrap().contains("METHOD:REQUEST"));

    let third_page = app
        .get(&manage_path(&app.mails_to("third@utrecht.nl", 1).await[0]))
        .await;
    let html = third_page.into_string().await.unwrap();
    assert!(
        html.contains("<dd>1</dd>"),
        "third moved up to position 1: {html}"
    );

    let page = app.get(&path).await.into_string().await.unwrap();
    assert!(page.contains("Geannuleerd"));
    assert!(
        !page.contains("/cancel"),
        "no cancel button on a cancelled sign-up"
    );
}

#[rocket::async_test]
async fn cancelling_twice_changes_nothing_the_second_time() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "first@utrecht.nl").await;
    let path = manage_path(&app.mails_to("first@utrecht.nl", 1).await[0]);
    app.submit_form(&format!("{path}/cancel"), &[]).await;
    let again = app.submit_form(&format!("{path}/cancel"), &[]).await;
    assert_eq!(again.status(), Status::SeeOther);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 2, "one confirmation and one cancellation");
}

#[rocket::async_test]
async fn cancelling_a_waitlisted_sign_up_promotes_nobody_and_sends_no_calendar_cancel() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "first@utrecht.nl").await;
    app.sign_up_api(SLUG, "second@utrecht.nl").await;
    let path = manage_path(&app.mails_to("second@utrecht.nl", 1).await[0]);
    app.submit_form(&format!("{path}/cancel"), &[]).await;
    let mail = &app.mails_to("second@utrecht.nl", 2).await[1];
    assert!(mail.subject.starts_with("Geannuleerd"));
    assert!(mail.ics.is_none());
    let regs = app.registrations().await;
    assert_eq!(regs[0].status, RegistrationStatus::Confirmed);
}

#[rocket::async_test]
async fn an_unknown_manage_token_is_404() {
    let app = spawn_app().await;
    assert_eq!(app.get("/manage/nonsense").await.status(), Status::NotFound);
    let forged = format!("/manage/{}", "A".repeat(43));
    assert_eq!(app.get(&forged).await.status(), Status::NotFound);
    let response = app.submit_form(&format!("{forged}/cancel"), &[]).await;
    assert_eq!(response.status(), Status::NotFound);
}
