//! A person changes their own sign-up through the manage link (issue 19
//! item 4): name, organisation, sector, function and remarks, never the
//! address; the organiser sees it on the attendee list and in the audit
//! log, which names the fields and not what they now hold.
use aanmeldpunt::domain::{Eligibility, Role};
use aanmeldpunt::entities::{audit_log, event};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use crate::helpers::{manage_path, spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

/// Anna's manage link, after she signed up for a meeting of `spec`.
async fn signed_up(spec: EventSpec) -> (TestApp, String) {
    let app = spawn_app().await;
    app.create_event(spec).await;
    let (status, _) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created);
    let path = manage_path(&app.mails_to("anna@utrecht.nl", 1).await[0]);
    (app, path)
}

fn details<'a>(name: &'a str, sector: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("organisation", "Gemeente Utrecht, team Inkoop"),
        ("sector", sector),
        ("job_title", "Inkoper"),
        ("remarks", "Ik eet vegetarisch"),
    ]
}

#[rocket::async_test]
async fn a_person_changes_their_details_and_the_organiser_sees_it() {
    let (app, path) = signed_up(EventSpec::default()).await;
    let page = app.get(&path).await.into_string().await.unwrap();
    assert!(page.contains(&format!(r#"action="{path}/details?lang=nl""#)));
    assert!(
        page.contains(r#"value="Anna de Vries""#),
        "the form holds what is stored"
    );

    let mut fields = details("Anna de Vries-Jansen", "GEM");
    // An address sent along is not taken: that would be a new sign-up.
    fields.push(("email", "someone@else.nl"));
    let saved = app
        .submit_form(&format!("{path}/details?lang=nl"), &fields)
        .await;
    assert_eq!(saved.status(), Status::SeeOther);
    let back = saved.headers().get_one("Location").unwrap().to_owned();
    assert!(back.ends_with("saved=true"), "{back}");
    let page = app.get(&back).await.into_string().await.unwrap();
    assert!(page.contains("Uw wijzigingen zijn opgeslagen."));
    assert!(page.contains("Anna de Vries-Jansen"));

    let row = &app.registrations().await[0];
    assert_eq!(row.name, "Anna de Vries-Jansen");
    assert_eq!(row.email, "anna@utrecht.nl");
    assert_eq!(row.organisation, "Gemeente Utrecht, team Inkoop");
    assert_eq!(row.job_title.as_deref(), Some("Inkoper"));
    assert_eq!(row.remarks.as_deref(), Some("Ik eet vegetarisch"));
    assert!(row.changed_by_attendee_at.is_some());

    app.log_in_as(Role::Organiser).await;
    let list = format!("/admin/events/{SLUG}/attendees?q=jansen");
    let html = app.get(&list).await.into_string().await.unwrap();
    assert!(
        html.contains("Anna de Vries-Jansen"),
        "found by the new name"
    );
    assert!(html.contains("Zelf gewijzigd op"), "{html}");

    let audit = audit_log::Entity::find().all(&app.db).await.unwrap();
    let change = audit
        .iter()
        .find(|row| row.action == "registration.details")
        .expect("the change is in the audit log");
    assert_eq!(change.subject, format!("registration {}", row.id));
    let recorded = format!("{change:?}");
    for field in ["name", "organisation", "job_title", "remarks"] {
        assert!(recorded.contains(&format!("\\\"{field}\\\"")), "{recorded}");
    }
    assert!(!recorded.contains("sector"), "the sector did not change");
    assert!(!recorded.contains("Jansen") && !recorded.contains("vegetarisch"));

    // Saving again without a change records nothing more.
    app.submit_form(
        &format!("{path}/details?lang=nl"),
        &details("Anna de Vries-Jansen", "GEM"),
    )
    .await;
    let changes = audit_log::Entity::find().all(&app.db).await.unwrap();
    let count = changes
        .iter()
        .filter(|r| r.action == "registration.details")
        .count();
    assert_eq!(count, 1);
}

#[rocket::async_test]
async fn a_refused_change_says_why_on_its_field_and_changes_nothing() {
    let (app, path) = signed_up(EventSpec::default()).await;
    let mut fields = details("", "NOPE");
    fields[4] = ("remarks", "kept as typed");
    let refused = app
        .submit_form(&format!("{path}/details?lang=nl"), &fields)
        .await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let html = refused.into_string().await.unwrap();
    assert!(html.contains(r#"id="name-error""#), "{html}");
    assert!(html.contains(r#"id="sector-error""#));
    assert!(
        html.contains("kept as typed"),
        "what was typed stays in the form"
    );
    let row = &app.registrations().await[0];
    assert_eq!(row.name, "Anna de Vries");
    assert!(row.changed_by_attendee_at.is_none());

    let csrf_missing = app
        .post_form(&format!("{path}/details"), &details("Eve", "GEM"))
        .await;
    assert_eq!(csrf_missing.status(), Status::Forbidden);
    let unknown = "/manage/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/details";
    assert_eq!(
        app.submit_form(unknown, &details("Eve", "GEM"))
            .await
            .status(),
        Status::NotFound
    );
    assert_eq!(app.registrations().await[0].name, "Anna de Vries");
}

#[rocket::async_test]
async fn a_public_sector_meeting_keeps_its_market_companies_out_after_sign_up_too() {
    let (app, path) = signed_up(EventSpec {
        eligibility: Eligibility::PublicSector,
        ..Default::default()
    })
    .await;
    let mut fields = details("Anna de Vries", "OVERIG");
    fields[1] = ("organisation", "Schoonmaakbedrijf Glans BV");
    let refused = app
        .submit_form(&format!("{path}/details?lang=nl"), &fields)
        .await;
    assert_eq!(refused.status(), Status::Forbidden);
    let html = refused.into_string().await.unwrap();
    assert!(html.contains("Overheid en Onderwijs"), "{html}");
    let row = &app.registrations().await[0];
    assert_eq!(row.organisation, "Gemeente Utrecht");
    assert_eq!(row.sector.code(), "GEM");

    // A change that keeps the organisation needs no register check.
    let renamed = app
        .submit_form(&format!("{path}/details?lang=nl"), &details("Anna", "GEM"))
        .await;
    assert_eq!(renamed.status(), Status::SeeOther);
}

#[rocket::async_test]
async fn a_cancelled_sign_up_or_a_past_meeting_cannot_be_changed() {
    let (app, path) = signed_up(EventSpec::default()).await;
    let meeting = event::Entity::find().one(&app.db).await.unwrap().unwrap();
    let mut started = meeting.into_active_model();
    started.starts_at = Set(Utc::now() - Duration::minutes(5));
    started.update(&app.db).await.unwrap();
    let page = app.get(&path).await.into_string().await.unwrap();
    assert!(!page.contains("/details"), "no form once the meeting began");
    let late = app
        .submit_form(&format!("{path}/details?lang=nl"), &details("Eve", "GEM"))
        .await;
    assert_eq!(
        late.status(),
        Status::Conflict,
        "{:?}",
        late.into_string().await
    );

    let (app, path) = signed_up(EventSpec::default()).await;
    app.submit_form(&format!("{path}/cancel?lang=nl"), &[])
        .await;
    let cancelled = app
        .submit_form(&format!("{path}/details?lang=nl"), &details("Eve", "GEM"))
        .await;
    assert_eq!(cancelled.status(), Status::Conflict);
    let html = cancelled.into_string().await.unwrap();
    assert!(
        html.contains("geannuleerd en kan niet meer worden gewijzigd"),
        "{html}"
    );
    assert_eq!(app.registrations().await[0].name, "Anna de Vries");
}
