//! The eligibility decision, class by class: how names are spelled, which
//! kinds map to which sector, the e-mail domain identifying the
//! organisation, and the domains that never prove anything.
use aanmeldpunt::domain::{EligibilityDecision, Email, SectorCode};
use aanmeldpunt::entities::{organisation, organisation_domain};
use aanmeldpunt::services::eligibility::{self, Claim, Decision};
use aanmeldpunt::services::register::RegisterFormat;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{spawn_app, TestApp};

use EligibilityDecision::{Eligible, Ineligible, NeedsReview};

/// Rows in the ROO extract's layout (with its real register ids where the
/// corrections file has something to say about them).
pub const CLASSES: &str = "\
roo_retrieved,polder_id,folder,name,abbr,tooi,organisatiecode,oin,kvk,website_domain,email_domains,overheidswerkgever,cao,current_guess
2026-05-16,org:gemeente-utrecht,gemeenten,Gemeente Utrecht,Utrecht,,gm0344,,,utrecht.nl,utrecht.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-etten-leur,gemeenten,Gemeente Etten-Leur,Etten-Leur,,gm0777,,,etten-leur.nl,etten-leur.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-sudwest-fryslan,gemeenten,Gemeente Súdwest-Fryslân,Súdwest-Fryslân,,gm1900,,,sudwestfryslan.nl,sudwestfryslan.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-s-hertogenbosch,gemeenten,Gemeente 's-Hertogenbosch,'s-Hertogenbosch,,gm0796,,,s-hertogenbosch.nl,s-hertogenbosch.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-bergen-l,gemeenten,Gemeente Bergen (L),Bergen (L),,gm0893,,,bergen.nl,bergen.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-bergen-nh,gemeenten,Gemeente Bergen (NH),Bergen (NH),,gm0373,,,bergen-nh.nl,bergen-nh.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gr-odrivierenland,gemeenschappelijke-regelingen,Omgevingsdienst Rivierenland,,,,,,odrivierenland.nl,odrivierenland.nl,,,ja
2026-05-16,org:gr-schadevergoedingsschap,gemeenschappelijke-regelingen,Schadevergoedingsschap HSL-Zuid,,,,,,,outlook.com;linkedin.com,,,ja
2026-05-16,org:prov-ut,provincies,Provincie Utrecht,UT,,,,,provincie-utrecht.nl,provincie-utrecht.nl,ja,1637 - PROVINCIALE SECTOR,ja
2026-05-16,org:prov-fr,provincies,Provincie Fryslân,FR,,,,,fryslan.frl,fryslan.frl,ja,1637 - PROVINCIALE SECTOR,ja
2026-05-16,org:waterschap-aa-en-maas,waterschappen,Aa en Maas,,,,,,aaenmaas.nl,aaenmaas.nl,ja,1294 - WERKEN VOOR WATERSCHAPPEN,ja
2026-05-16,org:waterschap-rijnland,waterschappen,Hoogheemraadschap van Rijnland,,,,,,rijnland.net,rijnland.net,ja,1294 - WERKEN VOOR WATERSCHAPPEN,ja
2026-05-16,org:min-az,ministeries,Algemene Zaken,AZ,,,,,rijksoverheid.nl,minaz.nl,ja,CAO Rijk,ja
2026-05-16,org:min-bzk,ministeries,Binnenlandse Zaken en Koninkrijksrelaties,BZK,,,,,rijksoverheid.nl,minbzk.nl,ja,CAO Rijk,ja
2026-05-16,org:min-def,ministeries,Defensie,Def,,,,,defensie.nl,mindef.nl,ja,,ja
2026-05-16,org:agentschap-rws,agentschappen,Rijkswaterstaat,RWS,,,,,rijkswaterstaat.nl,,ja,CAO Rijk,ja
2026-05-16,org:zbo-ksa,zbo,Kansspelautoriteit,Ksa,,,,,kansspelautoriteit.nl,kansspelautoriteit.nl,ja,CAO Rijk,ja
2026-05-16,org:zbo-politieacademie,zbo,Politieacademie,,,,,,politieacademie.nl,politieacademie.nl,ja,Arbeidsvoorwaarden Sector Politie,ja
2026-05-16,org:zbo-cz-zorgkantoor-bv,zbo,CZ zorgkantoor B.V.,,,,,,cz-zorgkantoor.nl,cz.nl,,,ja
2026-05-16,org:zbo-tno,zbo,Nederlandse organisatie voor toegepast-natuurwetenschappelijk onderzoek,TNO,,,,,tno.nl,tno.nl,,,ja
2026-05-16,org:oovb-stichting-x,rwt,Stichting Publieke Taak,,,,,,publieketaak.nl,publieketaak.nl,,,ja
2026-05-16,org:rm-rb-midden-nederland,rechterlijke-macht,Rechtbank Midden-Nederland,,,,,,rechtspraak.nl,rechtspraak.nl,ja,,ja
2026-05-16,org:politie,politie-om,Politie,PDC,,,,,,,,,ja
2026-05-16,org:bes-olb,caribisch-nederland,Openbaar Lichaam Bonaire,OLB,,,,,bonairegov.com,bonairegov.com,,,ja
";

async fn app() -> TestApp {
    let app = spawn_app().await;
    let report = app
        .import_register(CLASSES, RegisterFormat::Roo)
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    app.import_register(
        "id,name,abbr,sector,domains,source\nuu,Universiteit Utrecht,UU,WO,uu.nl,test\nhva,Hogeschool van Amsterdam,HvA,HBO,hva.nl,test\nrocmn,ROC Midden Nederland,,MBO,rocmn.nl,test\numcu,UMC Utrecht,,UMC,umcutrecht.nl,test\n",
        RegisterFormat::Curated,
    )
    .await
    .unwrap();
    app
}

async fn decide(app: &TestApp, name: &str, sector: &str, email: &str) -> Decision {
    let email = Email::parse(email).unwrap();
    eligibility::decide(
        &app.db,
        Claim {
            organisation_id: None,
            organisation_name: name,
            sector: SectorCode::parse(sector).unwrap(),
            email: &email,
            sectors: aanmeldpunt::domain::PilotSectors::all_public(),
        },
    )
    .await
    .unwrap()
}

fn named(decision: &Decision) -> Option<&str> {
    decision.organisation.as_ref().map(|o| o.name.as_str())
}

/// Found by name alone: a private address proves nothing, so the decision
/// is review, but the register entry is the right one.
async fn found_by_name(app: &TestApp, typed: &str, expected: &str) {
    let decision = decide(app, typed, "GEM", "iemand@gmail.com").await;
    assert_eq!(named(&decision), Some(expected), "{typed:?}");
    assert_eq!(decision.decision, NeedsReview, "{typed:?}");
}

#[rocket::async_test]
async fn kind_words_in_front_are_understood() {
    let app = app().await;
    for (typed, expected) in [
        ("Gemeente Utrecht", "Gemeente Utrecht"),
        ("Gem. Utrecht", "Gemeente Utrecht"),
        ("Provincie Utrecht", "Provincie Utrecht"),
        ("Prov. Utrecht", "Provincie Utrecht"),
        ("Waterschap Aa en Maas", "Aa en Maas"),
        (
            "Hoogheemraadschap Rijnland",
            "Hoogheemraadschap van Rijnland",
        ),
        ("Waterschap Rijnland", "Hoogheemraadschap van Rijnland"),
        ("Ministerie van Algemene Zaken", "Algemene Zaken"),
        ("Min. van BZK", "Binnenlandse Zaken en Koninkrijksrelaties"),
        ("Ministerie van Defensie", "Defensie"),
    ] {
        found_by_name(&app, typed, expected).await;
    }
    // Without a kind word "Utrecht" is two organisations: the name alone
    // does not say which.
    assert_eq!(
        named(&decide(&app, "Utrecht", "GEM", "iemand@gmail.com").await),
        None
    );
}

#[rocket::async_test]
async fn a_hyphen_typed_as_a_space_is_the_same_name() {
    let app = app().await;
    found_by_name(&app, "Etten Leur", "Gemeente Etten-Leur").await;
    found_by_name(&app, "Gemeente Etten Leur", "Gemeente Etten-Leur").await;
    found_by_name(
        &app,
        "Rechtbank Midden Nederland",
        "Rechtbank Midden-Nederland",
    )
    .await;
}

#[rocket::async_test]
async fn names_without_diacritics_are_the_same_name() {
    let app = app().await;
    found_by_name(&app, "Sudwest-Fryslan", "Gemeente Súdwest-Fryslân").await;
    found_by_name(&app, "Gemeente Sudwest Fryslan", "Gemeente Súdwest-Fryslân").await;
    found_by_name(&app, "Provincie Fryslan", "Provincie Fryslân").await;
}

#[rocket::async_test]
async fn a_typographic_apostrophe_is_an_apostrophe() {
    let app = app().await;
    for typed in [
        "’s-Hertogenbosch",
        "‘s-Hertogenbosch",
        "Gemeente ’s Hertogenbosch",
        "s-Hertogenbosch",
    ] {
        found_by_name(&app, typed, "Gemeente 's-Hertogenbosch").await;
    }
}

#[rocket::async_test]
async fn case_and_double_spaces_do_not_count() {
    let app = app().await;
    found_by_name(&app, "  gemeente   UTRECHT ", "Gemeente Utrecht").await;
    found_by_name(&app, "AA  EN  MAAS", "Aa en Maas").await;
}

#[rocket::async_test]
async fn an_alias_from_the_corrections_file_is_a_name() {
    let app = app().await;
    found_by_name(&app, "Provincie Friesland", "Provincie Fryslân").await;
}

/// Each kind of register entry: which sector it gets and what an address
/// on its own domain decides.
macro_rules! kind_test {
    ($test:ident: $name:literal, $email:literal => $decision:expr, $sector:expr) => {
        #[rocket::async_test]
        async fn $test() {
            let app = app().await;
            let decision = decide(&app, $name, "RIJK", $email).await;
            assert_eq!(
                decision.decision,
                $decision,
                "{}",
                decision.reason(aanmeldpunt::domain::Lang::Nl)
            );
            let sector = decision
                .organisation
                .as_ref()
                .and_then(|o| o.sector)
                .map(|s| s.code());
            assert_eq!(sector, $sector);
        }
    };
}

kind_test!(municipalities_are_gemeenten: "Gemeente Utrecht", "a@utrecht.nl" => Eligible, Some("GEM"));
kind_test!(joint_arrangements_are_gemeenten: "Omgevingsdienst Rivierenland", "a@odrivierenland.nl" => Eligible, Some("GEM"));
kind_test!(provinces_are_provincies: "Provincie Utrecht", "a@provincie-utrecht.nl" => Eligible, Some("PROV"));
kind_test!(water_boards_are_waterschappen: "Aa en Maas", "a@aaenmaas.nl" => Eligible, Some("WS"));
kind_test!(ministries_are_rijk: "Algemene Zaken", "a@minaz.nl" => Eligible, Some("RIJK"));
kind_test!(defence_is_its_own_sector: "Defensie", "a@mindef.nl" => Eligible, Some("DEF"));
kind_test!(agencies_are_rijk: "Rijkswaterstaat", "a@rijkswaterstaat.nl" => Eligible, Some("RIJK"));
kind_test!(a_zbo_under_the_cao_rijk_is_rijk: "Kansspelautoriteit", "a@kansspelautoriteit.nl" => Eligible, Some("RIJK"));
kind_test!(a_zbo_under_the_police_cao_is_politie: "Politieacademie", "a@politieacademie.nl" => Eligible, Some("POL"));
kind_test!(a_zbo_without_classification_goes_to_review: "TNO", "a@tno.nl" => NeedsReview, None);
kind_test!(a_health_insurers_care_office_is_a_market_body: "CZ zorgkantoor", "a@cz.nl" => Ineligible, Some("OVERIG"));
kind_test!(a_legal_entity_with_a_public_task_goes_to_review: "Stichting Publieke Taak", "a@publieketaak.nl" => NeedsReview, None);
kind_test!(courts_are_rechterlijke_macht: "Rechtbank Midden-Nederland", "a@rechtspraak.nl" => Eligible, Some("RM"));
kind_test!(the_police_is_politie_with_its_curated_domain: "Politie", "a@politie.nl" => Eligible, Some("POL"));
kind_test!(caribbean_public_bodies_go_to_review: "Openbaar Lichaam Bonaire", "a@bonairegov.com" => NeedsReview, None);
kind_test!(universities_are_wo: "Universiteit Utrecht", "a@uu.nl" => Eligible, Some("WO"));
kind_test!(hogescholen_are_hbo: "Hogeschool van Amsterdam", "a@hva.nl" => Eligible, Some("HBO"));
kind_test!(mbo_colleges_are_mbo: "ROC Midden Nederland", "a@rocmn.nl" => Eligible, Some("MBO"));
kind_test!(university_medical_centres_are_umc: "UMC Utrecht", "a@umcutrecht.nl" => Eligible, Some("UMC"));

#[rocket::async_test]
async fn the_domain_identifies_the_organisation_whatever_name_is_typed() {
    let app = app().await;
    // A province employee typing the city's name is the province.
    let decision = decide(&app, "Utrecht", "PROV", "piet@provincie-utrecht.nl").await;
    assert_eq!(
        (decision.decision, named(&decision)),
        (Eligible, Some("Provincie Utrecht"))
    );
    let decision = decide(&app, "Gemeente Amsterdam", "GEM", "anna@utrecht.nl").await;
    assert_eq!(
        (decision.decision, named(&decision)),
        (Eligible, Some("Gemeente Utrecht"))
    );
    // A subdomain is the parent's.
    let decision = decide(&app, "DGO", "RIJK", "p.jansen@dgo.minbzk.nl").await;
    assert_eq!(
        named(&decision),
        Some("Binnenlandse Zaken en Koninkrijksrelaties")
    );
    assert_eq!(decision.decision, Eligible);
}

#[rocket::async_test]
async fn on_a_shared_domain_the_typed_name_chooses() {
    let app = app().await;
    for (typed, expected) in [
        ("Algemene Zaken", "Algemene Zaken"),
        ("Ministerie van Algemene Zaken", "Algemene Zaken"),
        ("Min. van BZK", "Binnenlandse Zaken en Koninkrijksrelaties"),
        ("bzk", "Binnenlandse Zaken en Koninkrijksrelaties"),
    ] {
        let decision = decide(&app, typed, "RIJK", "a@rijksoverheid.nl").await;
        assert_eq!(
            (decision.decision, named(&decision)),
            (Eligible, Some(expected)),
            "{typed}"
        );
    }
    let unclear = decide(&app, "Rijksoverheid", "RIJK", "a@rijksoverheid.nl").await;
    assert_eq!((unclear.decision, named(&unclear)), (NeedsReview, None));
    assert_eq!(unclear.domain_owners.len(), 2, "offered to choose from");
}

#[rocket::async_test]
async fn two_municipalities_called_bergen_are_two_organisations() {
    let app = app().await;
    let limburg = decide(&app, "Gemeente Bergen", "GEM", "a@bergen.nl").await;
    let holland = decide(&app, "Gemeente Bergen", "GEM", "b@bergen-nh.nl").await;
    assert_eq!(named(&limburg), Some("Gemeente Bergen (L)"));
    assert_eq!(named(&holland), Some("Gemeente Bergen (NH)"));
    assert_eq!((limburg.decision, holland.decision), (Eligible, Eligible));
}

#[rocket::async_test]
async fn free_mail_never_makes_anyone_eligible() {
    let app = app().await;
    for domain in [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.nl",
        "live.nl",
        "icloud.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ziggo.nl",
        "kpnmail.nl",
        "xs4all.nl",
        "planet.nl",
        "home.nl",
        "hetnet.nl",
        "linkedin.com",
        "proton.me",
    ] {
        let decision = decide(&app, "Gemeente Utrecht", "GEM", &format!("anna@{domain}")).await;
        assert_eq!(decision.decision, NeedsReview, "{domain}");
        assert!(
            decision
                .reason(aanmeldpunt::domain::Lang::Nl)
                .contains(domain),
            "{domain}"
        );
    }
}

#[rocket::async_test]
async fn free_mail_domains_in_the_register_are_left_out_on_import() {
    let app = app().await;
    let listed = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::Domain.is_in(["outlook.com", "linkedin.com"]))
        .all(&app.db)
        .await
        .unwrap();
    assert!(listed.is_empty(), "{listed:?}");
    let decision = decide(
        &app,
        "Schadevergoedingsschap HSL-Zuid",
        "GEM",
        "info@outlook.com",
    )
    .await;
    assert_eq!(decision.decision, NeedsReview);
}

#[rocket::async_test]
async fn look_alike_domains_are_never_eligible() {
    let app = app().await;
    for email in [
        "anna@utrecht.nl.example",
        "anna@utrecht-nl.example",
        "anna@utrеcht.nl", // Cyrillic е
        "anna@utrecht.nl.evil.com",
        "anna@xn--utrcht-3ve.nl", // punycode
        "anna@mail-utrecht.nl",
        "anna@student.uu.nl",
    ] {
        let Ok(_) = Email::parse(email) else {
            continue;
        };
        let decision = decide(&app, "Gemeente Utrecht", "GEM", email).await;
        assert_ne!(decision.decision, Eligible, "{email}");
    }
}

#[rocket::async_test]
async fn a_company_domain_of_a_register_entry_never_makes_anyone_eligible() {
    let app = app().await;
    // Whatever public body the applicant names.
    for typed in ["Gemeente Utrecht", "CZ zorgkantoor", "Zorgkantoor"] {
        let decision = decide(&app, typed, "GEM", "medewerker@cz.nl").await;
        assert_eq!(decision.decision, Ineligible, "{typed}");
    }
    let cz = organisation::Entity::find()
        .filter(organisation::Column::RegisterId.eq("org:zbo-cz-zorgkantoor-bv"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cz.sector_basis.as_deref(), Some("correction"));
}
