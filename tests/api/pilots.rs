use aanmeldpunt::entities::access_token;
use aanmeldpunt::entities::pilot_application::{self, ApplicationStatus, EligibilityDecision};
use aanmeldpunt::services::{applications, register::RegisterFormat, Services};
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{application_body, link_path, spawn_app, TestApp, ROO_FIXTURE};

const SLUG: &str = "proeftuin";
const URI: &str = "/api/v1/pilots/proeftuin/applications";

async fn app_with_register() -> TestApp {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot(SLUG, 15, true).await;
    app
}

fn services(app: &TestApp) -> &Services {
    app.client.rocket().state::<Services>().unwrap()
}

async fn applications_stored(app: &TestApp) -> u64 {
    pilot_application::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

#[rocket::async_test]
async fn a_municipality_with_its_own_domain_is_eligible_after_verification() {
    let app = app_with_register().await;
    let (status, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["status"], "unverified");
    assert_eq!(body["eligibility"]["decision"], "eligible");
    assert!(body["eligibility"]["reason"]
        .as_str()
        .unwrap()
        .contains("Gemeente Utrecht"));

    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(mail.subject.starts_with("Bevestig uw aanmelding"));
    let verify = link_path(&mail, "/applications/verify/");
    // Opening the link, as a mail scanner would, confirms nothing.
    let opened = app.get(&verify).await;
    assert_eq!(opened.status(), Status::Ok);
    assert!(opened
        .into_string()
        .await
        .unwrap()
        .contains("Ja, dit is mijn e-mailadres"));
    let still = pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, ApplicationStatus::Unverified);
    let response = app.submit_form(&verify, &[]).await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response
        .into_string()
        .await
        .unwrap()
        .contains("e-mailadres is bevestigd"));

    let id = Uuid::parse_str(body["id"].as_str().unwrap()).unwrap();
    let stored = pilot_application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ApplicationStatus::Submitted);
    assert_eq!(stored.eligibility_decision, EligibilityDecision::Eligible);
    assert!(stored.verified_at.is_some());
    let received = &app.mails_to("anna@utrecht.nl", 2).await[1];
    assert!(
        received.subject.starts_with("Aanmelding ontvangen"),
        "{}",
        received.subject
    );

    let history = applications::history(&app.db, id).await.unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|t| {
            (
                t.from_status.map(|s| s.as_str()),
                t.to_status.as_str(),
                t.actor.clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (None, "unverified", "applicant".into()),
            (Some("unverified"), "submitted", "applicant".into())
        ]
    );
}

#[rocket::async_test]
async fn a_cleaning_company_is_refused_with_a_reason_and_nothing_is_stored() {
    let app = app_with_register().await;
    let (status, body) = app
        .post_json(
            URI,
            &application_body("Schoonmaakbedrijf Glans BV", "OVERIG", "info@glans.nl"),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"], "ineligible");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Overheid of Onderwijs"),
        "{body}"
    );
    assert_eq!(applications_stored(&app).await, 0);
    assert!(
        app.outbox().await.is_empty(),
        "no mail to ineligible applicants"
    );
}

#[rocket::async_test]
async fn a_register_match_of_a_market_kind_is_ineligible_whatever_sector_is_claimed() {
    let app = app_with_register().await;
    app.import_register(
        "name,sector,kvk,domains\nGlans Schoonmaak BV,OVERIG,87654321,glans.nl\n",
        RegisterFormat::Simple,
    )
    .await
    .unwrap();
    let (status, body) = app
        .post_json(
            URI,
            &application_body("Glans Schoonmaak BV", "GEM", "info@glans.nl"),
        )
        .await;
    assert_eq!(status, Status::Forbidden, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("buiten de sectoren"));
}

#[rocket::async_test]
async fn a_school_board_outside_the_register_needs_review() {
    let app = app_with_register().await;
    let (status, body) = app
        .post_json(
            URI,
            &application_body(
                "Stichting Openbaar Onderwijs Zuid",
                "PO",
                "directie@soozuid.nl",
            ),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["eligibility"]["decision"], "needs_review");
    assert!(body["eligibility"]["reason"]
        .as_str()
        .unwrap()
        .contains("niet in ons register"));
    let stored = pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.eligibility_decision,
        EligibilityDecision::NeedsReview
    );
    assert!(stored
        .eligibility_reason
        .contains("Stichting Openbaar Onderwijs Zuid"));
}

#[rocket::async_test]
async fn a_registered_organisation_with_a_foreign_mail_domain_needs_review() {
    let app = app_with_register().await;
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "anna.utrecht@gmail.com"),
        )
        .await;
    assert_eq!(body["eligibility"]["decision"], "needs_review");
    assert!(body["eligibility"]["reason"]
        .as_str()
        .unwrap()
        .contains("gmail.com"));
}

#[rocket::async_test]
async fn a_legal_entity_with_a_public_task_needs_review() {
    let app = app_with_register().await;
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Stichting Publieke Taak", "RIJK", "a@publieketaak.nl"),
        )
        .await;
    assert_eq!(body["eligibility"]["decision"], "needs_review");
}

#[rocket::async_test]
async fn a_subdomain_of_the_organisation_counts_as_its_own() {
    let app = app_with_register().await;
    let mut body = application_body("BZK", "RIJK", "p.jansen@dgo.minbzk.nl");
    body["organisation"] = json!("bzk");
    let (_, answer) = app.post_json(URI, &body).await;
    assert_eq!(answer["eligibility"]["decision"], "eligible", "{answer}");
}

#[rocket::async_test]
async fn a_closed_pilot_refuses_with_409_and_bad_input_with_422() {
    let app = app_with_register().await;
    app.create_pilot("gesloten", 15, false).await;
    let (status, body) = app
        .post_json(
            "/api/v1/pilots/gesloten/applications",
            &application_body("Gemeente Utrecht", "GEM", "a@utrecht.nl"),
        )
        .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"], "closed");

    let (status, body) = app
        .post_json(
            URI,
            &json!({"organisation": "Gemeente Utrecht", "expected_jobs": 5000}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in [
        "sector",
        "contact_name",
        "email",
        "current_suppliers",
        "motivation",
        "expected_jobs",
    ] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    assert_eq!(applications_stored(&app).await, 0);
}

#[rocket::async_test]
async fn an_expired_verification_link_is_refused_and_a_new_one_can_be_sent() {
    let app = app_with_register().await;
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
        )
        .await;
    let id = body["id"].as_str().unwrap().to_owned();
    let verify = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/verify/",
    );
    for token in access_token::Entity::find().all(&app.db).await.unwrap() {
        if token.purpose == aanmeldpunt::domain::TokenPurpose::VerifyApplication {
            let mut expired: access_token::ActiveModel = token.into();
            expired.expires_at = Set(Some(Utc::now() - Duration::minutes(1)));
            expired.update(&app.db).await.unwrap();
        }
    }
    let response = app.get(&verify).await;
    assert_eq!(response.status(), Status::NotFound);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("<h1>Deze link is verlopen</h1>"), "{html}");
    assert!(
        html.contains(&format!(
            r#"action="/pilots/{SLUG}/applied/{id}/resend?lang=nl""#
        )),
        "the resend button is offered on the spot: {html}"
    );

    let resend = app
        .submit_form(&format!("/pilots/{SLUG}/applied/{id}/resend"), &[])
        .await;
    assert_eq!(resend.status(), Status::SeeOther);
    let fresh = link_path(
        &app.mails_to("anna@utrecht.nl", 2).await[1],
        "/applications/verify/",
    );
    assert_eq!(app.get(&fresh).await.status(), Status::Ok);
}

#[rocket::async_test]
async fn an_application_expired_unconfirmed_comes_back_through_a_new_link() {
    let app = app_with_register().await;
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
        )
        .await;
    let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
    let verify = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/verify/",
    );
    for token in access_token::Entity::find().all(&app.db).await.unwrap() {
        if token.purpose == aanmeldpunt::domain::TokenPurpose::VerifyApplication {
            let mut expired: access_token::ActiveModel = token.into();
            expired.expires_at = Set(Some(Utc::now() - Duration::minutes(1)));
            expired.update(&app.db).await.unwrap();
        }
    }
    let stored = pilot_application::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut old: pilot_application::ActiveModel = stored.into();
    old.created_at = Set(Utc::now() - Duration::hours(80));
    old.update(&app.db).await.unwrap();
    applications::expire_unverified(services(&app), Utc::now())
        .await
        .unwrap();
    let status = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            pilot_application::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    assert_eq!(status(&app).await, ApplicationStatus::Expired);
    let html = app.get(&verify).await.into_string().await.unwrap();
    assert!(html.contains("Stuur mij een nieuwe link"), "{html}");
    let resend = app
        .submit_form(&format!("/pilots/{SLUG}/applied/{id}/resend"), &[])
        .await;
    assert_eq!(resend.status(), Status::SeeOther);
    assert_eq!(status(&app).await, ApplicationStatus::Unverified);
    let fresh = link_path(
        &app.mails_to("anna@utrecht.nl", 2).await[1],
        "/applications/verify/",
    );
    let confirmed = app.submit_form(&fresh, &[]).await;
    assert_eq!(confirmed.status(), Status::Ok);
    assert_eq!(status(&app).await, ApplicationStatus::Submitted);
}

#[rocket::async_test]
async fn staff_decisions_are_recorded_and_mailed_and_respect_the_maximum() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot(SLUG, 1, true).await;
    let mut ids = Vec::new();
    for (org, email) in [
        ("Gemeente Utrecht", "anna@utrecht.nl"),
        ("Provincie Utrecht", "piet@provincie-utrecht.nl"),
    ] {
        let (_, body) = app
            .post_json(URI, &application_body(org, "GEM", email))
            .await;
        let verify = link_path(&app.mails_to(email, 1).await[0], "/applications/verify/");
        app.submit_form(&verify, &[]).await;
        ids.push(Uuid::parse_str(body["id"].as_str().unwrap()).unwrap());
    }
    let accepted = applications::decide(services(&app), ids[0], true, "staf@dnz.nl", "Welkom!")
        .await
        .unwrap();
    assert_eq!(accepted.status, ApplicationStatus::Accepted);
    let mail = &app.mails_to("anna@utrecht.nl", 3).await[2];
    assert!(mail.subject.starts_with("Toegelaten"));
    assert!(mail.text.contains("Welkom!"));
    let last = applications::history(&app.db, ids[0])
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (last.actor.as_str(), last.reason.as_deref()),
        ("staf@dnz.nl", Some("Welkom!"))
    );

    let full = applications::decide(services(&app), ids[1], true, "staf@dnz.nl", "ok").await;
    assert!(matches!(full, Err(aanmeldpunt::error::AppError::Full)));
    let rejected = applications::decide(
        services(&app),
        ids[1],
        false,
        "staf@dnz.nl",
        "Geen plaats meer.",
    )
    .await
    .unwrap();
    assert_eq!(rejected.status, ApplicationStatus::Rejected);
}

#[rocket::async_test]
async fn the_applicant_can_withdraw_through_the_personal_link() {
    let app = app_with_register().await;
    app.post_json(
        URI,
        &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
    )
    .await;
    let manage = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/",
    );
    let page = app.get(&manage).await.into_string().await.unwrap();
    assert!(page.contains("Wacht op bevestiging"));
    let forged = app.post_form(&format!("{manage}/withdraw"), &[]).await;
    assert_eq!(
        forged.status(),
        Status::Forbidden,
        "no CSRF token, no change"
    );
    let response = app.submit_form(&format!("{manage}/withdraw"), &[]).await;
    assert_eq!(response.status(), Status::SeeOther);
    let stored = pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ApplicationStatus::Withdrawn);
    assert!(app.mails_to("anna@utrecht.nl", 2).await[1]
        .subject
        .starts_with("Aanmelding ingetrokken"));
    // Withdrawn frees the organisation to apply again.
    let (status, _) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "bert@utrecht.nl"),
        )
        .await;
    assert_eq!(status, Status::Created);
}

#[rocket::async_test]
async fn without_javascript_a_shared_domain_and_an_unclear_name_offer_entries_to_choose() {
    let app = app_with_register().await;
    // Two ministries share rijksoverheid.nl; "Ministerie" names neither.
    let with_az = format!(
        "{ROO_FIXTURE}2026-05-16,org:min-az,ministeries,Algemene Zaken,AZ,,,00000001003214346000,,\
         rijksoverheid.nl,minaz.nl,ja,CAO Rijk,ja\n"
    );
    app.import_register(&with_az, RegisterFormat::Roo)
        .await
        .unwrap();
    let mut form = vec![
        ("organisation", "Ministerie".to_owned()),
        ("sector", "RIJK".into()),
        ("contact_name", "Anna de Vries".into()),
        ("email", "anna@rijksoverheid.nl".into()),
        ("current_suppliers", "Glans".into()),
        ("motivation", "Meer banen".into()),
        ("expected_jobs", "3".into()),
    ];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app
        .submit_form(&format!("/pilots/{SLUG}/apply?lang=nl"), &fields)
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Algemene Zaken</label>"), "{html}");
    assert!(html.contains("Ministerie van Binnenlandse Zaken en Koninkrijksrelaties</label>"));
    assert_eq!(applications_stored(&app).await, 0);

    let bzk = aanmeldpunt::entities::organisation::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.abbreviation.as_deref() == Some("BZK"))
        .unwrap()
        .id
        .to_string();
    form.push(("organisation_id", bzk));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = app
        .submit_form(&format!("/pilots/{SLUG}/apply?lang=nl"), &fields)
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let stored = pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.organisation_name,
        "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"
    );
    assert_eq!(stored.typed_organisation.as_deref(), Some("Ministerie"));
    assert_eq!(stored.eligibility_decision, EligibilityDecision::Eligible);
}

#[rocket::async_test]
async fn a_domain_that_is_one_organisations_needs_no_choosing_whatever_was_typed() {
    let app = app_with_register().await;
    let fields = [
        ("organisation", "utr"),
        ("sector", "GEM"),
        ("contact_name", "Anna de Vries"),
        ("email", "anna@utrecht.nl"),
        ("current_suppliers", "Glans"),
        ("motivation", "Meer banen"),
        ("expected_jobs", "3"),
    ];
    let response = app
        .submit_form(&format!("/pilots/{SLUG}/apply?lang=nl"), &fields)
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let stored = pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.organisation_name, "Gemeente Utrecht");
    assert_eq!(
        stored.typed_organisation.as_deref(),
        Some("utr"),
        "kept beside it"
    );
    assert_eq!(stored.eligibility_decision, EligibilityDecision::Eligible);
}

#[rocket::async_test]
async fn the_ineligible_page_explains_and_points_to_open_events() {
    let app = app_with_register().await;
    let fields = [
        ("organisation", "Glans BV"),
        ("organisation_id", "none"),
        ("sector", "OVERIG"),
        ("contact_name", "Karel"),
        ("email", "karel@glans.nl"),
        ("current_suppliers", "-"),
        ("motivation", "Wij willen meedoen"),
        ("expected_jobs", "2"),
    ];
    let response = app
        .submit_form(&format!("/pilots/{SLUG}/apply?lang=nl"), &fields)
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("alleen voor werkgevers uit de sectoren Overheid en Onderwijs"));
    assert!(html.contains(r#"href="/?lang=nl""#));
    assert_eq!(applications_stored(&app).await, 0);
}

#[rocket::async_test]
async fn the_register_can_be_searched_as_you_type() {
    let app = app_with_register().await;
    let hits: serde_json::Value = app
        .get("/api/v1/organisations?q=utrecht")
        .await
        .into_json()
        .await
        .unwrap();
    let names: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[0], "Gemeente Utrecht",
        "shortest match first: {names:?}"
    );
    assert!(names.contains(&"Provincie Utrecht"));
    // As the OpenAPI document says (schemathesis found a 404 here).
    let missing = app.get("/api/v1/organisations").await;
    assert_eq!(missing.status(), Status::UnprocessableEntity);
    let body: serde_json::Value = missing.into_json().await.unwrap();
    assert_eq!(body["error"], "validation");
    assert!(body["fields"]["q"].is_string(), "{body}");
    let pilots: serde_json::Value = app.get("/api/v1/pilots").await.into_json().await.unwrap();
    assert_eq!(pilots[0]["slug"], SLUG);
    assert_eq!(pilots[0]["applications_open"], true);
}

#[rocket::async_test]
async fn an_old_resend_form_is_refused_with_a_message_that_says_why() {
    let app = spawn_app().await;
    let response = app
        .post_form(
            "/pilots/proeftuin/applied/00000000-0000-0000-0000-000000000000/resend?lang=nl",
            &[("csrf", "from-an-old-page")],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Dit formulier is verlopen"), "{html}");
}

#[rocket::async_test]
async fn an_application_answers_and_mails_in_the_lang_of_its_body() {
    let app = app_with_register().await;
    let mut body = application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl");
    body["lang"] = json!("en");
    body["expected_jobs"] = json!(-1);
    let (status, answer) = app.post_json(&format!("{URI}?lang=nl"), &body).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        answer["message"],
        "Some fields are not filled in correctly."
    );

    body["expected_jobs"] = json!(4);
    let (status, answer) = app.post_json(&format!("{URI}?lang=nl"), &body).await;
    assert_eq!(status, Status::Created, "{answer}");
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(
        mail.subject.starts_with("Confirm your application"),
        "{}",
        mail.subject
    );
}

/// The labels of the chooser's radios, in order, and how many are checked.
fn choices(html: &str) -> (Vec<String>, usize) {
    let label = regex::Regex::new(r#"<label for="org-[0-9a-f-]{36}">([^<]+)</label>"#).unwrap();
    let names = label.captures_iter(html).map(|c| c[1].to_owned()).collect();
    (names, html.matches(" checked>").count())
}

#[rocket::async_test]
async fn the_chooser_offers_dutch_provinces_first_selects_nothing_and_has_more_results() {
    let app = spawn_app().await;
    aanmeldpunt::services::register::load_shipped(&app.db, "test")
        .await
        .unwrap();
    app.create_pilot(SLUG, 15, true).await;
    let form = [
        ("organisation", "Provincie"),
        ("sector", "PROV"),
        ("contact_name", "Anna de Vries"),
        ("email", "anna@example.org"),
        ("current_suppliers", "Glans"),
        ("motivation", "Meer banen"),
        ("expected_jobs", "3"),
    ];
    let response = app
        .submit_form(&format!("/pilots/{SLUG}/apply?lang=nl"), &form)
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    let (names, checked) = choices(&html);
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("Provincie ") && !n.contains("(BE)")),
        "Dutch provinces first: {names:?}"
    );
    assert_eq!(checked, 0, "nothing chosen for the applicant");
    assert!(html.contains("Meer organisaties tonen"), "{html}");
    assert!(html.contains("&amp;choosing=true"));

    // "More results" shows every province, the Belgian ones after them.
    let response = app
        .submit_form(
            &format!("/pilots/{SLUG}/apply?lang=nl&more=true&choosing=true"),
            &form,
        )
        .await;
    let html = response.into_string().await.unwrap();
    let (names, _) = choices(&html);
    let dutch = names
        .iter()
        .position(|n| n == "Provincie Zuid-Holland")
        .expect("all twelve provinces");
    let belgian = names
        .iter()
        .position(|n| n == "Provincie Luik")
        .unwrap_or(usize::MAX);
    assert!(dutch < 12 && dutch < belgian, "{names:?}");
    assert!(
        !html.contains(r##"<a href="#organisation_id">"##),
        "asking for more is no mistake"
    );

    // Sending it from the chooser without a choice says what to do.
    let response = app
        .submit_form(
            &format!("/pilots/{SLUG}/apply?lang=nl&choosing=true"),
            &form,
        )
        .await;
    let html = response.into_string().await.unwrap();
    assert!(
        html.contains(r##"<a href="#organisation_id">Kies uw organisatie uit de lijst"##),
        "{html}"
    );
    assert_eq!(applications_stored(&app).await, 0);
}
