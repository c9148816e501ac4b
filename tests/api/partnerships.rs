use aanmeldpunt::domain::Role;
use aanmeldpunt::domain::Stage;
use aanmeldpunt::entities::partnership;
use aanmeldpunt::services::partnerships;
use aanmeldpunt::services::register::RegisterFormat;
use aanmeldpunt::services::Services;
use chrono::{Datelike, Utc};
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::helpers::{application_body, link_path, spawn_app, TestApp, ROO_FIXTURE};

async fn add(app: &TestApp, csrf: &str, buyer: &str, supplier: &str, hours: &str) -> Status {
    let fields = [
        ("csrf", csrf),
        ("buyer", buyer),
        ("supplier_name", supplier),
        ("category", "cleaning"),
        ("planned_hours", hours),
        ("notes", ""),
    ];
    app.post_form("/admin/partnerships", &fields).await.status()
}

/// A verified application of Gemeente Utrecht, and a programme member's
/// CSRF token: the application before staff decide on it.
async fn verified_application() -> (TestApp, String, uuid::Uuid) {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    app.post_json(
        "/api/v1/pilots/proeftuin/applications",
        &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
    )
    .await;
    let verify = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/verify/",
    );
    app.submit_form(&verify, &[]).await;
    let csrf = app.log_in_as(Role::Programme).await;
    let id = aanmeldpunt::entities::pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    (app, csrf, id)
}

#[rocket::async_test]
async fn ten_started_partnerships_show_as_ten_of_fifteen() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    for i in 0..12 {
        let buyer = if i % 2 == 0 {
            "Gemeente Utrecht"
        } else {
            "Provincie Utrecht"
        };
        assert_eq!(
            add(&app, &csrf, buyer, &format!("Leverancier {i}"), "25,5").await,
            Status::SeeOther
        );
    }
    let ids: Vec<_> = partnership::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let stage = match i {
            0..=8 => "started",
            9 => "ended",
            10 => "kick_off",
            _ => "interest",
        };
        if i == 9 {
            app.post_form(
                &format!("/admin/partnerships/{id}/stage"),
                &[("csrf", &csrf), ("stage", "started")],
            )
            .await;
        }
        let response = app
            .post_form(
                &format!("/admin/partnerships/{id}/stage"),
                &[("csrf", &csrf), ("stage", stage)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
    }
    let html = app
        .get("/admin/partnerships/dashboard")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("10 van 15 partnerships gestart — nog 5 te gaan"),
        "{html}"
    );
    assert!(
        html.contains("schema: bij een gelijk tempo"),
        "the pace is told"
    );
    assert!(html.contains("<svg") && html.contains("<polyline"));
    assert!(html.contains("2 partnerships in voorbereiding"));

    let summary: serde_json::Value = app
        .get("/api/v1/partnerships/summary")
        .await
        .into_json()
        .await
        .unwrap();
    assert_eq!(summary["year"], Utc::now().year());
    assert_eq!(
        (summary["started"].as_u64(), summary["target"].as_u64()),
        (Some(10), Some(15))
    );
    assert_eq!(summary["in_progress"], 2);
    assert_eq!(summary["jobs_planned"], 12.0, "twelve times 25.5 hours");
    let sectors = summary["by_sector"].as_array().unwrap();
    assert!(sectors
        .iter()
        .any(|s| s["key"] == "GEM" && s["started"] == 5));
    assert!(
        !summary.to_string().contains("Medewerker"),
        "no names of people"
    );

    let csv = app
        .get("/admin/partnerships/export/csv")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(csv.contains("Opdrachtgever;Sector;Leverancier") && csv.contains("Gemeente Utrecht"));
}

#[rocket::async_test]
async fn the_year_of_start_counts_and_stage_changes_are_recorded() {
    use aanmeldpunt::entities::partnership_stage_change;
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    add(&app, &csrf, "Gemeente Utrecht", "Glans", "51").await;
    let id = partnership::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let services = app.client.rocket().state::<Services>().unwrap();
    let last_year = Utc::now().with_year(Utc::now().year() - 1).unwrap();
    partnerships::change_stage(services, id, Stage::Started, "p@dnz.nl", last_year)
        .await
        .unwrap();
    partnerships::change_stage(services, id, Stage::Ended, "p@dnz.nl", Utc::now())
        .await
        .unwrap();

    let this_year = partnerships::summary(&app.db, Utc::now().year())
        .await
        .unwrap();
    let previous = partnerships::summary(&app.db, Utc::now().year() - 1)
        .await
        .unwrap();
    assert_eq!(
        (this_year.started, previous.started),
        (0, 1),
        "counted for its start year, also once ended"
    );
    assert_eq!(previous.jobs_planned, 2.0);
    let changes = partnership_stage_change::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let stages: Vec<_> = changes.iter().map(|c| c.to_stage.as_str()).collect();
    assert_eq!(stages, vec!["interest", "started", "ended"]);
    assert!(changes.iter().all(|c| !c.actor.is_empty()));
}

#[rocket::async_test]
async fn an_accepted_application_becomes_a_partnership_in_one_step() {
    let (app, csrf, id) = verified_application().await;
    let early = app
        .post_form(
            &format!("/admin/applications/{id}/partnership"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        early.status(),
        Status::Conflict,
        "only accepted applications"
    );
    app.post_form(
        &format!("/admin/applications/{id}/decide"),
        &[("csrf", &csrf), ("decision", "accept"), ("message", "")],
    )
    .await;
    let response = app
        .post_form(
            &format!("/admin/applications/{id}/partnership"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let made = partnership::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            made.buyer_name.as_str(),
            made.sector.code(),
            made.category.as_str()
        ),
        ("Gemeente Utrecht", "GEM", "cleaning")
    );
    assert_eq!(made.application_id, Some(id));
    assert_eq!(
        made.planned_hours_per_week,
        4.0 * 25.5,
        "four expected jobs"
    );
}

#[rocket::async_test]
async fn viewers_read_the_dashboard_and_only_admins_set_targets() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Viewer).await;
    assert_eq!(
        app.get("/admin/partnerships/dashboard").await.status(),
        Status::Ok
    );
    let year = Utc::now().year().to_string();
    let refused = app
        .post_form(
            "/admin/partnerships/target",
            &[("csrf", &csrf), ("year", &year), ("started", "20")],
        )
        .await;
    assert_eq!(refused.status(), Status::Forbidden);

    let admin = spawn_app().await;
    let csrf = admin.log_in_as(Role::Admin).await;
    let response = admin
        .post_form(
            "/admin/partnerships/target",
            &[("csrf", &csrf), ("year", &year), ("started", "20")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let html = admin
        .get("/admin/partnerships/dashboard")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("0 van 20 partnerships gestart"), "{html}");
    let jobs = admin
        .post_form(
            "/admin/partnerships/target",
            &[
                ("csrf", &csrf),
                ("year", &year),
                ("started", "20"),
                ("jobs", "12,5"),
            ],
        )
        .await;
    assert_eq!(jobs.status(), Status::SeeOther);
    let html = admin
        .get("/admin/partnerships/dashboard")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("0,0 van 12,5 banen gerealiseerd"),
        "Dutch notation: {html}"
    );
}

#[rocket::async_test]
async fn one_application_makes_one_partnership_and_shows_where_it_went() {
    let (app, csrf, id) = verified_application().await;
    app.post_form(
        &format!("/admin/applications/{id}/decide"),
        &[("csrf", &csrf), ("decision", "accept"), ("message", "")],
    )
    .await;
    let convert = format!("/admin/applications/{id}/partnership");
    let first = app.post_form(&convert, &[("csrf", &csrf)]).await.status();
    let second = app.post_form(&convert, &[("csrf", &csrf)]).await;
    assert_eq!(first, Status::SeeOther);
    assert_eq!(second.status(), Status::Conflict);
    let message = second.into_string().await.unwrap();
    assert!(message.contains("al een partnership gemaakt"), "{message}");
    let made = partnership::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(made.len(), 1, "the dashboard counts one");

    // The application now links to its partnership instead of a button.
    let page = app
        .get("/admin/applications")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains(&format!("/admin/partnerships#partnership-{}", made[0].id)));
    assert!(
        !page.contains(&format!("action=\"{convert}\"")),
        "no second button"
    );
    let list = app
        .get("/admin/partnerships")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(list.contains(&format!("id=\"partnership-{}\"", made[0].id)));
}

#[rocket::async_test]
async fn another_years_summary_counts_nothing_recorded_after_it() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    assert_eq!(
        add(&app, &csrf, "Gemeente Utrecht", "Glans", "51").await,
        Status::SeeOther
    );
    let (status, body) = {
        let response = app.get("/api/v1/partnerships/summary?year=2020").await;
        let status = response.status();
        let body: serde_json::Value =
            serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
        (status, body)
    };
    assert_eq!(status, Status::Ok);
    assert_eq!(body["started"], 0);
    assert_eq!(body["in_progress"], 0, "{body}");
    assert_eq!(body["jobs_planned"], 0.0);
    let this_year = Utc::now().year();
    let response = app
        .get(&format!("/api/v1/partnerships/summary?year={this_year}"))
        .await;
    let body: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(body["in_progress"], 1, "{body}");
}
