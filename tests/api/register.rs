use aanmeldpunt::entities::organisation;
use aanmeldpunt::services::register::{ImportError, RegisterFormat};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{spawn_app, ROO_FIXTURE};

#[rocket::async_test]
async fn importing_the_register_maps_kinds_to_sectors_and_skips_old_rows() {
    let app = spawn_app().await;
    let report = app
        .import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!((report.added, report.updated, report.skipped), (5, 0, 1));
    assert_eq!(
        report.register_date,
        chrono::NaiveDate::from_ymd_opt(2026, 5, 16)
    );
    assert!(report.rejected.is_empty());

    let orgs = organisation::Entity::find().all(&app.db).await.unwrap();
    let sector_of = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .unwrap()
            .sector
            .map(|s| s.code())
    };
    assert_eq!(sector_of("Gemeente Utrecht"), Some("GEM"));
    assert_eq!(sector_of("Provincie Utrecht"), Some("PROV"));
    assert_eq!(
        sector_of("Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"),
        Some("RIJK")
    );
    assert_eq!(
        sector_of("Stichting Publieke Taak"),
        None,
        "rwt is never automatically eligible"
    );
    assert!(orgs.iter().all(|o| o.name != "Gemeente Opgeheven"));
}

#[rocket::async_test]
async fn importing_twice_updates_and_never_duplicates() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let again = app
        .import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 5));

    let renamed = ROO_FIXTURE.replace(
        "Gemeente Utrecht,Utrecht,",
        "Gemeente Utrecht (stad),Utrecht,",
    );
    let third = app
        .import_register(&renamed, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!((third.added, third.updated), (0, 1));
    assert_eq!(
        organisation::Entity::find().count(&app.db).await.unwrap(),
        5
    );
}

#[rocket::async_test]
async fn bad_rows_are_rejected_with_their_line_numbers() {
    let app = spawn_app().await;
    let with_bad_kvk = ROO_FIXTURE.replace(",30280353,", ",3028,");
    let report = app
        .import_register(&with_bad_kvk, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!(report.added, 4);
    assert_eq!(report.rejected.len(), 1);
    let (line, reason) = &report.rejected[0];
    assert_eq!(*line, 2);
    assert!(reason.contains("KvK"), "{reason}");

    let long_name = format!("Gemeente {}", "x".repeat(400));
    let report = app
        .import_register(
            &ROO_FIXTURE.replace("Provincie Utrecht", &long_name),
            RegisterFormat::Roo,
        )
        .await
        .unwrap();
    assert_eq!(
        report.rejected.len(),
        1,
        "too long for the column: rejected, not a failed import"
    );
    assert_eq!(report.rejected[0].0, 4);
}

#[rocket::async_test]
async fn a_malformed_file_is_refused_without_writing_anything() {
    let app = spawn_app().await;
    let broken = format!("{ROO_FIXTURE}2026-05-16,org:x,gemeenten,Gemeente Kapot\n");
    let error = app
        .import_register(&broken, RegisterFormat::Roo)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::Malformed { line: 8, .. }),
        "{error}"
    );
    assert_eq!(
        organisation::Entity::find().count(&app.db).await.unwrap(),
        0
    );

    let error = app
        .import_register("name,sector\nX,GEM\n", RegisterFormat::Simple)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::MissingColumns(ref c) if c.contains("kvk")),
        "{error}"
    );
}

#[rocket::async_test]
async fn staff_lists_add_education_boards_with_their_domains() {
    let app = spawn_app().await;
    let list = "name,sector,kvk,domains\nStichting Openbaar Onderwijs Zuid,PO,12345678,soozuid.nl\nUMC Noord,UMC,,umcnoord.nl;umcn.nl\n";
    let report = app
        .import_register(list, RegisterFormat::Simple)
        .await
        .unwrap();
    assert_eq!(report.added, 2);
    let again = app
        .import_register(list, RegisterFormat::Simple)
        .await
        .unwrap();
    assert_eq!(again.unchanged, 2, "keyed on KvK, or the name without one");
    let umc = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("UMC Noord"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(umc.sector.map(|s| s.code()), Some("UMC"));
}

fn without(csv: &str, needle: &str) -> String {
    csv.lines()
        .filter(|l| !l.contains(needle))
        .map(|l| format!("{l}\n"))
        .collect()
}

async fn by_register_id(app: &crate::helpers::TestApp, id: &str) -> organisation::Model {
    organisation::Entity::find()
        .filter(organisation::Column::RegisterId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{id}"))
}

#[rocket::async_test]
async fn a_full_file_deactivates_what_it_no_longer_lists_and_says_so_per_kind() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let newer = without(&without(ROO_FIXTURE, "Provincie Utrecht"), "Publieke Taak");
    let report = app
        .import_register(&newer, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!(
        report.deactivated,
        [("provincies".to_owned(), 1), ("rwt".to_owned(), 1)].into()
    );
    assert!(!by_register_id(&app, "org:provincie-utrecht").await.active);
    let owners = aanmeldpunt::services::eligibility::owners_of(&app.db, "provincie-utrecht.nl")
        .await
        .unwrap();
    assert!(owners.is_empty(), "an inactive entry identifies nobody");

    // A partial file deactivates nothing.
    let options = aanmeldpunt::services::register::ImportOptions {
        partial: true,
        ..aanmeldpunt::services::register::ImportOptions::new("een.csv", "test")
    };
    let one = without(&newer, "Utrechtse Heuvelrug");
    let partial = aanmeldpunt::services::register::import(
        &app.db,
        one.as_bytes(),
        RegisterFormat::Roo,
        &options,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(partial.deactivated_total(), 0);
    assert!(
        by_register_id(&app, "org:gemeente-utrechtse-heuvelrug")
            .await
            .active
    );
}

#[rocket::async_test]
async fn rows_the_file_marks_as_gone_are_deactivated_not_skipped() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let gone = ROO_FIXTURE.replace(
        "CAO Gemeenten,ja\n2026-05-16,org:gemeente-utrechtse",
        "CAO Gemeenten,\n2026-05-16,org:gemeente-utrechtse",
    );
    let report = app
        .import_register(&gone, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!(report.deactivated.get("gemeenten"), Some(&1), "{report:?}");
    assert_eq!(report.skipped, 1, "only the row that was never current");
    assert!(!by_register_id(&app, "org:gemeente-utrecht").await.active);
}

#[rocket::async_test]
async fn a_rename_under_a_new_id_is_followed_and_a_named_successor_is_linked() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let before = by_register_id(&app, "org:gemeente-utrecht").await;
    // The same municipality (gm0344) under a new id and name.
    let renamed = ROO_FIXTURE.replace(
        "org:gemeente-utrecht,gemeenten,Gemeente Utrecht,Utrecht,",
        "org:gemeente-utrecht-stad,gemeenten,Gemeente Utrecht-Stad,Utrecht,",
    );
    let report = app
        .import_register(&renamed, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!((report.renamed, report.added), (1, 0), "{report:?}");
    let after = by_register_id(&app, "org:gemeente-utrecht-stad").await;
    assert_eq!(
        after.id, before.id,
        "the same organisation, so its applications stay"
    );
    assert_eq!(after.name, "Gemeente Utrecht-Stad");

    // A file that names a successor.
    let with_successor = "polder_id,folder,name,abbr,oin,kvk,organisatiecode,website_domain,email_domains,current_guess,successor_id\n\
        org:gemeente-oud,gemeenten,Gemeente Oud,,,,gm0001,oud.nl,oud.nl,,org:gemeente-nieuw\n\
        org:gemeente-nieuw,gemeenten,Gemeente Nieuw,,,,gm0002,nieuw.nl,nieuw.nl,ja,\n";
    let first = with_successor.replace("oud.nl,oud.nl,,org", "oud.nl,oud.nl,ja,org");
    app.import_register(&first, RegisterFormat::Roo)
        .await
        .unwrap();
    let report = app
        .import_register(with_successor, RegisterFormat::Roo)
        .await
        .unwrap();
    assert_eq!(report.successors, 1, "{report:?}");
    let old = by_register_id(&app, "org:gemeente-oud").await;
    assert!(!old.active);
    assert_eq!(
        old.successor_id,
        Some(by_register_id(&app, "org:gemeente-nieuw").await.id)
    );
}

#[rocket::async_test]
async fn curated_corrections_apply_at_every_import() {
    let app = spawn_app().await;
    let with_police =
        format!("{ROO_FIXTURE}2026-05-13,org:politie,politie-om,Politie,PDC,,,,,,,,,ja\n");
    for _ in 0..2 {
        app.import_register(&with_police, RegisterFormat::Roo)
            .await
            .unwrap();
        let police = by_register_id(&app, "org:politie").await;
        let domains = aanmeldpunt::entities::organisation_domain::Entity::find()
            .filter(
                aanmeldpunt::entities::organisation_domain::Column::OrganisationId.eq(police.id),
            )
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(domains.len(), 1);
        assert_eq!(domains[0].domain, "politie.nl");
        assert_eq!(
            domains[0].source,
            aanmeldpunt::domain::DomainSource::Correction
        );
    }
}

#[rocket::async_test]
async fn every_import_is_recorded_in_the_audit_log_and_on_the_register_page() {
    use aanmeldpunt::domain::Role;
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    let audit = aanmeldpunt::entities::audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let row = audit
        .iter()
        .find(|a| a.action == "register.import")
        .expect("audited");
    assert_eq!(
        (row.actor.as_str(), row.subject.as_str()),
        ("test", "test.csv")
    );
    assert!(
        row.after.as_deref().unwrap().contains("\"added\":5"),
        "{row:?}"
    );

    app.log_in_as(Role::Programme).await;
    let html = app
        .get("/admin/register")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("test.csv") && html.contains("5 nieuw"),
        "{html}"
    );
    assert!(html.contains("2026-05-16"), "the register date");
    assert!(
        html.contains("ouder dan 6 maanden"),
        "the data are from May: {html}"
    );
    assert!(
        html.contains("minocw.nl") && html.contains("Het uittreksel noemt"),
        "curated corrections"
    );
}

#[rocket::async_test]
async fn a_recent_register_shows_its_date_without_a_warning() {
    use aanmeldpunt::domain::Role;
    let app = spawn_app().await;
    let today = chrono::Utc::now().date_naive().to_string();
    app.import_register(
        &ROO_FIXTURE.replace("2026-05-16", &today),
        RegisterFormat::Roo,
    )
    .await
    .unwrap();
    app.log_in_as(Role::Programme).await;
    let html = app
        .get("/admin/register")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains(&today), "{html}");
    assert!(!html.contains("ouder dan 6 maanden"));
}
