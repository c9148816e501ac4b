//! Moving a meeting (another date, time or place) tells everybody: the
//! confirmed get an updated invite for the entry in their calendar, the
//! waiting list a notice; the organiser first sees how many will be mailed
//! and may save a typo fix without telling anyone.
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::registration::RegistrationStatus;
use aanmeldpunt::entities::{audit_log, event};
use aanmeldpunt::services::{event_admin, reminders, Services};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component};
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::helpers::{manage_path, sign_up_body, spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

/// The edit form as the organiser finds it, with `changes` typed over it.
async fn edit_form(app: &TestApp, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let services = app.client.rocket().state::<Services>().unwrap();
    let input = event_admin::edit_input(services, SLUG).await.unwrap();
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf.to_owned()),
        ("slug", input.slug),
        ("title_nl", input.title_nl),
        ("title_en", input.title_en),
        ("description_nl", input.description_nl),
        ("description_en", input.description_en),
        ("location", input.location),
        ("date", input.date),
        ("start_time", input.start_time),
        ("end_time", input.end_time),
        ("capacity", input.capacity),
        ("reminder_days", input.reminder_days),
        ("waitlist", input.waitlist.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (key, value) in changes {
        match form.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => form.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    form
}

async fn post_edit(app: &TestApp, form: &[(String, String)]) -> (Status, String) {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app
        .post_form(&format!("/admin/events/{SLUG}/edit"), &fields)
        .await;
    (
        response.status(),
        response.into_string().await.unwrap_or_default(),
    )
}

/// A meeting `days` from now at noon UTC: its hours in Amsterdam stay on
/// one day whatever time the test runs.
fn noon_in(days: i64) -> DateTime<Utc> {
    (Utc::now() + Duration::days(days))
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
}

async fn the_event(app: &TestApp) -> event::Model {
    event::Entity::find().one(&app.db).await.unwrap().unwrap()
}

async fn sign_up_en(app: &TestApp, email: &str) {
    let mut body = sign_up_body(email);
    body["lang"] = "en".into();
    let (status, _) = app
        .post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    assert_eq!(status, Status::Created);
}

fn calendar(ics: &str) -> Calendar {
    ics.parse().expect("valid iCalendar")
}

fn vevent_value(calendar: &Calendar, name: &str) -> String {
    calendar
        .events()
        .next()
        .expect("one VEVENT")
        .property_value(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_owned()
}

fn ics_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

async fn edit_audits(app: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "event.update")
        .map(|a| a.after.unwrap_or_default())
        .collect()
}

/// Two confirmed (one English), one waiting, one cancelled.
async fn a_full_meeting(app: &TestApp) {
    app.create_event(EventSpec {
        capacity: 2,
        starts_at: noon_in(20),
        ..Default::default()
    })
    .await;
    sign_up_en(app, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "carl@utrecht.nl").await;
    let carl = manage_path(&app.mails_to("carl@utrecht.nl", 1).await[0]);
    app.submit_form(&format!("{carl}/cancel"), &[]).await;
    app.sign_up_api(SLUG, "daan@utrecht.nl").await;
    app.sign_up_api(SLUG, "bea@utrecht.nl").await;
    app.send_pending_mail().await;
}

#[rocket::async_test]
async fn a_new_time_asks_first_then_mails_an_updated_invite_and_tells_the_waiting_list() {
    let app = spawn_app().await;
    a_full_meeting(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let before = the_event(&app).await;
    let old = edit_form(&app, &csrf, &[]).await;
    let old_time = |k: &str| old.iter().find(|(key, _)| key == k).unwrap().1.clone();
    let (old_start, old_end) = (old_time("start_time"), old_time("end_time"));
    let invite = calendar(
        app.mails_to("anna@utrecht.nl", 1).await[0]
            .ics
            .as_deref()
            .unwrap(),
    );
    let outbox_before = app.outbox().await.len();

    // First the question: who will be mailed; nothing is saved yet.
    let moved = edit_form(
        &app,
        &csrf,
        &[("start_time", "10:00"), ("end_time", "12:30")],
    )
    .await;
    let (status, html) = post_edit(&app, &moved).await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains(
            "2 aangemelde deelnemers krijgen een bijgewerkte agenda-uitnodiging en 1 persoon op de wachtlijst een bericht"
        ),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "Gewijzigd: tijd {old_start} – {old_end} → 10:00 – 12:30"
        )),
        "{html}"
    );
    assert!(html.contains(r#"name="notify" value="everyone""#), "{html}");
    assert!(html.contains(r#"name="notify" value="nobody""#), "{html}");
    assert!(html.contains(r#"type="hidden" name="start_time" value="10:00""#));
    assert_eq!(the_event(&app).await.starts_at, before.starts_at);
    assert_eq!(app.outbox().await.len(), outbox_before);

    let mut told = moved.clone();
    told.push(("notify".into(), "everyone".into()));
    let (status, _) = post_edit(&app, &told).await;
    assert_eq!(status, Status::SeeOther);
    let after = the_event(&app).await;
    assert_ne!(after.starts_at, before.starts_at);

    let anna = &app.mails_to("anna@utrecht.nl", 2).await[1];
    assert!(anna.subject.starts_with("Changed:"), "{}", anna.subject);
    assert!(
        anna.text.contains(&format!(
            "Changed: time {old_start} – {old_end} → 10:00 – 12:30"
        )),
        "{}",
        anna.text
    );
    let update = calendar(anna.ics.as_deref().expect("an updated invite"));
    assert_eq!(update.property_value("METHOD"), Some("REQUEST"));
    assert_eq!(vevent_value(&update, "UID"), vevent_value(&invite, "UID"));
    let sequence = |c: &Calendar| vevent_value(c, "SEQUENCE").parse::<i32>().unwrap();
    assert_eq!(sequence(&update), sequence(&invite) + 1);
    assert_eq!(vevent_value(&update, "DTSTART"), ics_time(after.starts_at));
    assert_eq!(vevent_value(&update, "DTEND"), ics_time(after.ends_at));

    let daan = &app.mails_to("daan@utrecht.nl", 2).await[1];
    assert!(daan.subject.starts_with("Gewijzigd:"), "{}", daan.subject);
    assert!(daan.text.contains("Gewijzigd: tijd"), "{}", daan.text);
    assert!(daan.ics.is_some());
    let bea = &app.mails_to("bea@utrecht.nl", 2).await[1];
    assert!(bea.text.contains("Gewijzigd: tijd"), "{}", bea.text);
    assert!(bea.text.contains("wachtlijst"), "{}", bea.text);
    assert!(bea.ics.is_none(), "the waiting list has no entry to update");
    assert_eq!(
        app.mails_to("carl@utrecht.nl", 2).await.len(),
        2,
        "cancelled: nothing"
    );

    let sequences: Vec<_> = app
        .registrations()
        .await
        .iter()
        .map(|r| (r.email.clone(), r.ics_sequence))
        .collect();
    assert!(
        sequences.contains(&("bea@utrecht.nl".into(), 0)),
        "{sequences:?}"
    );
    assert!(
        sequences.contains(&("daan@utrecht.nl".into(), 1)),
        "{sequences:?}"
    );
    let audits = edit_audits(&app).await;
    assert_eq!(audits.len(), 1, "the question saved nothing");
    assert!(audits[0].contains(r#""notified":true"#), "{}", audits[0]);
    assert!(
        audits[0].contains(r#""start_time":"10:00""#),
        "{}",
        audits[0]
    );
}

#[rocket::async_test]
async fn saving_without_notifying_mails_nobody_and_keeps_the_calendar_sequence() {
    let app = spawn_app().await;
    a_full_meeting(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let outbox_before = app.outbox().await.len();
    let typo = edit_form(
        &app,
        &csrf,
        &[("location", "Den Haag, Stadhuis"), ("notify", "nobody")],
    )
    .await;
    let (status, _) = post_edit(&app, &typo).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(the_event(&app).await.location, "Den Haag, Stadhuis");
    assert_eq!(app.outbox().await.len(), outbox_before);
    assert!(app.registrations().await.iter().all(|r| r.ics_sequence
        == if r.status == RegistrationStatus::Cancelled {
            1
        } else {
            0
        }));
    let audits = edit_audits(&app).await;
    assert!(audits[0].contains(r#""notified":false"#), "{}", audits[0]);
}

#[rocket::async_test]
async fn a_new_place_is_named_and_a_new_title_or_a_meeting_without_people_saves_at_once() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        starts_at: noon_in(20),
        ..Default::default()
    })
    .await;
    let csrf = app.log_in_as(Role::Organiser).await;
    // Nobody to tell: saved at once.
    let form = edit_form(
        &app,
        &csrf,
        &[("start_time", "09:00"), ("end_time", "12:00")],
    )
    .await;
    assert_eq!(post_edit(&app, &form).await.0, Status::SeeOther);
    sign_up_en(&app, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "daan@utrecht.nl").await;
    app.send_pending_mail().await;
    let mailed = app.outbox().await.len();

    // A title moves nobody's calendar.
    let renamed = edit_form(
        &app,
        &csrf,
        &[("title_nl", "Partnerdag"), ("title_en", "Partner day")],
    )
    .await;
    assert_eq!(post_edit(&app, &renamed).await.0, Status::SeeOther);
    assert_eq!(app.outbox().await.len(), mailed);

    let form = edit_form(
        &app,
        &csrf,
        &[("location", "Utrecht"), ("notify", "everyone")],
    )
    .await;
    assert_eq!(post_edit(&app, &form).await.0, Status::SeeOther);
    let anna = &app.mails_to("anna@utrecht.nl", 2).await[1];
    assert!(
        anna.text.contains("Changed: place Den Haag → Utrecht"),
        "{}",
        anna.text
    );
    assert!(!anna.text.contains("Changed: time"), "{}", anna.text);
    let update = calendar(anna.ics.as_deref().unwrap());
    assert_eq!(vevent_value(&update, "LOCATION"), "Utrecht");
    let daan = &app.mails_to("daan@utrecht.nl", 2).await[1];
    assert!(
        daan.text.contains("Gewijzigd: plaats Den Haag → Utrecht"),
        "{}",
        daan.text
    );
}

#[rocket::async_test]
async fn a_moved_start_arms_the_reminder_again_unless_the_change_mail_is_the_reminder() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        starts_at: noon_in(3),
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let services = app.client.rocket().state::<Services>().unwrap();
    assert_eq!(
        reminders::send_due(services, Utc::now() + Duration::days(2))
            .await
            .unwrap(),
        1
    );
    let csrf = app.log_in_as(Role::Organiser).await;

    let later = (Utc::now() + Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let form = edit_form(&app, &csrf, &[("date", &later), ("notify", "everyone")]).await;
    assert_eq!(post_edit(&app, &form).await.0, Status::SeeOther);
    assert_eq!(the_event(&app).await.reminder_sent_at, None, "armed again");
    assert_eq!(
        reminders::send_due(services, Utc::now()).await.unwrap(),
        0,
        "not yet"
    );
    let start = the_event(&app).await.starts_at;
    assert_eq!(
        reminders::send_due(services, start - Duration::days(1))
            .await
            .unwrap(),
        1,
        "before the new start"
    );

    // Moved to tomorrow, inside the reminder's days: the change mail,
    // with the invite, is the reminder; no second mail minutes later.
    let tomorrow = (Utc::now() + Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let form = edit_form(&app, &csrf, &[("date", &tomorrow), ("notify", "everyone")]).await;
    assert_eq!(post_edit(&app, &form).await.0, Status::SeeOther);
    assert!(the_event(&app).await.reminder_sent_at.is_some());
    assert_eq!(reminders::send_due(services, Utc::now()).await.unwrap(), 0);
    let mails = app.mails_to("anna@utrecht.nl", 5).await;
    assert_eq!(
        mails.len(),
        5,
        "confirmed, reminder, moved, reminder, moved"
    );
}

#[rocket::async_test]
async fn more_seats_in_the_same_edit_move_people_up_once_and_fewer_are_still_refused() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        starts_at: noon_in(20),
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "bea@utrecht.nl").await;
    app.send_pending_mail().await;
    let csrf = app.log_in_as(Role::Organiser).await;

    // Bea moves up by this edit: her mail says so, with the new time.
    let form = edit_form(&app, &csrf, &[("capacity", "2"), ("start_time", "10:00")]).await;
    let (status, html) = post_edit(&app, &form).await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("1 aangemelde deelnemer krijgt een bijgewerkte agenda-uitnodiging en 0 mensen op de wachtlijst een bericht"),
        "{html}"
    );
    let mut told = form.clone();
    told.push(("notify".into(), "everyone".into()));
    assert_eq!(post_edit(&app, &told).await.0, Status::SeeOther);
    let bea = app.mails_to("bea@utrecht.nl", 2).await;
    assert_eq!(bea.len(), 2, "one mail for the move up, none for the move");
    assert!(
        bea[1].text.contains("plaats vrijgekomen"),
        "{}",
        bea[1].text
    );
    let start = ics_time(the_event(&app).await.starts_at);
    assert_eq!(
        vevent_value(&calendar(bea[1].ics.as_deref().unwrap()), "DTSTART"),
        start
    );
    assert!(app.mails_to("anna@utrecht.nl", 2).await[1]
        .text
        .contains("Gewijzigd: tijd"));

    let fewer = edit_form(
        &app,
        &csrf,
        &[
            ("capacity", "1"),
            ("start_time", "11:00"),
            ("notify", "everyone"),
        ],
    )
    .await;
    assert_eq!(post_edit(&app, &fewer).await.0, Status::Conflict);
}
