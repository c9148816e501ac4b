//! DUO's open data on school boards, in its published layout: `;`-separated,
//! quoted, UTF-8 with a byte-order mark or Windows-1252, more columns than
//! the import needs. The fixtures are our own, in that layout.
use aanmeldpunt::domain::{Email, SectorCode};
use aanmeldpunt::entities::{organisation, organisation_domain};
use aanmeldpunt::services::eligibility::{self, Claim};
use aanmeldpunt::services::register::{ImportError, RegisterFormat};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{spawn_app, TestApp};

/// Boards of primary education, as `besturenbo.csv` lays them out.
const BOARDS_PO: &str = "\u{feff}\"BEVOEGD GEZAG NUMMER\";\"BEVOEGD GEZAG NAAM\";\"STRAATNAAM\";\"HUISNUMMER-TOEVOEGING\";\"POSTCODE\";\"PLAATSNAAM\";\"GEMEENTENUMMER\";\"GEMEENTENAAM\";\"DENOMINATIE\";\"TELEFOONNUMMER\";\"INTERNETADRES\";\"KVK-NUMMER\";\"ADMINISTRATIEKANTOORNUMMER\"
\"41234\";\"Stichting Openbaar Onderwijs Zuid\";\"Schoolstraat\";\"1\";\"3511 AB\";\"UTRECHT\";\"0344\";\"UTRECHT\";\"Openbaar\";\"0301234567\";\"www.soozuid.nl\";\"41234567\";\"164\"
\"41235\";\"Stichting Scholen; samen sterk\";\"Kerkweg\";\"12 a\";\"1234 AB\";\"AMERSFOORT\";\"0307\";\"AMERSFOORT\";\"Algemeen bijzonder\";\"\";\"http://www.samensterk.nl/over-ons\";\"41234568\";\"\"
\"41236\";\"Vereniging Bijzonder Onderwijs \"\"De Ark\"\"\";\"Dorpsstraat\";\"3\";\"7411 AA\";\"DEVENTER\";\"0150\";\"DEVENTER\";\"Protestants-Christelijk\";\"\";\"\";\"1234567\";\"\"
";

/// Secondary-education boards in Windows-1252, with a website address
/// that is not one.
fn boards_vo_windows_1252() -> Vec<u8> {
    let text = "BEVOEGD GEZAG NUMMER;BEVOEGD GEZAG NAAM;PLAATSNAAM;INTERNETADRES;KVK-NUMMER;EXTRA KOLOM\r\n\
                52001;Stichting Voortgezet Onderwijs Súdwest-Fryslân;SNEEK;www.vosudwest.nl;52001000;x\r\n\
                52002;Scholengroep Cöllege Noord;GRONINGEN;geen website;;y\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// The higher-education board file lists hbo and wo boards together.
const BOARDS_HO: &str =
    "\u{feff}SOORT HO;BEVOEGD GEZAG NUMMER;BEVOEGD GEZAG NAAM;PLAATSNAAM;INTERNETADRES;KVK-NUMMER
hbo;24832;Stichting Codarts;ROTTERDAM;www.codarts.nl;41126801
wo;30001;Stichting Test Universiteit;UTRECHT;www.testuniversiteit.nl;41178974
";

async fn board(app: &TestApp, register_id: &str) -> organisation::Model {
    organisation::Entity::find()
        .filter(organisation::Column::RegisterId.eq(register_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{register_id} is in the register"))
}

async fn domains(app: &TestApp, org: &organisation::Model) -> Vec<String> {
    organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(org.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.domain)
        .collect()
}

#[rocket::async_test]
async fn boards_are_read_by_header_name_whatever_else_the_file_holds() {
    let app = spawn_app().await;
    let report = app
        .import_register_with(BOARDS_PO, RegisterFormat::Duo, Some("PO"))
        .await
        .unwrap();
    assert_eq!(report.added, 3, "{report:?}");
    assert!(report.rejected.is_empty());

    let zuid = board(&app, "duo:41234").await;
    assert_eq!(zuid.name, "Stichting Openbaar Onderwijs Zuid");
    assert_eq!(zuid.sector.map(|s| s.code()), Some("PO"));
    assert_eq!(zuid.kvk.as_deref(), Some("41234567"));
    assert_eq!(domains(&app, &zuid).await, ["soozuid.nl"], "without www.");
    let samen = board(&app, "duo:41235").await;
    assert_eq!(
        samen.name, "Stichting Scholen; samen sterk",
        "a quoted ; is text"
    );
    assert_eq!(domains(&app, &samen).await, ["samensterk.nl"]);
    let ark = board(&app, "duo:41236").await;
    assert_eq!(ark.name, "Vereniging Bijzonder Onderwijs \"De Ark\"");
    assert_eq!(
        ark.kvk.as_deref(),
        Some("01234567"),
        "the leading zero DUO drops"
    );
    assert!(domains(&app, &ark).await.is_empty());

    // A teacher of the board is eligible with the board's domain.
    let email = Email::parse("directie@soozuid.nl").unwrap();
    let decision = eligibility::decide(
        &app.db,
        Claim {
            organisation_id: None,
            organisation_name: "SOO Zuid",
            sector: SectorCode::parse("PO").unwrap(),
            email: &email,
            sectors: aanmeldpunt::domain::PilotSectors::all_public(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        decision.decision,
        aanmeldpunt::domain::EligibilityDecision::Eligible
    );
}

#[rocket::async_test]
async fn windows_1252_files_are_read_as_such() {
    let app = spawn_app().await;
    let report = app
        .import_register_with(boards_vo_windows_1252(), RegisterFormat::Duo, Some("VO"))
        .await
        .unwrap();
    assert_eq!(report.added, 2);
    assert_eq!(
        board(&app, "duo:52001").await.name,
        "Stichting Voortgezet Onderwijs Súdwest-Fryslân"
    );
    let noord = board(&app, "duo:52002").await;
    assert_eq!(noord.name, "Scholengroep Cöllege Noord");
    assert_eq!(noord.sector.map(|s| s.code()), Some("VO"));
    assert!(
        report
            .warnings
            .iter()
            .any(|(line, note)| *line == 3 && note.contains("geen website")),
        "{:?}",
        report.warnings
    );
}

#[rocket::async_test]
async fn the_higher_education_file_gives_each_sector_its_own_boards() {
    let app = spawn_app().await;
    let hbo = app
        .import_register_with(BOARDS_HO, RegisterFormat::Duo, Some("HBO"))
        .await
        .unwrap();
    let wo = app
        .import_register_with(BOARDS_HO, RegisterFormat::Duo, Some("WO"))
        .await
        .unwrap();
    assert_eq!((hbo.added, wo.added), (1, 1));
    assert_eq!(
        board(&app, "duo:24832").await.sector.map(|s| s.code()),
        Some("HBO")
    );
    assert_eq!(
        board(&app, "duo:30001").await.sector.map(|s| s.code()),
        Some("WO")
    );
}

#[rocket::async_test]
async fn a_duo_file_needs_a_sector_and_its_board_columns() {
    let app = spawn_app().await;
    let error = app
        .import_register_with(BOARDS_PO, RegisterFormat::Duo, None)
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::SectorRequired), "{error}");
    let error = app
        .import_register_with("NAAM;PLAATSNAAM\nX;Y\n", RegisterFormat::Duo, Some("PO"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ImportError::MissingColumns(ref c) if c.contains("BEVOEGD GEZAG NUMMER")),
        "{error}"
    );
}

#[rocket::async_test]
async fn importing_again_changes_nothing_and_a_newer_file_retires_boards_it_no_longer_lists() {
    let app = spawn_app().await;
    app.import_register_with(BOARDS_PO, RegisterFormat::Duo, Some("PO"))
        .await
        .unwrap();
    let again = app
        .import_register_with(BOARDS_PO, RegisterFormat::Duo, Some("PO"))
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));

    let without_the_ark: String = BOARDS_PO
        .lines()
        .filter(|l| !l.contains("41236"))
        .map(|l| format!("{l}\n"))
        .collect();
    let newer = app
        .import_register_with(without_the_ark, RegisterFormat::Duo, Some("PO"))
        .await
        .unwrap();
    assert_eq!(
        newer.deactivated.get("onderwijsbesturen"),
        Some(&1),
        "{newer:?}"
    );
    assert!(!board(&app, "duo:41236").await.active);
    // A VO file deactivates no PO board.
    let vo = app
        .import_register_with(boards_vo_windows_1252(), RegisterFormat::Duo, Some("VO"))
        .await
        .unwrap();
    assert_eq!(vo.deactivated_total(), 0);
    assert!(board(&app, "duo:41234").await.active);
}

#[rocket::async_test]
async fn the_command_imports_a_duo_file_with_its_sector() {
    let database = crate::helpers::TestDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("besturenbo.csv");
    std::fs::write(&file, BOARDS_PO).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .args(["register", "import"])
        .arg(&file)
        .args(["--format", "duo", "--sector", "PO"])
        .env("ROCKET_DATABASE_URL", &database.url)
        .env("RUST_LOG", "error")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("added 3"), "{stdout}");
    let db = sea_orm::Database::connect(&database.url).await.unwrap();
    let imports = aanmeldpunt::entities::register_import::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(
        (imports[0].file_name.as_str(), imports[0].format.as_str()),
        ("besturenbo.csv", "duo")
    );
    assert!(imports[0].actor.starts_with("command line"));
}
