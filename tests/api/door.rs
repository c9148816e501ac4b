//! The door: back to the person's row with the search kept, undo, name
//! order with a count, check-in only on the meeting's day (unless the
//! organiser overrides), check-ins cleared by leaving the confirmed list,
//! and the log-in that returns to a scanned attendee.
use aanmeldpunt::domain::{Role, TokenPurpose};
use aanmeldpunt::entities::{audit_log, event};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use uuid::Uuid;

use crate::helpers::{spawn_app, EventSpec, TestApp, STAFF_PASSWORD};

const SLUG: &str = "partnerships-voor-meer-banen";

/// Sign-ups close when a meeting starts, so people sign up for one weeks
/// ahead and then the meeting is moved to now: today, in any time zone.
pub async fn meeting_now(app: &TestApp) {
    let meeting = event::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut today: event::ActiveModel = meeting.into();
    today.starts_at = Set(Utc::now() - Duration::minutes(1));
    today.ends_at = Set(Utc::now() + Duration::hours(4));
    today.update(&app.db).await.unwrap();
}

async fn sign_up_as(app: &TestApp, name: &str, email: &str) -> Uuid {
    let body = serde_json::json!({
        "name": name,
        "email": email,
        "organisation": "Gemeente Utrecht",
        "sector": "GEM",
    });
    let (status, created) = app
        .post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    assert_eq!(status, Status::Created, "{created}");
    app.registrations()
        .await
        .into_iter()
        .find(|r| r.email == email)
        .unwrap()
        .id
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    response.into_string().await.unwrap()
}

/// The audit log's entries about sign-ups (log-ins leave theirs too).
async fn actions(app: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .filter(|action| action.starts_with("registration."))
        .collect()
}

async fn checked_in(app: &TestApp, id: Uuid) -> bool {
    app.registrations()
        .await
        .into_iter()
        .any(|r| r.id == id && r.checked_in_at.is_some())
}

#[rocket::async_test]
async fn checking_in_returns_to_the_persons_row_with_the_search_and_an_undo() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    sign_up_as(&app, "Bram Jansen", "bram@utrecht.nl").await;
    meeting_now(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;

    let response = app
        .post_form(
            &format!("/admin/registrations/{anna}/checkin"),
            &[("csrf", &csrf), ("q", "de vries")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/admin/events/{SLUG}/checkin?q=de%20vries&checked_in={anna}#attendee-{anna}")
    );
    assert!(checked_in(&app, anna).await);

    let door = page(&app, location.split('#').next().unwrap()).await;
    assert!(door.contains(r#"value="de vries""#), "the search is kept");
    assert!(door.contains(&format!(r#"id="attendee-{anna}""#)));
    assert!(door.contains("Anna de Vries is binnen."), "{door}");
    assert!(door.contains(&format!("/admin/registrations/{anna}/checkin/undo")));
    assert!(door.contains("1 van 2 binnen"), "counted over the meeting");
    assert!(!door.contains("Bram Jansen"), "the search still filters");
}

#[rocket::async_test]
async fn undo_takes_the_check_in_back_through_a_csrf_form_and_is_audited() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    meeting_now(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    app.post_form(
        &format!("/admin/registrations/{anna}/checkin"),
        &[("csrf", &csrf)],
    )
    .await;
    assert!(checked_in(&app, anna).await);

    let undo = format!("/admin/registrations/{anna}/checkin/undo");
    let forged = app.post_form(&undo, &[("csrf", "forged")]).await;
    assert_eq!(forged.status(), Status::Forbidden);
    assert!(
        checked_in(&app, anna).await,
        "a forged form changes nothing"
    );

    let response = app
        .post_form(&undo, &[("csrf", &csrf), ("q", "Anna")])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/admin/events/{SLUG}/checkin?q=Anna&undone={anna}#attendee-{anna}")
    );
    assert!(!checked_in(&app, anna).await);
    let log = actions(&app).await;
    assert!(
        log.contains(&"registration.check_in_undo".to_owned()),
        "{log:?}"
    );

    let door = page(&app, location.split('#').next().unwrap()).await;
    assert!(door.contains("Inchecken van Anna de Vries is ongedaan gemaakt."));
    assert!(door.contains("0 van 1 binnen"));
    assert!(door.contains(&format!("/admin/registrations/{anna}/checkin\"")));

    // Undoing again, or a reload of the old notice, changes and says nothing.
    let again = app.post_form(&undo, &[("csrf", &csrf)]).await;
    assert_eq!(again.status(), Status::SeeOther);
    let undos = actions(&app).await;
    assert_eq!(
        undos
            .iter()
            .filter(|a| *a == "registration.check_in_undo")
            .count(),
        1
    );
    let stale = page(
        &app,
        &format!("/admin/events/{SLUG}/checkin?checked_in={anna}"),
    )
    .await;
    assert!(
        !stale.contains("is binnen."),
        "no notice that is no longer true"
    );
}

#[rocket::async_test]
async fn the_door_list_goes_by_name_whatever_the_case_or_accents_and_counts_who_is_in() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    sign_up_as(&app, "Zoë Bakker", "zoe@utrecht.nl").await;
    let emile = sign_up_as(&app, "émile Dubois", "emile@utrecht.nl").await;
    sign_up_as(&app, "bram Jansen", "bram@utrecht.nl").await;
    sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    meeting_now(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    app.post_form(
        &format!("/admin/registrations/{emile}/checkin"),
        &[("csrf", &csrf)],
    )
    .await;

    let door = page(&app, &format!("/admin/events/{SLUG}/checkin")).await;
    let at = |name: &str| door.find(&format!("<td>{name}</td>")).unwrap();
    assert!(
        at("Anna de Vries") < at("bram Jansen")
            && at("bram Jansen") < at("émile Dubois")
            && at("émile Dubois") < at("Zoë Bakker"),
        "by name, not by sign-up or byte order"
    );
    assert!(door.contains("1 van 4 binnen"), "{door}");
    let english = page(&app, &format!("/admin/events/{SLUG}/checkin?lang=en")).await;
    assert!(english.contains("1 of 4 checked in"));
}

#[rocket::async_test]
async fn check_in_outside_the_meetings_day_is_refused_unless_the_organiser_overrides() {
    let app = spawn_app().await;
    // EventSpec's meeting is twenty days ahead.
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let door = page(&app, &format!("/admin/events/{SLUG}/checkin")).await;
    assert!(door.contains("Inchecken kan alleen op die dag."), "{door}");

    let check_in = format!("/admin/registrations/{anna}/checkin");
    let refused = app
        .post_form(&check_in, &[("csrf", &csrf), ("q", "Anna")])
        .await;
    assert_eq!(refused.status(), Status::Conflict);
    let html = refused.into_string().await.unwrap();
    assert!(
        html.contains(
            "Anna de Vries is niet ingecheckt: inchecken kan alleen op de dag van de bijeenkomst"
        ),
        "{html}"
    );
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains(r#"name="outside_meeting_day" value="true""#));
    assert!(html.contains(r#"value="Anna""#), "the search is kept");
    assert!(!checked_in(&app, anna).await);
    assert!(
        actions(&app).await.is_empty(),
        "nothing happened, nothing logged"
    );

    let anyway = app
        .post_form(
            &check_in,
            &[("csrf", &csrf), ("outside_meeting_day", "true")],
        )
        .await;
    assert_eq!(anyway.status(), Status::SeeOther);
    assert!(checked_in(&app, anna).await);
    assert_eq!(actions(&app).await, ["registration.check_in_override"]);
}

#[rocket::async_test]
async fn a_meeting_that_was_yesterday_admits_nobody_without_the_override() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    let meeting = event::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut yesterday: event::ActiveModel = meeting.into();
    yesterday.starts_at = Set(Utc::now() - Duration::hours(30));
    yesterday.ends_at = Set(Utc::now() - Duration::hours(26));
    yesterday.update(&app.db).await.unwrap();
    let csrf = app.log_in_as(Role::Organiser).await;
    let refused = app
        .post_form(
            &format!("/admin/registrations/{anna}/checkin"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status(), Status::Conflict);
    assert!(!checked_in(&app, anna).await);
}

#[rocket::async_test]
async fn leaving_the_confirmed_list_clears_the_check_in() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let check_in = || async {
        app.post_form(
            &format!("/admin/registrations/{anna}/checkin"),
            &[("csrf", &csrf), ("outside_meeting_day", "true")],
        )
        .await
        .status()
    };

    assert_eq!(check_in().await, Status::SeeOther);
    assert!(checked_in(&app, anna).await);
    let moved = app
        .post_form(
            &format!("/admin/registrations/{anna}/move"),
            &[("csrf", &csrf), ("to", "waitlisted")],
        )
        .await;
    assert_eq!(moved.status(), Status::SeeOther);
    assert!(!checked_in(&app, anna).await, "moved to the waiting list");
    app.post_form(
        &format!("/admin/registrations/{anna}/move"),
        &[("csrf", &csrf), ("to", "confirmed")],
    )
    .await;
    assert!(
        !checked_in(&app, anna).await,
        "back on the list, not yet in"
    );

    assert_eq!(check_in().await, Status::SeeOther);
    assert!(checked_in(&app, anna).await);
    let cancelled = app
        .post_form(
            &format!("/admin/registrations/{anna}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(cancelled.status(), Status::SeeOther);
    assert!(!checked_in(&app, anna).await, "cancelled");
    let door = page(&app, &format!("/admin/events/{SLUG}/checkin")).await;
    assert!(door.contains("0 van 0 binnen"));
}

#[rocket::async_test]
async fn after_scanning_a_qr_code_the_log_in_returns_to_that_attendee() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let anna = sign_up_as(&app, "Anna de Vries", "anna@utrecht.nl").await;
    let token = app.issue_token(TokenPurpose::CheckIn, anna).await;
    let scanned = format!("/admin/checkin/{token}");

    let to_login = app.get(&scanned).await;
    assert_eq!(to_login.status(), Status::SeeOther);
    let login = to_login.headers().get_one("Location").unwrap().to_owned();
    assert_eq!(login, format!("/admin/login?next={scanned}"));

    app.create_staff("organiser@dnz.nl", Role::Organiser).await;
    let form = page(&app, &login).await;
    assert!(
        form.contains(&format!(
            r#"name="next" value="&#x2F;admin&#x2F;checkin&#x2F;{token}""#
        )) || form.contains(&format!(r#"name="next" value="{scanned}""#)),
        "{form}"
    );
    let csrf = app.csrf_token().await;
    let logged_in = app
        .post_form(
            "/admin/login",
            &[
                ("email", "organiser@dnz.nl"),
                ("password", STAFF_PASSWORD),
                ("csrf", &csrf),
                ("next", &scanned),
            ],
        )
        .await;
    assert_eq!(logged_in.status(), Status::SeeOther);
    assert_eq!(
        logged_in.headers().get_one("Location"),
        Some(scanned.as_str())
    );
    assert!(page(&app, &scanned).await.contains("Anna de Vries"));
}

#[rocket::async_test]
async fn the_log_in_returns_only_to_pages_of_this_back_office() {
    let app = spawn_app().await;
    app.create_staff("organiser@dnz.nl", Role::Organiser).await;
    for elsewhere in [
        "https://evil.example/admin",
        "//evil.example/admin",
        "/\\evil.example",
        "/events/partnerships-voor-meer-banen",
        "javascript:alert(1)",
    ] {
        let form = page(
            &app,
            &format!("/admin/login?next={}", crate::helpers::urlencode(elsewhere)),
        )
        .await;
        assert!(!form.contains(r#"name="next""#), "{elsewhere}: {form}");
        let csrf = app.csrf_token().await;
        let response = app
            .post_form(
                "/admin/login",
                &[
                    ("email", "organiser@dnz.nl"),
                    ("password", STAFF_PASSWORD),
                    ("csrf", &csrf),
                    ("next", elsewhere),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther, "{elsewhere}");
        assert_eq!(
            response.headers().get_one("Location"),
            Some("/admin"),
            "{elsewhere}"
        );
    }
}
