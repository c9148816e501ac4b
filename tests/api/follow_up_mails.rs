//! Mails that follow another say what they follow: a sign-up after a
//! cancellation is a new one, a move or cancellation by the organisers
//! says who did it, and a withdrawn invite is mentioned where it is sent.
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::registration::RegistrationStatus;
use aanmeldpunt::mail::SentMail;
use rocket::http::Status;

use crate::helpers::{manage_path, sign_up_body, spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

fn uid(mail: &SentMail) -> String {
    let ics = mail.ics.as_deref().expect("a calendar attachment");
    let line = ics.lines().find(|l| l.starts_with("UID:")).expect("a UID");
    line.trim_end().to_owned()
}

/// Both parts say it: the plain text must read well on its own.
fn says(mail: &SentMail, text: &str) -> bool {
    mail.text.contains(text) && mail.html.contains(text)
}

async fn sign_up(app: &TestApp, email: &str, lang: &str) {
    let mut body = sign_up_body(email);
    body["lang"] = lang.into();
    let (status, _) = app
        .post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    assert_eq!(status, Status::Created);
}

async fn cancel_through_the_link(app: &TestApp, mail: &SentMail) {
    let response = app
        .submit_form(&format!("{}/cancel", manage_path(mail)), &[])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn signing_up_again_after_cancelling_says_it_is_a_new_sign_up() {
    for (lang, new_sign_up, come_after_all) in [
        (
            "nl",
            "Dit is een nieuwe aanmelding",
            "Meld u dan opnieuw aan",
        ),
        ("en", "This is a new sign-up", "Sign up again"),
    ] {
        let app = spawn_app().await;
        app.create_event(EventSpec::default()).await;
        sign_up(&app, "anna@utrecht.nl", lang).await;
        let first = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
        assert!(!says(&first, new_sign_up), "a first sign-up is just that");

        cancel_through_the_link(&app, &first).await;
        let cancelled = app.mails_to("anna@utrecht.nl", 2).await.remove(1);
        assert!(
            says(&cancelled, come_after_all),
            "the cancellation says how to come after all: {}",
            cancelled.text
        );
        assert!(cancelled
            .text
            .contains(&format!("/events/{SLUG}?lang={lang}")));

        sign_up(&app, "anna@utrecht.nl", lang).await;
        let again = app.mails_to("anna@utrecht.nl", 3).await.remove(2);
        assert!(says(&again, new_sign_up), "{}", again.text);
        assert_ne!(uid(&again), uid(&first), "a new calendar entry");
        let live: Vec<_> = app
            .registrations()
            .await
            .into_iter()
            .filter(|r| r.status == RegistrationStatus::Confirmed)
            .collect();
        assert_eq!(live.len(), 1);
    }
}

#[rocket::async_test]
async fn signing_up_again_onto_the_waiting_list_says_it_is_a_new_sign_up() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    sign_up(&app, "first@utrecht.nl", "nl").await;
    sign_up(&app, "anna@utrecht.nl", "nl").await;
    let waiting = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    cancel_through_the_link(&app, &waiting).await;

    sign_up(&app, "anna@utrecht.nl", "nl").await;
    let again = app.mails_to("anna@utrecht.nl", 3).await.remove(2);
    assert!(again.subject.starts_with("Wachtlijst"));
    assert!(
        says(&again, "Dit is een nieuwe aanmelding"),
        "{}",
        again.text
    );
    assert!(says(&again, "op plaats 1."), "{}", again.text);
}

#[rocket::async_test]
async fn a_move_by_the_organisers_says_who_moved_you_and_what_happens_to_the_calendar() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 2,
        ..Default::default()
    })
    .await;
    sign_up(&app, "anna@utrecht.nl", "nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let anna = app.registrations().await[0].id;
    let move_to = |to: &'static str| {
        let csrf = csrf.clone();
        let app = &app;
        async move {
            let response = app
                .post_form(
                    &format!("/admin/registrations/{anna}/move"),
                    &[("csrf", &csrf), ("to", to)],
                )
                .await;
            assert_eq!(response.status(), Status::SeeOther);
        }
    };

    move_to("waitlisted").await;
    let moved = app.mails_to("anna@utrecht.nl", 2).await.remove(1);
    assert!(
        says(&moved, "De organisatie heeft uw aanmelding"),
        "{}",
        moved.text
    );
    assert!(says(&moved, "naar de wachtlijst verplaatst"));
    assert!(
        moved.ics.as_deref().unwrap().contains("METHOD:CANCEL"),
        "the invite is withdrawn"
    );
    assert!(
        says(
            &moved,
            "De afspraak in uw agenda wordt met de bijlage ingetrokken"
        ),
        "and the text says so: {}",
        moved.text
    );
    assert!(!says(&moved, "is vol"), "the meeting is not full");

    move_to("confirmed").await;
    let back = app.mails_to("anna@utrecht.nl", 3).await.remove(2);
    assert!(says(
        &back,
        "De organisatie heeft u van de wachtlijst gehaald"
    ));
    assert!(!says(&back, "plaats vrijgekomen"), "{}", back.text);
    assert!(back.ics.as_deref().unwrap().contains("METHOD:REQUEST"));
}

#[rocket::async_test]
async fn a_cancellation_by_the_organisers_says_so_and_does_not_invite_to_sign_up_again() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    sign_up(&app, "anna@utrecht.nl", "en").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let anna = app.registrations().await[0].id;
    let response = app
        .post_form(
            &format!("/admin/registrations/{anna}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);

    let cancelled = app.mails_to("anna@utrecht.nl", 2).await.remove(1);
    assert!(
        says(&cancelled, "The organisers have cancelled your sign-up"),
        "{}",
        cancelled.text
    );
    assert!(says(
        &cancelled,
        "The attachment removes the appointment from your calendar"
    ));
    assert!(!says(&cancelled, "Sign up again"));
}
