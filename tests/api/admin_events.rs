use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::audit_log;
use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::helpers::{spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

fn event_form<'a>(csrf: &'a str, slug: &'a str, capacity: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("slug", slug),
        ("title_nl", "Partnerships 2027"),
        ("title_en", "Partnerships 2027"),
        ("description_nl", "Bijeenkomst over partnerships."),
        ("description_en", "Meeting about partnerships."),
        ("location", "Utrecht"),
        ("date", "2030-06-14"),
        ("start_time", "13:00"),
        ("end_time", "17:00"),
        ("capacity", capacity),
        ("waitlist", "true"),
        ("reminder_days", "2"),
    ]
}

async fn organiser(app: &TestApp) -> String {
    app.log_in_as(Role::Organiser).await
}

#[rocket::async_test]
async fn a_new_event_is_a_draft_until_it_is_published() {
    let app = spawn_app().await;
    let csrf = organiser(&app).await;
    let response = app
        .post_form(
            "/admin/events/new",
            &event_form(&csrf, "partnerships-2030", "40"),
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        app.get("/events/partnerships-2030").await.status(),
        Status::NotFound,
        "drafts are not public"
    );

    let response = app
        .post_form(
            "/admin/events/partnerships-2030/publish",
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let page = app
        .get("/events/partnerships-2030")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        page.contains("Partnerships 2027") && page.contains("13:00 – 17:00"),
        "{page}"
    );
    let actions: Vec<String> = audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.contains(&"event.create".to_owned())
            && actions.contains(&"event.publish".to_owned())
    );
}

#[rocket::async_test]
async fn invalid_event_forms_are_shown_again_with_messages() {
    let app = spawn_app().await;
    let csrf = organiser(&app).await;
    let mut form = event_form(&csrf, "Met Spaties", "0");
    form.retain(|(k, _)| *k != "title_nl");
    let response = app.post_form("/admin/events/new", &form).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("kleine letters, cijfers en streepjes"));
    assert!(html.contains("1 tot en met 100.000"));
    assert!(html.contains(r#"id="title_nl-error""#));
}

/// `form` with some of its fields changed.
fn with<'a>(
    mut form: Vec<(&'static str, &'a str)>,
    changes: &[(&str, &'a str)],
) -> Vec<(&'static str, &'a str)> {
    for (key, value) in form.iter_mut() {
        if let Some((_, new)) = changes.iter().find(|(k, _)| k == key) {
            *value = new;
        }
    }
    form
}

#[rocket::async_test]
async fn a_time_skipped_in_amsterdam_is_refused_as_such_and_of_a_doubled_one_the_first_is_taken() {
    let app = spawn_app().await;
    let csrf = organiser(&app).await;
    let base = event_form(&csrf, "zomertijd-2027", "40");

    let spring = with(
        base.clone(),
        &[("date", "2027-03-28"), ("start_time", "02:30")],
    );
    let response = app.post_form("/admin/events/new", &spring).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(
        html.contains("Deze tijd bestaat niet op deze dag"),
        "{html}"
    );
    assert!(!html.contains("UU:MM"), "the format was right: {html}");
    assert!(html.contains(r#"aria-describedby="start_time-error""#));

    let autumn = with(
        base,
        &[
            ("date", "2027-10-31"),
            ("start_time", "02:30"),
            ("end_time", "04:00"),
        ],
    );
    let response = app.post_form("/admin/events/new", &autumn).await;
    assert_eq!(response.status(), Status::SeeOther);
    let edit = response.headers().get_one("Location").unwrap().to_owned();
    let html = app.get(&edit).await.into_string().await.unwrap();
    assert!(html.contains("twee keer voor"), "{html}");
    assert!(html.contains("We nemen de eerste keer"), "{html}");
    assert!(
        html.contains(r#"aria-describedby="start_time-note""#),
        "{html}"
    );
    assert!(!html.contains("end_time-note"), "04:00 comes once: {html}");
    let event = aanmeldpunt::entities::event::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.slug == "zomertijd-2027")
        .unwrap();
    assert_eq!(event.starts_at.to_rfc3339(), "2027-10-31T00:30:00+00:00");
}

#[rocket::async_test]
async fn more_seats_move_the_waiting_list_up_and_fewer_than_confirmed_is_refused() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    app.sign_up_api(SLUG, "c@utrecht.nl").await;
    let csrf = organiser(&app).await;
    let edit = format!("/admin/events/{SLUG}/edit");

    // The form moves the meeting too: everyone is told (`meeting_change`).
    let mut more = event_form(&csrf, SLUG, "2");
    more.push(("notify", "everyone"));
    let response = app.post_form(&edit, &more).await;
    assert_eq!(response.status(), Status::SeeOther);
    let statuses: Vec<_> = app.registrations().await.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Waitlisted
        ]
    );
    assert!(app.mails_to("b@utrecht.nl", 2).await[1]
        .text
        .contains("plaats vrijgekomen"));

    let response = app.post_form(&edit, &event_form(&csrf, SLUG, "1")).await;
    assert_eq!(response.status(), Status::Conflict);
    assert!(response
        .into_string()
        .await
        .unwrap()
        .contains("meer bevestigde deelnemers"));
    let update = audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.action == "event.update")
        .unwrap();
    assert!(update.before.unwrap().contains("\"capacity\":\"1\""));
    assert!(update.after.unwrap().contains("\"capacity\":\"2\""));
}

#[rocket::async_test]
async fn calling_off_an_event_tells_every_attendee_with_a_calendar_cancel() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let csrf = organiser(&app).await;
    // First a page that says what will happen, to how many, and changes nothing.
    let asked = app.get(&format!("/admin/events/{SLUG}/cancel")).await;
    assert_eq!(asked.status(), Status::Ok);
    let html = asked.into_string().await.unwrap();
    assert!(
        html.contains("1 aangemelde deelnemer en 1 persoon op de wachtlijst krijgt een e-mail"),
        "{html}"
    );
    assert!(html.contains(r#"class="button button-danger""#));
    assert!(html.contains(&format!(r#"action="/admin/events/{SLUG}/cancel""#)));
    assert!(app
        .registrations()
        .await
        .iter()
        .all(|r| r.status != RegistrationStatus::Cancelled));
    let overview = app.get("/admin").await.into_string().await.unwrap();
    assert!(
        overview.contains(&format!(r#"<a href="/admin/events/{SLUG}/cancel">"#)),
        "the overview links to the question, it does not post"
    );
    let response = app
        .post_form(&format!("/admin/events/{SLUG}/cancel"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(app
        .registrations()
        .await
        .iter()
        .all(|r| r.status == RegistrationStatus::Cancelled));
    let confirmed = &app.mails_to("a@utrecht.nl", 2).await[1];
    assert!(confirmed.text.contains("niet door"), "{}", confirmed.text);
    assert!(confirmed.ics.as_ref().unwrap().contains("METHOD:CANCEL"));
    let waiting = &app.mails_to("b@utrecht.nl", 2).await[1];
    assert!(waiting.text.contains("niet door") && waiting.ics.is_none());
    let (status, body) = app.sign_up_api(SLUG, "c@utrecht.nl").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (Status::Conflict, Some("closed"))
    );
}

#[rocket::async_test]
async fn closing_registration_refuses_new_sign_ups_but_keeps_the_event() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let csrf = organiser(&app).await;
    app.post_form(&format!("/admin/events/{SLUG}/close"), &[("csrf", &csrf)])
        .await;
    let (status, _) = app.sign_up_api(SLUG, "a@utrecht.nl").await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(
        app.get(&format!("/events/{SLUG}")).await.status(),
        Status::Ok
    );
}

#[rocket::async_test]
async fn programme_staff_cannot_manage_events() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Programme).await;
    let response = app
        .post_form(
            "/admin/events/new",
            &event_form(&csrf, "partnerships-2030", "40"),
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn reminders_go_once_to_confirmed_attendees_with_the_invite() {
    use aanmeldpunt::services::{reminders, Services};
    use chrono::{Duration, Utc};
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        starts_at: Utc::now() + Duration::days(5),
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let services = app.client.rocket().state::<Services>().unwrap();

    assert_eq!(
        reminders::send_due(services, Utc::now()).await.unwrap(),
        0,
        "five days ahead: too early"
    );
    let in_four_days = Utc::now() + Duration::days(4);
    assert_eq!(
        reminders::send_due(services, in_four_days).await.unwrap(),
        1
    );
    assert_eq!(
        reminders::send_due(services, in_four_days).await.unwrap(),
        0,
        "sent once"
    );

    let reminder = &app.mails_to("a@utrecht.nl", 2).await[1];
    assert!(reminder.subject.starts_with("Herinnering"));
    assert!(reminder.ics.as_ref().unwrap().contains("METHOD:REQUEST"));
    assert_eq!(
        app.mails_to("b@utrecht.nl", 1).await.len(),
        1,
        "no reminder for the waiting list"
    );
}

#[rocket::async_test]
async fn organisers_add_people_by_hand_even_after_registration_closed() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        registration_closes_at: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        ..Default::default()
    })
    .await;
    let csrf = organiser(&app).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Karel Inloop"),
        ("email", "karel@denhaag.nl"),
        ("organisation", "Gemeente Den Haag"),
        ("sector", "GEM"),
    ];
    let response = app
        .post_form(&format!("/admin/events/{SLUG}/attendees"), &fields)
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let regs = app.registrations().await;
    assert_eq!(
        (regs[0].email.as_str(), regs[0].status),
        ("karel@denhaag.nl", RegistrationStatus::Confirmed)
    );
    assert!(app.mails_to("karel@denhaag.nl", 1).await[0].ics.is_some());
    let audit = audit_log::Entity::find().all(&app.db).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "registration.add"));
}

#[rocket::async_test]
async fn organisers_move_people_between_the_lists() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    app.sign_up_api(SLUG, "c@utrecht.nl").await;
    let csrf = organiser(&app).await;
    let ids: Vec<_> = app.registrations().await.iter().map(|r| r.id).collect();

    let no_seat = app
        .post_form(
            &format!("/admin/registrations/{}/move", ids[2]),
            &[("csrf", &csrf), ("to", "confirmed")],
        )
        .await;
    assert_eq!(no_seat.status(), Status::Conflict);

    let response = app
        .post_form(
            &format!("/admin/registrations/{}/move", ids[0]),
            &[("csrf", &csrf), ("to", "waitlisted")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let by_id = |regs: &[aanmeldpunt::entities::registration::Model], id| {
        regs.iter().find(|r| r.id == id).unwrap().status
    };
    let regs = app.registrations().await;
    assert_eq!(by_id(&regs, ids[0]), RegistrationStatus::Waitlisted);
    assert_eq!(
        by_id(&regs, ids[1]),
        RegistrationStatus::Confirmed,
        "the first in line gets the seat"
    );
    assert_eq!(by_id(&regs, ids[2]), RegistrationStatus::Waitlisted);
    let moved = &app.mails_to("a@utrecht.nl", 2).await[1];
    assert!(
        moved.ics.as_ref().unwrap().contains("METHOD:CANCEL"),
        "the invite is withdrawn"
    );
}

#[rocket::async_test]
async fn the_moved_persons_mail_gives_the_place_after_the_first_in_line_moved_up() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 2,
        ..Default::default()
    })
    .await;
    for who in ["a", "b", "c", "d", "e"] {
        app.sign_up_api(SLUG, &format!("{who}@utrecht.nl")).await;
    }
    let csrf = organiser(&app).await;
    let a = app.registrations().await[0].id;

    // Full, three waiting: a goes to the back, c takes a's seat.
    let response = app
        .post_form(
            &format!("/admin/registrations/{a}/move"),
            &[("csrf", &csrf), ("to", "waitlisted")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let waiting: Vec<String> = app
        .registrations()
        .await
        .into_iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
        .map(|r| r.email)
        .collect();
    assert_eq!(waiting, ["d@utrecht.nl", "e@utrecht.nl", "a@utrecht.nl"]);

    let moved = app.mails_to("a@utrecht.nl", 2).await.remove(1);
    assert!(moved.text.contains("op plaats 3."), "{}", moved.text);
    assert!(moved.html.contains("op plaats 3."), "{}", moved.html);
    let manage = app
        .get(&crate::helpers::manage_path(&moved))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        manage.contains("<dd>3</dd>"),
        "the manage page agrees: {manage}"
    );
    let promoted = app.mails_to("c@utrecht.nl", 2).await.remove(1);
    assert!(promoted.ics.is_some(), "c has the seat and its invite");
}
