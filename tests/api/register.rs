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

/// Runs only where the real ROO extract lies beside the checkout.
#[rocket::async_test]
async fn the_real_register_extract_lands_with_the_right_sectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/polder_roo_organisaties.csv"
    );
    let Ok(csv) = std::fs::read_to_string(path) else {
        eprintln!("{path} not found; skipping the real-register check");
        return;
    };
    let app = spawn_app().await;
    let report = app
        .import_register(&csv, RegisterFormat::Roo)
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    for (kind, sector, expected) in [
        ("gemeenten", "GEM", 342),
        ("provincies", "PROV", 12),
        ("waterschappen", "WS", 21),
        ("ministeries", "RIJK", 12),
    ] {
        let count = organisation::Entity::find()
            .filter(organisation::Column::Kind.eq(kind))
            .filter(organisation::Column::Sector.eq(sector))
            .filter(organisation::Column::Active.eq(true))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(count, expected, "{kind}");
    }
}
