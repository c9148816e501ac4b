//! Where a meeting stands, as its visitors and the API see it: called off
//! (with the organiser's message), closed and reopened, and the
//! registration window the event form sets.
use aanmeldpunt::domain::{EventStatus, Role};
use aanmeldpunt::entities::audit_log;
use chrono::{Days, Utc};
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::helpers::{spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

async fn public_page(app: &TestApp, uri: &str) -> String {
    let response = app.get(uri).await;
    assert_eq!(response.status(), Status::Ok, "{uri}");
    response.into_string().await.unwrap()
}

async fn state_in_api(app: &TestApp) -> serde_json::Value {
    let response = app.get(&format!("/api/v1/events/{SLUG}")).await;
    assert_eq!(response.status(), Status::Ok);
    serde_json::from_str(&response.into_string().await.unwrap()).unwrap()
}

async fn actions(app: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect()
}

#[rocket::async_test]
async fn a_called_off_meeting_says_so_with_the_organisers_message_until_its_date() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let asked = public_page(&app, &format!("/admin/events/{SLUG}/cancel")).await;
    assert!(
        asked.contains(r#"<textarea id="message" name="message""#),
        "{asked}"
    );

    let message = "De spreker is ziek.\nEen nieuwe datum volgt <b>snel</b>.";
    let response = app
        .post_form(
            &format!("/admin/events/{SLUG}/cancel"),
            &[("csrf", &csrf), ("message", message)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);

    let page = public_page(&app, &format!("/events/{SLUG}")).await;
    assert!(page.contains("Deze bijeenkomst gaat niet door"), "{page}");
    assert!(
        page.contains(
            "De spreker is ziek.<br>Een nieuwe datum volgt &lt;b&gt;snel&lt;&#x2F;b&gt;."
        ),
        "the message as typed, escaped, its lines kept: {page}"
    );
    assert!(!page.contains("<form method=\"post\" action=\"/events/"));
    let home = public_page(&app, "/").await;
    assert!(home.contains("Deze bijeenkomst gaat niet door"), "{home}");
    let english = public_page(&app, "/?lang=en").await;
    assert!(english.contains("This meeting will not take place"));

    let api = state_in_api(&app).await;
    assert_eq!(api["registration_state"], "cancelled");
    assert_eq!(api["registration_open"], false);
    assert_eq!(api["call_off_message"], message);
    let list: serde_json::Value =
        serde_json::from_str(&public_page(&app, "/api/v1/events").await).unwrap();
    assert_eq!(list[0]["registration_state"], "cancelled");

    let mail = app.mails_to("anna@utrecht.nl", 2).await.remove(1);
    assert!(mail.text.contains(message), "{}", mail.text);
    assert!(mail.html.contains("volgt &lt;b&gt;snel"), "{}", mail.html);
}

#[rocket::async_test]
async fn a_called_off_meeting_leaves_the_home_page_once_it_is_over() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        status: EventStatus::Cancelled,
        starts_at: Utc::now() - Days::new(2),
        ..Default::default()
    })
    .await;
    let home = public_page(&app, "/").await;
    assert!(!home.contains(SLUG), "{home}");
    assert_eq!(
        app.get(&format!("/events/{SLUG}")).await.status(),
        Status::Ok,
        "its page keeps answering for links in mails"
    );
}

#[rocket::async_test]
async fn a_message_that_cannot_be_mailed_is_shown_again_and_nothing_is_called_off() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let too_long = "x".repeat(2001);
    let response = app
        .post_form(
            &format!("/admin/events/{SLUG}/cancel"),
            &[("csrf", &csrf), ("message", &too_long)],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains(r#"aria-invalid="true""#), "{html}");
    assert!(html.contains(&too_long), "what was typed is kept");
    assert_eq!(state_in_api(&app).await["registration_state"], "open");
}

#[rocket::async_test]
async fn registration_closed_by_hand_can_be_reopened_until_the_start() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let post = |action: &'static str| {
        let csrf = csrf.clone();
        let app = &app;
        async move {
            app.post_form(
                &format!("/admin/events/{SLUG}/{action}"),
                &[("csrf", &csrf)],
            )
            .await
            .status()
        }
    };
    assert_eq!(post("close").await, Status::SeeOther);
    assert_eq!(state_in_api(&app).await["registration_state"], "closed");
    let overview = public_page(&app, "/admin").await;
    assert!(overview.contains(&format!(r#"action="/admin/events/{SLUG}/reopen""#)));

    assert_eq!(post("reopen").await, Status::SeeOther);
    assert_eq!(state_in_api(&app).await["registration_state"], "open");
    let (status, _) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created);
    let done = actions(&app).await;
    assert!(done.contains(&"event.close_registration".to_owned()));
    assert!(done.contains(&"event.reopen_registration".to_owned()));
}

#[rocket::async_test]
async fn a_meeting_that_started_cannot_be_reopened() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        starts_at: Utc::now() - chrono::Duration::minutes(30),
        ..Default::default()
    })
    .await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let response = app
        .post_form(&format!("/admin/events/{SLUG}/reopen"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("nog niet begonnen"), "{html}");
}

fn event_form<'a>(csrf: &'a str, opens: &'a str, closes: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("slug", "partnerdag-2030"),
        ("title_nl", "Partnerdag 2030"),
        ("title_en", "Partner day 2030"),
        ("description_nl", "Bijeenkomst over partnerships."),
        ("description_en", "Meeting about partnerships."),
        ("location", "Utrecht"),
        ("date", "2030-06-14"),
        ("start_time", "13:00"),
        ("end_time", "17:00"),
        ("capacity", "40"),
        ("waitlist", "true"),
        ("reminder_days", "2"),
        ("registration_opens", opens),
        ("registration_closes", closes),
    ]
}

#[rocket::async_test]
async fn the_event_form_sets_the_registration_window() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let wrong = app
        .post_form(
            "/admin/events/new",
            &event_form(&csrf, "2030-05-01T09:00", "2030-06-14T14:00"),
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let html = wrong.into_string().await.unwrap();
    assert!(
        html.contains("Aanmelden moet sluiten voordat de bijeenkomst begint"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="2030-05-01T09:00""#),
        "filled in as typed"
    );

    let response = app
        .post_form(
            "/admin/events/new",
            &event_form(&csrf, "2030-05-01T09:00", "2030-06-13T17:00"),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let edit = public_page(&app, "/admin/events/partnerdag-2030/edit").await;
    assert!(edit.contains(r#"value="2030-05-01T09:00""#), "{edit}");
    assert!(edit.contains(r#"value="2030-06-13T17:00""#));
    app.post_form("/admin/events/partnerdag-2030/publish", &[("csrf", &csrf)])
        .await;

    let api: serde_json::Value =
        serde_json::from_str(&public_page(&app, "/api/v1/events/partnerdag-2030").await).unwrap();
    assert_eq!(api["registration_state"], "not_yet_open");
    assert_eq!(api["registration_opens_at"], "2030-05-01T09:00:00+02:00");
    assert_eq!(api["registration_closes_at"], "2030-06-13T17:00:00+02:00");
    let page = public_page(&app, "/events/partnerdag-2030").await;
    assert!(
        page.contains("Aanmelden kan vanaf woensdag 1 mei 2030, 09:00."),
        "{page}"
    );
    let (status, body) = app.sign_up_api("partnerdag-2030", "anna@utrecht.nl").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (Status::Conflict, Some("closed"))
    );
}

#[rocket::async_test]
async fn a_meeting_is_copied_with_its_settings_as_a_new_draft() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    app.post_form(
        "/admin/events/new",
        &event_form(&csrf, "2030-05-01T09:00", "2030-06-13T17:00"),
    )
    .await;
    let form = public_page(&app, "/admin/events/partnerdag-2030/copy").await;
    assert!(form.contains(r#"action="/admin/events/new""#), "{form}");
    assert!(form.contains(r#"value="partnerdag-2030-kopie""#));
    assert!(form.contains(r#"value="Partnerdag 2030""#));
    assert!(form.contains(r#"value="13:00""#) && form.contains(r#"value="40""#));
    assert!(
        form.contains(r#"name="date" value="""#),
        "a new date must be chosen: {form}"
    );
    assert!(!form.contains("2030-05-01T09:00"), "nor the old period");

    let mut copy = event_form(&csrf, "", "");
    copy[1] = ("slug", "partnerdag-2031");
    copy[7] = ("date", "2031-06-13");
    let response = app.post_form("/admin/events/new", &copy).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        app.get("/events/partnerdag-2031").await.status(),
        Status::NotFound,
        "a draft until published"
    );
    let overview = public_page(&app, "/admin").await;
    assert!(overview.contains(r#"href="/admin/events/partnerdag-2031/copy""#));
}

#[rocket::async_test]
async fn the_meetings_own_paragraph_is_in_its_confirmation_mail_in_the_persons_language() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let mut form = event_form(&csrf, "", "");
    form.push((
        "confirmation_note_nl",
        "Neem uw <legitimatie> mee.\nIngang B.",
    ));
    form.push(("confirmation_note_en", "Bring your ID."));
    let response = app.post_form("/admin/events/new", &form).await;
    assert_eq!(response.status(), Status::SeeOther);
    app.post_form("/admin/events/partnerdag-2030/publish", &[("csrf", &csrf)])
        .await;
    let edit = public_page(&app, "/admin/events/partnerdag-2030/edit").await;
    assert!(edit.contains("Neem uw &lt;legitimatie&gt; mee."), "{edit}");

    app.sign_up_api("partnerdag-2030", "anna@utrecht.nl").await;
    let mut english = crate::helpers::sign_up_body("john@utrecht.nl");
    english["lang"] = "en".into();
    app.post_json("/api/v1/events/partnerdag-2030/registrations", &english)
        .await;
    let dutch = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(
        dutch.text.contains("Neem uw <legitimatie> mee.\nIngang B."),
        "{}",
        dutch.text
    );
    assert!(
        dutch
            .html
            .contains("Neem uw &lt;legitimatie&gt; mee.<br>Ingang B."),
        "{}",
        dutch.html
    );
    let en = app.mails_to("john@utrecht.nl", 1).await.remove(0);
    assert!(en.text.contains("Bring your ID.") && !en.text.contains("legitimatie"));
}

#[rocket::async_test]
async fn the_question_before_a_move_keeps_every_field_of_the_form() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let mut form = event_form(&csrf, "", "2030-06-13T17:00");
    form.push(("confirmation_note_nl", "Ingang B."));
    app.post_form("/admin/events/new", &form).await;
    app.post_form("/admin/events/partnerdag-2030/publish", &[("csrf", &csrf)])
        .await;
    app.sign_up_api("partnerdag-2030", "anna@utrecht.nl").await;
    let mut moved = form.clone();
    moved[6] = ("location", "Amersfoort");
    let response = app
        .post_form("/admin/events/partnerdag-2030/edit", &moved)
        .await;
    assert_eq!(response.status(), Status::Ok, "the question, not a save");
    let html = response.into_string().await.unwrap();
    for (name, value) in [
        ("confirmation_note_nl", "Ingang B."),
        ("registration_closes", "2030-06-13T17:00"),
        ("location", "Amersfoort"),
    ] {
        assert!(
            html.contains(&format!(r#"name="{name}" value="{value}""#)),
            "{name}: {html}"
        );
    }
}
