//! One place per organisation and pilot: held by a verified application
//! the register (or a staff member) confirmed, never by whoever typed the
//! organisation's name first. No refusal names a person.
use aanmeldpunt::domain::{Role, TokenPurpose};
use aanmeldpunt::entities::access_token;
use aanmeldpunt::entities::pilot_application::{self, ApplicationStatus, EligibilityDecision};
use aanmeldpunt::services::{applications, register::RegisterFormat, Services};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{application_body, link_path, spawn_app, TestApp, ROO_FIXTURE};

const URI: &str = "/api/v1/pilots/proeftuin/applications";

async fn app() -> TestApp {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    app
}

fn services(app: &TestApp) -> &Services {
    app.client.rocket().state::<Services>().unwrap()
}

async fn apply(app: &TestApp, organisation: &str, contact: &str, email: &str) -> (Status, Value) {
    let mut body = application_body(organisation, "GEM", email);
    body["contact_name"] = json!(contact);
    app.post_json(URI, &body).await
}

/// Follows the verification link in the newest mail to `email`.
async fn verify(app: &TestApp, email: &str) -> String {
    let mails = app.mails_to(email, 1).await;
    let link = link_path(mails.last().unwrap(), "/applications/verify/");
    // The link opens a page; its button confirms (a POST).
    let response = app.submit_form(&link, &[]).await;
    assert_eq!(response.status(), Status::Ok, "{email}");
    response.into_string().await.unwrap()
}

async fn stored(app: &TestApp, email: &str) -> pilot_application::Model {
    pilot_application::Entity::find()
        .filter(pilot_application::Column::Email.eq(email))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

#[rocket::async_test]
async fn an_unverified_application_from_a_free_mail_address_never_blocks_the_real_one() {
    let app = app().await;
    let (status, body) = apply(
        &app,
        "Gemeente Utrecht",
        "Piet Kaper",
        "gemeente.utrecht@gmail.com",
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["eligibility"]["decision"], "needs_review");

    let (status, body) = apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    assert_eq!(
        status,
        Status::Created,
        "the squatter holds nothing: {body}"
    );
    verify(&app, "anna@utrecht.nl").await;
    assert!(stored(&app, "anna@utrecht.nl").await.holds_place);
}

#[rocket::async_test]
async fn a_verified_but_unconfirmed_application_holds_no_place_either() {
    let app = app().await;
    apply(
        &app,
        "Gemeente Utrecht",
        "Piet Kaper",
        "gemeente.utrecht@gmail.com",
    )
    .await;
    verify(&app, "gemeente.utrecht@gmail.com").await;
    let squatter = stored(&app, "gemeente.utrecht@gmail.com").await;
    assert_eq!(squatter.status, ApplicationStatus::Submitted);
    assert!(
        !squatter.holds_place,
        "needs review: no place until staff vouch"
    );

    let (status, _) = apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    assert_eq!(status, Status::Created);
    verify(&app, "anna@utrecht.nl").await;
    let real = stored(&app, "anna@utrecht.nl").await;
    assert!(real.holds_place);
    // Staff see the earlier one as a second application of the organisation.
    let squatter = stored(&app, "gemeente.utrecht@gmail.com").await;
    assert_eq!(squatter.duplicate_of, Some(real.id));
}

#[rocket::async_test]
async fn a_second_application_is_told_the_organisation_applied_without_anyones_name() {
    let app = app().await;
    apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    verify(&app, "anna@utrecht.nl").await;

    let (status, body) = apply(&app, "gemeente utrecht", "Bert Bos", "bert@utrecht.nl").await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"], "duplicate");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("Gemeente Utrecht") && message.contains("medewerker"),
        "{message}"
    );
    for personal in ["Anna", "Vries", "anna@"] {
        assert!(!message.contains(personal), "{message}");
    }
    let second = stored(&app, "bert@utrecht.nl").await;
    assert_eq!(
        second.duplicate_of,
        Some(stored(&app, "anna@utrecht.nl").await.id)
    );
    let mail = &app.mails_to("bert@utrecht.nl", 1).await[0];
    assert!(
        mail.text.contains("al aangemeld") && !mail.text.contains("Anna"),
        "{}",
        mail.text
    );

    // The form says the same on the page after applying.
    let fields = [
        ("organisation", "Gemeente Utrecht"),
        ("organisation_id", "none"),
        ("sector", "GEM"),
        ("contact_name", "Carla Cools"),
        ("email", "carla@utrecht.nl"),
        ("current_suppliers", "Glans"),
        ("motivation", "Meer banen"),
        ("expected_jobs", "3"),
    ];
    let response = app
        .submit_form("/pilots/proeftuin/apply?lang=nl", &fields)
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert!(location.contains("duplicate=true"), "{location}");
    let page = app.get(&location).await.into_string().await.unwrap();
    assert!(
        page.contains("Uw organisatie heeft zich al aangemeld"),
        "{page}"
    );
    assert!(!page.contains("Anna") && !page.contains("Bert"));

    // Staff see all three, the place with the first.
    app.log_in_as(Role::Programme).await;
    let html = app
        .get("/admin/applications")
        .await
        .into_string()
        .await
        .unwrap();
    assert_eq!(
        html.matches("Tweede aanmelding van deze organisatie")
            .count(),
        2,
        "{html}"
    );
    assert_eq!(
        html.matches("Deze aanmelding heeft de plaats van de organisatie")
            .count(),
        1
    );
}

#[rocket::async_test]
async fn staff_merge_a_second_application_or_refuse_it() {
    let app = app().await;
    apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    verify(&app, "anna@utrecht.nl").await;
    apply(&app, "Gemeente Utrecht", "Bert Bos", "bert@utrecht.nl").await;
    apply(&app, "Gemeente Utrecht", "Carla Cools", "carla@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Programme).await;
    let bert = stored(&app, "bert@utrecht.nl").await;
    let response = app
        .post_form(
            &format!("/admin/applications/{}/merge", bert.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let bert = stored(&app, "bert@utrecht.nl").await;
    assert_eq!(bert.status, ApplicationStatus::Merged);
    let last = applications::history(&app.db, bert.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.actor, "programme@dnz.nl");
    let mails = app.mails_to("bert@utrecht.nl", 2).await;
    assert!(mails[1].text.contains("samengevoegd"), "{}", mails[1].text);
    assert!(!mails[1].text.contains("Anna"));

    let carla = stored(&app, "carla@utrecht.nl").await;
    let response = app
        .post_form(
            &format!("/admin/applications/{}/decide", carla.id),
            &[
                ("csrf", &csrf),
                ("decision", "reject"),
                ("message", "Al aangemeld"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        stored(&app, "carla@utrecht.nl").await.status,
        ApplicationStatus::Rejected
    );
    assert!(
        stored(&app, "anna@utrecht.nl").await.holds_place,
        "the holder is unchanged"
    );
}

#[rocket::async_test]
async fn only_the_application_that_holds_the_place_can_be_accepted() {
    let app = app().await;
    apply(&app, "Gemeente Utrecht", "Piet Kaper", "piet@gmail.com").await;
    verify(&app, "piet@gmail.com").await;
    let unconfirmed = stored(&app, "piet@gmail.com").await;
    let refused =
        applications::decide(services(&app), unconfirmed.id, true, "staf@dnz.nl", "ok").await;
    assert!(
        matches!(
            refused,
            Err(aanmeldpunt::error::AppError::Conflict(
                "error-application-not-confirmed"
            ))
        ),
        "{refused:?}"
    );
    apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    verify(&app, "anna@utrecht.nl").await;
    apply(&app, "Gemeente Utrecht", "Bert Bos", "bert@utrecht.nl").await;
    verify(&app, "bert@utrecht.nl").await;
    let second = stored(&app, "bert@utrecht.nl").await;
    assert!(!second.holds_place);
    let refused = applications::decide(services(&app), second.id, true, "staf@dnz.nl", "ok").await;
    assert!(
        matches!(
            refused,
            Err(aanmeldpunt::error::AppError::Conflict(
                "error-application-second"
            ))
        ),
        "{refused:?}"
    );
    let holder = stored(&app, "anna@utrecht.nl").await;
    applications::decide(services(&app), holder.id, true, "staf@dnz.nl", "Welkom")
        .await
        .unwrap();
}

#[rocket::async_test]
async fn when_the_holder_withdraws_the_next_confirmed_application_takes_the_place() {
    let app = app().await;
    apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    verify(&app, "anna@utrecht.nl").await;
    apply(&app, "Gemeente Utrecht", "Bert Bos", "bert@utrecht.nl").await;
    verify(&app, "bert@utrecht.nl").await;
    let manage = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/",
    );
    app.submit_form(&format!("{manage}/withdraw"), &[]).await;
    let bert = stored(&app, "bert@utrecht.nl").await;
    assert!(bert.holds_place && bert.duplicate_of.is_none(), "{bert:?}");
}

#[rocket::async_test]
async fn unverified_applications_expire_after_the_verification_period() {
    let app = app().await;
    let (_, body) = apply(&app, "Gemeente Utrecht", "Anna de Vries", "anna@utrecht.nl").await;
    let id = Uuid::parse_str(body["id"].as_str().unwrap()).unwrap();
    let link = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/verify/",
    );
    // Three days and an hour later, as the clock would have it.
    let old = pilot_application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut older: pilot_application::ActiveModel = old.into();
    older.created_at = Set(Utc::now() - Duration::hours(73));
    older.update(&app.db).await.unwrap();
    for token in access_token::Entity::find().all(&app.db).await.unwrap() {
        if token.purpose == TokenPurpose::VerifyApplication {
            let mut expired: access_token::ActiveModel = token.into();
            expired.expires_at = Set(Some(Utc::now() - Duration::hours(1)));
            expired.update(&app.db).await.unwrap();
        }
    }
    let expired = applications::expire_unverified(services(&app), Utc::now())
        .await
        .unwrap();
    assert_eq!(expired, 1);
    assert_eq!(
        stored(&app, "anna@utrecht.nl").await.status,
        ApplicationStatus::Expired
    );
    assert_eq!(app.get(&link).await.status(), Status::NotFound);
    let resend = app
        .submit_form(&format!("/pilots/proeftuin/applied/{id}/resend"), &[])
        .await;
    // The expired application comes back unconfirmed with a new link
    // (issue 20): it holds no place until confirmed.
    assert_eq!(resend.status(), Status::SeeOther, "a new link on the spot");
    assert_eq!(
        stored(&app, "anna@utrecht.nl").await.status,
        ApplicationStatus::Unverified
    );
    // Nothing of it blocks a fresh application.
    let (status, _) = apply(
        &app,
        "Gemeente Utrecht",
        "Anna de Vries",
        "anna2@utrecht.nl",
    )
    .await;
    assert_eq!(status, Status::Created);
}

#[rocket::async_test]
async fn two_municipalities_with_similar_names_each_hold_a_place() {
    let app = app().await;
    app.import_register(
        &format!(
            "{ROO_FIXTURE}2026-05-16,org:gemeente-bergen-l,gemeenten,Gemeente Bergen (L),,,gm0893,,,bergen.nl,bergen.nl,ja,CAO Gemeenten,ja\n\
             2026-05-16,org:gemeente-bergen-nh,gemeenten,Gemeente Bergen (NH),,,gm0373,,,bergen-nh.nl,bergen-nh.nl,ja,CAO Gemeenten,ja\n"
        ),
        RegisterFormat::Roo,
    )
    .await
    .unwrap();
    for email in ["a@bergen.nl", "b@bergen-nh.nl"] {
        let (status, body) = apply(&app, "Gemeente Bergen", "Anna de Vries", email).await;
        assert_eq!(status, Status::Created, "{body}");
        verify(&app, email).await;
        assert!(stored(&app, email).await.holds_place, "{email}");
    }
}

#[rocket::async_test]
async fn two_confirmations_at_the_same_moment_leave_one_holder() {
    let app = app().await;
    for email in ["anna@utrecht.nl", "bert@utrecht.nl", "carla@utrecht.nl"] {
        apply(&app, "Gemeente Utrecht", "Anna de Vries", email).await;
    }
    let mut links = Vec::new();
    for email in ["anna@utrecht.nl", "bert@utrecht.nl", "carla@utrecht.nl"] {
        links.push(link_path(
            &app.mails_to(email, 1).await[0],
            "/applications/verify/",
        ));
    }
    let responses = futures::future::join_all(links.iter().map(|l| app.submit_form(l, &[]))).await;
    assert!(responses.iter().all(|r| r.status() == Status::Ok));
    let all = pilot_application::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(all.iter().filter(|a| a.holds_place).count(), 1);
    assert!(all
        .iter()
        .all(|a| a.eligibility_decision == EligibilityDecision::Eligible));
    assert_eq!(all.iter().filter(|a| a.duplicate_of.is_some()).count(), 2);
}
