//! Staff and the register: vouching per application (never per register
//! entry), adding a domain to an organisation (never a free-mail one, and
//! only after seeing which applications change), other corrections that
//! survive re-imports, and who may do it.
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

#[rocket::async_test]
async fn a_free_mail_domain_can_never_be_added_to_an_organisation() {
    let app = app().await;
    let org = utrecht(&app).await;
    let csrf = app.log_in_as(Role::Programme).await;
    for domain in [
        "gmail.com",
        "hotmail.nl",
        "linkedin.com",
        "@outlook.com",
        "utrecht.nl.example",
        "xn--utrcht-3ve.nl",
    ] {
        let response = app
            .post_form(
                &format!("/admin/register/organisations/{}/domains", org.id),
                &[
                    ("csrf", &csrf),
                    ("domain", domain),
                    ("reason", "test"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{domain}");
    }
    assert_eq!(
        domains(&app, &org).await,
        [("utrecht.nl".into(), DomainSource::Register)]
    );
}

#[rocket::async_test]
async fn adding_a_domain_first_shows_the_applications_it_changes_and_then_changes_them() {
    let app = app().await;
    let (_, body) = app
        .post_json(
            URI,
            &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.org"),
        )
        .await;
    assert_eq!(body["eligibility"]["decision"], "needs_review");
    let org = utrecht(&app).await;
    let csrf = app.log_in_as(Role::Programme).await;
    let path = format!("/admin/register/organisations/{}/domains", org.id);

    let preview = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("domain", "Utrecht.org"),
                (
                    "reason",
                    "Tweede domein van de gemeente, zie utrecht.nl/contact",
                ),
            ],
        )
        .await;
    assert_eq!(preview.status(), Status::Ok);
    let html = preview.into_string().await.unwrap();
    assert!(html.contains("1 open aanmelding"), "{html}");
    assert!(
        html.contains("utrecht.org") && html.contains("Komt in aanmerking"),
        "{html}"
    );
    // The preview changed nothing.
    assert_eq!(domains(&app, &org).await.len(), 1);
    assert_eq!(
        application(&app, "anna@utrecht.org")
            .await
            .eligibility_decision,
        EligibilityDecision::NeedsReview
    );

    let confirmed = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("domain", "utrecht.org"),
                (
                    "reason",
                    "Tweede domein van de gemeente, zie utrecht.nl/contact",
                ),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), Status::SeeOther);
    assert_eq!(
        domains(&app, &org).await,
        [
            ("utrecht.nl".into(), DomainSource::Register),
            ("utrecht.org".into(), DomainSource::Staff)
        ]
    );
    assert_eq!(
        application(&app, "anna@utrecht.org")
            .await
            .eligibility_decision,
        EligibilityDecision::Eligible
    );
    assert!(audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .any(|a| a.action == "organisation.add-domain"
            && a.after.as_deref().unwrap_or("").contains("utrecht.org")));

    // A re-import keeps what staff added.
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!(domains(&app, &org).await.len(), 2);
    let page = app
        .get(&format!("/admin/register/organisations/{}", org.id))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        page.contains("utrecht.org") && page.contains("zie utrecht.nl/contact"),
        "{page}"
    );
}

#[rocket::async_test]
async fn staff_corrections_of_sector_and_domains_survive_re_imports() {
    let app = app().await;
    let entity = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Stichting Publieke Taak"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    let path = format!("/admin/register/organisations/{}/corrections", entity.id);
    let response = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("action", "sector"),
                ("value", "GEM"),
                ("reason", "Uitvoeringsorganisatie van drie gemeenten"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let response = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("action", "remove-domain"),
                ("value", "publieketaak.nl"),
                ("reason", "Domein is opgeheven"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let after = organisation::Entity::find_by_id(entity.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.sector.map(|s| s.code()), Some("GEM"));
    assert_eq!(after.sector_basis.as_deref(), Some("staff"));
    assert!(domains(&app, &after).await.is_empty());
    let html = app
        .get("/admin/register")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("Uitvoeringsorganisatie van drie gemeenten"),
        "{html}"
    );
}

#[rocket::async_test]
async fn the_register_pages_are_for_programme_staff() {
    let app = app().await;
    let org = utrecht(&app).await;
    for role in [Role::Viewer, Role::Organiser] {
        let csrf = app.log_in_as(role).await;
        for path in [
            "/admin/register".to_owned(),
            format!("/admin/register/organisations/{}", org.id),
        ] {
            assert_eq!(
                app.get(&path).await.status(),
                Status::Forbidden,
                "{role:?} {path}"
            );
        }
        let response = app
            .post_form(
                &format!("/admin/register/organisations/{}/domains", org.id),
                &[
                    ("csrf", &csrf),
                    ("domain", "utrecht.org"),
                    ("reason", "x"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::Forbidden, "{role:?}");
    }
    assert_eq!(domains(&app, &org).await.len(), 1);
    let admin = spawn_app().await;
    admin.log_in_as(Role::Admin).await;
    assert_eq!(admin.get("/admin/register").await.status(), Status::Ok);
}
