//! The register the app ships with: loaded on first start, and walked in
//! full. Every current municipality, province, water board and ministry is
//! eligible with an address on each of its own domains, whichever way its
//! name is spelled; no free-mail, company or look-alike domain ever is.
use std::time::Instant;

use aanmeldpunt::domain::{Email, SectorCode};
use aanmeldpunt::entities::{organisation, organisation_domain, register_import};
use aanmeldpunt::services::eligibility::{self, Claim};
use aanmeldpunt::services::register;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use unicode_normalization::UnicodeNormalization;

use crate::helpers::{spawn_app, test_figment, TestDatabase};

/// The spellings the issue lists, of one register name.
fn spellings(kind: &str, name: &str) -> Vec<(&'static str, String)> {
    const PREFIXES: [&str; 6] = [
        "Gemeente ",
        "Provincie ",
        "Waterschap ",
        "Hoogheemraadschap van ",
        "Hoogheemraadschap ",
        "Wetterskip ",
    ];
    let bare = PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
        .to_owned();
    let kind_word = match kind {
        "gemeenten" => "Gemeente",
        "provincies" => "Provincie",
        "waterschappen" => "Waterschap",
        _ => "Ministerie van",
    };
    let without_diacritics: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect();
    vec![
        ("register name", name.to_owned()),
        ("bare name", bare.clone()),
        ("kind word in front", format!("{kind_word} {bare}")),
        ("hyphens as spaces", name.replace('-', " ")),
        ("without diacritics", without_diacritics),
        ("typographic apostrophe", name.replace('\'', "’")),
    ]
}

async fn domains_of(db: &DatabaseConnection, org: &organisation::Model) -> Vec<String> {
    organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(org.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.domain)
        .collect()
}

async fn decide(
    db: &DatabaseConnection,
    name: &str,
    sector: SectorCode,
    email: &str,
) -> eligibility::Decision {
    let email = Email::parse(email).unwrap_or_else(|_| panic!("{email} parses"));
    eligibility::decide(
        db,
        Claim {
            organisation_id: None,
            organisation_name: name,
            sector,
            email: &email,
            sectors: aanmeldpunt::domain::PilotSectors::all_public(),
        },
    )
    .await
    .unwrap()
}

async fn shipped_app() -> crate::helpers::TestApp {
    let app = spawn_app().await;
    let started = Instant::now();
    let load = register::load_shipped(&app.db, "test").await.unwrap();
    eprintln!(
        "shipped register: {} + {} organisations in {:?} (the app measured {:?})",
        load.roo.added,
        load.education.added,
        started.elapsed(),
        load.took
    );
    assert!(load.roo.rejected.is_empty(), "{:?}", load.roo.rejected);
    assert!(
        load.education.rejected.is_empty(),
        "{:?}",
        load.education.rejected
    );
    app
}

#[rocket::async_test]
async fn a_fresh_database_gets_the_shipped_register_on_first_start_and_only_then() {
    let database = TestDatabase::create().await;
    for _ in 0..2 {
        let figment = test_figment(&database.url).merge(("register_on_first_start", true));
        let client = rocket::local::asynchronous::Client::tracked(aanmeldpunt::rocket(figment))
            .await
            .expect("launches");
        drop(client);
    }
    let db = sea_orm::Database::connect(&database.url).await.unwrap();
    let active_municipalities = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq("gemeenten"))
        .filter(organisation::Column::Active.eq(true))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(active_municipalities, 342);
    let imports = register_import::Entity::find().all(&db).await.unwrap();
    assert_eq!(imports.len(), 2, "the extract and the education list, once");
    assert!(imports.iter().all(|i| i.actor == "first start"));
    assert_eq!(
        imports[0].register_date,
        chrono::NaiveDate::from_ymd_opt(2026, 5, 16)
    );
}

#[rocket::async_test]
async fn the_shipped_register_lands_with_the_right_sectors_and_loads_again_unchanged() {
    let app = shipped_app().await;
    for (kind, sector, expected) in [
        ("gemeenten", "GEM", 342),
        ("provincies", "PROV", 12),
        ("waterschappen", "WS", 21),
        ("ministeries", "RIJK", 11),
        ("ministeries", "DEF", 1),
        ("universiteiten", "WO", 17),
        ("umc", "UMC", 7),
        ("hogescholen", "HBO", 36),
        ("mbo-instellingen", "MBO", 53),
    ] {
        let count = organisation::Entity::find()
            .filter(organisation::Column::Kind.eq(kind))
            .filter(organisation::Column::Sector.eq(sector))
            .filter(organisation::Column::Active.eq(true))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(count, expected, "{kind} {sector}");
    }
    let again = register::load_shipped(&app.db, "test").await.unwrap();
    assert_eq!(
        (
            again.roo.added,
            again.roo.updated,
            again.roo.deactivated_total()
        ),
        (0, 0, 0),
        "idempotent"
    );
    assert_eq!((again.education.added, again.education.updated), (0, 0));
}

#[rocket::async_test]
async fn every_current_municipality_province_water_board_and_ministry_is_eligible_on_its_own_domains(
) {
    let app = shipped_app().await;
    let csv = register::roo_extract().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (folder, polder_id, current) = (
        column("folder"),
        column("polder_id"),
        column("current_guess"),
    );
    let mut checked = 0;
    let mut failures = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let kind = &record[folder];
        if !["gemeenten", "provincies", "waterschappen", "ministeries"].contains(&kind)
            || &record[current] != "ja"
        {
            continue;
        }
        let org = organisation::Entity::find()
            .filter(organisation::Column::RegisterId.eq(&record[polder_id]))
            .one(&app.db)
            .await
            .unwrap()
            .expect("every current row is in the register");
        let sector = org.sector.expect("a public sector");
        let domains = domains_of(&app.db, &org).await;
        if domains.is_empty() {
            failures.push(format!("{}: no domain", org.name));
        }
        for domain in &domains {
            for (spelling, name) in spellings(kind, &org.name) {
                let decision =
                    decide(&app.db, &name, sector, &format!("medewerker@{domain}")).await;
                checked += 1;
                let right = decision.decision == aanmeldpunt::domain::EligibilityDecision::Eligible
                    && decision.organisation.as_ref().map(|o| o.id) == Some(org.id);
                if !right {
                    failures.push(format!(
                        "{} ({spelling}: {name:?}) at {domain}: {} as {:?}",
                        org.name,
                        decision.decision,
                        decision.organisation.map(|o| o.name)
                    ));
                }
            }
        }
    }
    eprintln!("{checked} decisions checked");
    assert!(checked > 387 * 6, "{checked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[rocket::async_test]
async fn no_free_mail_company_or_look_alike_domain_is_ever_eligible() {
    use aanmeldpunt::domain::EligibilityDecision::Eligible;
    let app = shipped_app().await;
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Active.eq(true))
        .all(&app.db)
        .await
        .unwrap();
    let free_mail = [
        "gmail.com",
        "outlook.com",
        "hotmail.nl",
        "live.nl",
        "icloud.com",
        "yahoo.com",
        "ziggo.nl",
        "kpnmail.nl",
        "xs4all.nl",
        "planet.nl",
        "home.nl",
        "hetnet.nl",
        "linkedin.com",
        "proton.me",
        "googlemail.com",
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for org in &orgs {
        let public = org.sector.is_some_and(|s| s.group().is_public());
        let claimed = org
            .sector
            .filter(|_| public)
            .unwrap_or_else(|| SectorCode::parse("RIJK").unwrap());
        let own = domains_of(&app.db, org).await;
        // A body that is not a public employer, with its own (company) domain.
        let mut addresses: Vec<String> = if public {
            Vec::new()
        } else {
            own.iter().map(|d| format!("info@{d}")).collect()
        };
        // The main kinds and the mixed zbo kind get the look-alike treatment.
        if [
            "gemeenten",
            "provincies",
            "waterschappen",
            "ministeries",
            "zbo",
        ]
        .contains(&org.kind.as_str())
        {
            addresses.extend(free_mail.iter().map(|d| format!("medewerker@{d}")));
            for d in own.iter().filter(|d| d.is_ascii()) {
                addresses.push(format!("medewerker@{d}.example"));
                addresses.push(format!("medewerker@{}.example", d.replace('.', "-")));
                // Homoglyphs: a Cyrillic е, a Greek ο.
                for (latin, other) in [('e', "е"), ('o', "ο")] {
                    if d.contains(latin) {
                        addresses.push(format!("medewerker@{}", d.replacen(latin, other, 1)));
                    }
                }
                addresses.push(format!("medewerker@xn--{}", d.replacen('.', "-9ja.", 1)));
                addresses.push(format!("medewerker@student.{d}"));
            }
        }
        for address in addresses {
            let Ok(_) = Email::parse(&address) else {
                continue; // not even an address
            };
            checked += 1;
            let decision = decide(&app.db, &org.name, claimed, &address).await;
            if decision.decision == Eligible {
                failures.push(format!("{} at {address}: eligible", org.name));
            }
        }
    }
    eprintln!("{checked} addresses checked");
    assert!(checked > 5_000, "{checked}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[rocket::async_test]
async fn the_curated_corrections_close_the_data_gaps_of_the_extract() {
    use aanmeldpunt::domain::EligibilityDecision::*;
    let app = shipped_app().await;
    for (name, sector, email) in [
        (
            "Ministerie van Onderwijs, Cultuur en Wetenschap",
            "RIJK",
            "a@minocw.nl",
        ),
        ("Politie", "POL", "agent@politie.nl"),
        ("Belastingdienst", "RIJK", "inspecteur@belastingdienst.nl"),
        ("Ministerie van Defensie", "DEF", "k@mindef.nl"),
        ("Provincie Friesland", "PROV", "p@fryslan.frl"),
        ("Rijksuniversiteit Groningen", "WO", "hr@rug.nl"),
        ("Universiteit Utrecht", "WO", "hr@uu.nl"),
        ("Hogeschool van Amsterdam", "HBO", "inkoop@hva.nl"),
        ("ROC Mondriaan", "MBO", "inkoop@rocmondriaan.nl"),
        ("UMC Utrecht", "UMC", "inkoop@umcutrecht.nl"),
        ("Centraal Bureau voor de Statistiek", "RIJK", "x@cbs.nl"),
    ] {
        let decision = decide(&app.db, name, SectorCode::parse(sector).unwrap(), email).await;
        assert_eq!(
            decision.decision,
            Eligible,
            "{name} {email}: {}",
            decision.reason(aanmeldpunt::domain::Lang::Nl)
        );
    }
    // Care offices of health insurers and a club filed as zbo: refused.
    for (name, email) in [
        ("CZ zorgkantoor", "medewerker@cz.nl"),
        ("Zilveren Kruis Zorgkantoor", "medewerker@zilverenkruis.nl"),
        ("Zorgkantoor Menzis", "medewerker@menzis.nl"),
        ("a.s.r.", "medewerker@asr.nl"),
        ("ANWB", "medewerker@anwb.nl"),
    ] {
        let decision = decide(&app.db, name, SectorCode::parse("RIJK").unwrap(), email).await;
        assert_eq!(decision.decision, Ineligible, "{name} {email}");
    }
    // Doubtful bodies go to staff.
    for (name, email) in [("TNO", "x@tno.nl"), ("Stichting Nidos", "x@nidos.nl")] {
        let decision = decide(&app.db, name, SectorCode::parse("RIJK").unwrap(), email).await;
        assert_eq!(decision.decision, NeedsReview, "{name} {email}");
    }
}
