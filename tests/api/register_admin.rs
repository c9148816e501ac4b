//! Staff and the register: vouching per application, never per register
//! entry.
use aanmeldpunt::domain::{DomainSource, EligibilityDecision, Role};
use aanmeldpunt::entities::{audit_log, organisation, organisation_domain, pilot_application};
use aanmeldpunt::services::register::RegisterFormat;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{application_body, spawn_app, TestApp, ROO_FIXTURE};

const URI: &str = "/api/v1/pilots/proeftuin/applications";

async fn app() -> TestApp {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    app
}

async fn utrecht(app: &TestApp) -> organisation::Model {
    organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Gemeente Utrecht"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn domains(app: &TestApp, org: &organisation::Model) -> Vec<(String, DomainSource)> {
    let mut all: Vec<_> = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(org.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.domain, d.source))
        .collect();
    all.sort();
    all
}

async fn application(app: &TestApp, email: &str) -> pilot_application::Model {
    pilot_application::Entity::find()
        .filter(pilot_application::Column::Email.eq(email))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

#[rocket::async_test]
async fn vouching_records_who_when_and_why_on_the_application_and_leaves_the_register_alone() {
    let app = app().await;
    app.post_json(
        URI,
        &application_body("Gemeente Utrecht", "GEM", "anna.utrecht@gmail.com"),
    )
    .await;
    let before = domains(&app, &utrecht(&app).await).await;
    let csrf = app.log_in_as(Role::Programme).await;
    let id = application(&app, "anna.utrecht@gmail.com").await.id;

    let without_reason = app
        .post_form(
            &format!("/admin/applications/{id}/vouch"),
            &[("csrf", &csrf), ("reason", " ")],
        )
        .await;
    assert_eq!(without_reason.status(), Status::UnprocessableEntity);

    let response = app
        .post_form(
            &format!("/admin/applications/{id}/vouch"),
            &[
                ("csrf", &csrf),
                ("reason", "Gebeld met de afdeling inkoop van de gemeente"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let vouched = application(&app, "anna.utrecht@gmail.com").await;
    assert_eq!(vouched.eligibility_decision, EligibilityDecision::Eligible);
    assert_eq!(vouched.vouched_by.as_deref(), Some("programme@dnz.nl"));
    assert!(vouched.vouched_at.is_some());
    assert_eq!(
        vouched.vouch_reason.as_deref(),
        Some("Gebeld met de afdeling inkoop van de gemeente")
    );
    assert!(vouched.eligibility_reason.contains("programme@dnz.nl"));
    assert!(audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .any(|a| a.action == "application.vouch" && a.actor == "programme@dnz.nl"));

    // Nothing went into the register: the next gmail user is judged afresh.
    assert_eq!(domains(&app, &utrecht(&app).await).await, before);
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "nep.utrecht@gmail.com"),
        )
        .await;
    assert_eq!(body["eligibility"]["decision"], "needs_review", "{body}");
    let html = app
        .get("/admin/applications")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("Gebeld met de afdeling inkoop"), "{html}");
}
