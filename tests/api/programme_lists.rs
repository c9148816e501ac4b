//! Programme staff's lists that grow with the years, a page at a time
//! by key: the partnerships (newest first) and the register's
//! imports (newest first), every row on exactly one page; and the pilot
//! applications found by organisation, address or status.
use aanmeldpunt::domain::{
    ApplicationStatus, EligibilityDecision, Lang, NameKey, Role, SectorCode,
};
use aanmeldpunt::entities::{pilot_application, register_import};
use aanmeldpunt::services::register::RegisterFormat;
use chrono::{Duration, Utc};
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::helpers::{spawn_app, TestApp, ROO_FIXTURE};
use crate::list_paging::{link, page};

/// Every page from `first` on, following "next".
async fn walk(app: &TestApp, first: &str) -> Vec<String> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(href) = next {
        // A browser keeps the fragment to itself.
        let path = href.split('#').next().unwrap_or_default().to_owned();
        let html = page(app, &path).await;
        next = link(&html, "next");
        pages.push(html);
        assert!(pages.len() <= 3, "{path}");
    }
    pages
}

#[rocket::async_test]
async fn partnerships_come_a_page_at_a_time_with_every_one_on_exactly_one_page() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    for i in 0..130 {
        let supplier = format!("Schoonmaak {i:03} BV");
        let fields = [
            ("csrf", csrf.as_str()),
            ("buyer", "Gemeente Utrecht"),
            ("supplier_name", supplier.as_str()),
            ("category", "cleaning"),
            ("planned_hours", "25.5"),
            ("notes", ""),
        ];
        let saved = app.post_form("/admin/partnerships", &fields).await;
        assert_eq!(saved.status(), Status::SeeOther, "{supplier}");
    }

    let pages = walk(&app, "/admin/partnerships").await;
    assert_eq!(pages.len(), 2);
    for i in 0..130 {
        let supplier = format!("Schoonmaak {i:03} BV");
        let on = pages.iter().filter(|html| html.contains(&supplier)).count();
        assert_eq!(on, 1, "{supplier} is on {on} pages");
    }
    assert!(pages[0].contains("Schoonmaak 129 BV"), "the newest first");
    let back = link(&pages[1], "prev").expect("a way back");
    let rows = page(&app, &back)
        .await
        .matches("<tr id=\"partnership-")
        .count();
    assert_eq!(rows, 100);
    assert_eq!(
        app.get("/admin/partnerships?before=nope").await.status(),
        Status::UnprocessableEntity
    );

    // The export still holds them all.
    let csv = app.get("/admin/partnerships/export/csv").await;
    let text = csv.into_string().await.unwrap();
    assert_eq!(text.matches("Schoonmaak").count(), 130);
}

#[rocket::async_test]
async fn register_imports_come_a_page_at_a_time_newest_first() {
    let app = spawn_app().await;
    let now = Utc::now();
    let rows = (0..130).map(|i| register_import::ActiveModel {
        actor: Set("staff@dnz.nl".into()),
        file_name: Set(format!("roo-{i:03}.csv")),
        format: Set("roo".into()),
        dataset: Set("roo".into()),
        full: Set(true),
        register_date: Set(None),
        added: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        deactivated: Set(0),
        renamed: Set(0),
        skipped: Set(0),
        rejected: Set(0),
        deactivated_by_kind: Set("{}".into()),
        created_at: Set(now + Duration::minutes(i)),
        ..Default::default()
    });
    register_import::Entity::insert_many(rows)
        .exec(&app.db)
        .await
        .unwrap();
    app.log_in_as(Role::Programme).await;

    let pages = walk(&app, "/admin/register").await;
    assert_eq!(pages.len(), 2);
    for i in 0..130 {
        let file = format!("roo-{i:03}.csv");
        let on = pages.iter().filter(|html| html.contains(&file)).count();
        assert_eq!(on, 1, "{file} is on {on} pages");
    }
    assert!(pages[0].contains("roo-129.csv") && pages[1].contains("roo-000.csv"));
    assert_eq!(
        app.get("/admin/register?after=x").await.status(),
        Status::UnprocessableEntity
    );
}

/// A verified application, straight in the database.
pub(crate) fn application(
    pilot_id: uuid::Uuid,
    organisation: &str,
    email: &str,
    status: ApplicationStatus,
    at: chrono::DateTime<Utc>,
) -> pilot_application::ActiveModel {
    pilot_application::ActiveModel {
        id: Set(uuid::Uuid::new_v4()),
        pilot_id: Set(pilot_id),
        organisation_id: Set(None),
        organisation_name: Set(organisation.into()),
        organisation_key: Set(NameKey::of(organisation).key),
        sector: Set(SectorCode::parse("GEM").unwrap()),
        contact_name: Set("Contact".into()),
        email: Set(email.into()),
        phone: Set(None),
        current_suppliers: Set("Schoon BV".into()),
        market_partner: Set(None),
        motivation: Set("Meer banen".into()),
        expected_jobs: Set(2),
        lang: Set(Lang::Nl),
        status: Set(status),
        eligibility_decision: Set(EligibilityDecision::Eligible),
        eligibility_reason: Set("register".into()),
        created_at: Set(at),
        verified_at: Set(Some(at)),
        updated_at: Set(at),
        typed_organisation: Set(None),
        holds_place: Set(false),
        duplicate_of: Set(None),
        vouched_by: Set(None),
        vouched_at: Set(None),
        vouch_reason: Set(None),
    }
}

#[rocket::async_test]
async fn applications_are_found_by_organisation_or_address_and_by_status() {
    let app = spawn_app().await;
    let pilot = app.create_pilot("proeftuin", 15, true).await;
    for (organisation, email, status) in [
        (
            "Gemeente Súdwest-Fryslân",
            "p.de_vries@sudwestfryslan.nl",
            ApplicationStatus::Submitted,
        ),
        (
            "Gemeente Utrecht",
            "anna@utrecht.nl",
            ApplicationStatus::Accepted,
        ),
        (
            "Hogeschool Utrecht",
            "bram@hu.nl",
            ApplicationStatus::Submitted,
        ),
    ] {
        application(pilot.id, organisation, email, status, Utc::now())
            .insert(&app.db)
            .await
            .unwrap();
    }
    app.log_in_as(Role::Programme).await;
    let found = async |query: &str| {
        let html = page(&app, &format!("/admin/applications?{query}")).await;
        ["sudwestfryslan.nl", "anna@utrecht.nl", "bram@hu.nl"]
            .into_iter()
            .filter(|address| html.contains(address))
            .collect::<Vec<_>>()
    };
    assert_eq!(found("q=sudwest%20fryslan").await, ["sudwestfryslan.nl"]);
    assert_eq!(
        found("q=GEMEENTE%20Utrecht").await,
        ["anna@utrecht.nl", "bram@hu.nl"],
        "the kind word does not count, as in the register"
    );
    assert_eq!(found("q=BRAM%40HU").await, ["bram@hu.nl"]);
    assert_eq!(found("q=_").await, ["sudwestfryslan.nl"], "a literal _");
    assert_eq!(found("status=accepted").await, ["anna@utrecht.nl"]);
    assert_eq!(found("q=utrecht&status=submitted").await, ["bram@hu.nl"]);
    let none = page(&app, "/admin/applications?q=amsterdam").await;
    assert!(none.contains("Geen aanmeldingen gevonden"), "{none}");
    assert_eq!(
        app.get("/admin/applications?status=gekeurd").await.status(),
        Status::UnprocessableEntity
    );
}

#[rocket::async_test]
async fn partnerships_are_found_by_buyer_or_supplier_a_page_at_a_time() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    let mut made = Vec::new();
    for (buyer, supplier) in (0..101)
        .map(|i| ("Gemeente Utrecht", format!("Glans {i:03}")))
        .chain([("Provincie Utrecht", "Schoonmaak Özdemir & Zn".to_owned())])
    {
        let fields = [
            ("csrf", csrf.as_str()),
            ("buyer", buyer),
            ("supplier_name", supplier.as_str()),
            ("category", "cleaning"),
            ("planned_hours", "25.5"),
            ("notes", ""),
        ];
        let saved = app.post_form("/admin/partnerships", &fields).await;
        assert_eq!(saved.status(), Status::SeeOther, "{supplier}");
        made.push(supplier);
    }

    let rows = |html: &str| html.matches("<tr id=\"partnership-").count();
    let found = page(&app, "/admin/partnerships?q=OZDEMIR").await;
    assert_eq!(rows(&found), 1, "without case or accents");
    assert!(found.contains("Schoonmaak Özdemir &amp; Zn"));
    assert_eq!(
        rows(&page(&app, "/admin/partnerships?q=provincie").await),
        1
    );
    assert_eq!(
        rows(&page(&app, "/admin/partnerships?q=glans%20100").await),
        1
    );
    let none = page(&app, "/admin/partnerships?q=_").await;
    assert_eq!(rows(&none), 0, "`_` is a character, not a wildcard");
    assert!(none.contains("Geen partnerships gevonden"));

    // A search's pages keep to it.
    let pages = walk(&app, "/admin/partnerships?q=Glans").await;
    assert_eq!(pages.len(), 2);
    assert!(link(&pages[0], "next").unwrap().contains("q=Glans"));
    for supplier in &made[..101] {
        let on = pages.iter().filter(|html| html.contains(supplier)).count();
        assert_eq!(on, 1, "{supplier} is on {on} pages");
    }
    assert!(!pages.iter().any(|html| html.contains("Özdemir")));

    let too_long = format!("/admin/partnerships?q={}", "a".repeat(201));
    assert_eq!(
        app.get(&too_long).await.status(),
        Status::UnprocessableEntity
    );
    assert_eq!(
        app.get("/admin/partnerships?q=a%0Ab").await.status(),
        Status::UnprocessableEntity
    );
}

#[rocket::async_test]
async fn partnerships_from_before_search_are_keyed_at_the_next_start() {
    use aanmeldpunt::entities::partnership;
    use sea_orm::sea_query::Expr;

    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let csrf = app.log_in_as(Role::Programme).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("buyer", "Gemeente Utrecht"),
        ("supplier_name", "Glans"),
        ("category", "cleaning"),
        ("planned_hours", "25.5"),
        ("notes", ""),
    ];
    app.post_form("/admin/partnerships", &fields).await;
    // As an instance from before migration 000027 would have left it.
    partnership::Entity::update_many()
        .col_expr(partnership::Column::SearchKey, Expr::value(""))
        .exec(&app.db)
        .await
        .unwrap();
    let rows = |html: String| html.matches("<tr id=\"partnership-").count();
    assert_eq!(rows(page(&app, "/admin/partnerships?q=glans").await), 0);

    let keyed = aanmeldpunt::services::partnerships::key_unkeyed(&app.db).await;
    assert_eq!(keyed.unwrap(), 1);
    assert_eq!(rows(page(&app, "/admin/partnerships?q=glans").await), 1);
    assert_eq!(rows(page(&app, "/admin/partnerships?q=utrecht").await), 1);
}
