//! The calendar entry of a sign-up, as a calendar program reads it: one
//! UID from the invite to its cancellation that names no domain, so a new
//! `base_url` does not orphan the entries already in people's calendars.
use aanmeldpunt::entities::registration;
use icalendar::{Calendar, Component};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use crate::helpers::{manage_path, spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

/// Signs Anna up, cancels through her link, and returns the invite and the
/// cancellation as parsed calendars.
async fn invite_and_cancellation(
    app: &TestApp,
    before: impl AsyncFnOnce(&TestApp),
) -> (Calendar, Calendar) {
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let path = manage_path(&app.mails_to("anna@utrecht.nl", 1).await[0]);
    before(app).await;
    app.submit_form(&format!("{path}/cancel"), &[]).await;
    let mails = app.mails_to("anna@utrecht.nl", 2).await;
    let parse = |i: usize| -> Calendar {
        mails[i]
            .ics
            .as_deref()
            .expect("an invite")
            .parse()
            .expect("valid iCalendar")
    };
    (parse(0), parse(1))
}

fn uid_and_sequence(calendar: &Calendar) -> (String, String) {
    let event = calendar.events().next().expect("one VEVENT");
    (
        event.get_uid().expect("a UID").to_owned(),
        event
            .property_value("SEQUENCE")
            .expect("a SEQUENCE")
            .to_owned(),
    )
}

#[rocket::async_test]
async fn the_invite_and_its_cancellation_share_a_uid_that_names_no_domain() {
    let app = spawn_app().await;
    let (invite, cancellation) = invite_and_cancellation(&app, async |_| {}).await;
    let id = app.registrations().await[0].id;

    for calendar in [&invite, &cancellation] {
        assert_eq!(
            calendar.property_value("PRODID"),
            Some("-//Aanmeldpunt//NL")
        );
        assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    }
    assert_eq!(invite.property_value("METHOD"), Some("REQUEST"));
    assert_eq!(cancellation.property_value("METHOD"), Some("CANCEL"));
    let (invite_uid, invite_sequence) = uid_and_sequence(&invite);
    let (cancel_uid, cancel_sequence) = uid_and_sequence(&cancellation);
    assert_eq!(invite_uid, format!("{id}@aanmeldpunt"));
    assert_eq!(cancel_uid, invite_uid, "the cancellation finds the entry");
    assert!(cancel_sequence.parse::<i32>().unwrap() > invite_sequence.parse::<i32>().unwrap());
}

#[rocket::async_test]
async fn a_sign_up_from_before_stored_uids_keeps_the_uid_its_invite_went_out_with() {
    let app = spawn_app().await;
    // As a sign-up made before the UID was stored: no UID in its row.
    let forget_uid = async |app: &TestApp| {
        let row = app.registrations().await.remove(0);
        let mut row: registration::ActiveModel = row.into();
        row.calendar_uid = Set(None);
        row.update(&app.db).await.expect("updated");
    };
    let (_, cancellation) = invite_and_cancellation(&app, forget_uid).await;
    let id = app.registrations().await[0].id;
    let (uid, _) = uid_and_sequence(&cancellation);
    assert_eq!(uid, format!("registration-{id}@aanmeldpunt.test"));
}
