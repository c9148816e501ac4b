//! Pilot applications: a municipality from the register gets in after
//! confirming its address; a cleaning company is told why it cannot.
use crate::page::E2e;
use crate::seed::{self, PILOT};

async fn fill_the_rest(e2e: &E2e, sector: &str, email: &str) {
    e2e.select("#sector", sector).await;
    e2e.fill("#contact_name", "Anna de Vries").await;
    e2e.fill("#email", email).await;
    e2e.fill(
        "#current_suppliers",
        "Schoonmaakbedrijf Glans, contract tot 2027",
    )
    .await;
    e2e.fill(
        "#motivation",
        "Wij willen via ons schoonmaakcontract banen creëren.",
    )
    .await;
    e2e.fill("#expected_jobs", "4").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_municipality_in_the_register_applies_and_confirms_its_address() {
    let Some(e2e) = E2e::start("pilot_eligible").await else {
        return;
    };
    seed::register(&e2e.server).await;
    e2e.visit("/pilots", "pilot list").await;
    e2e.click_and_wait(&format!("main a[href^='/pilots/{PILOT}/apply']"))
        .await;
    e2e.check("application form").await;

    // The address is one of the municipality's own: a loosely typed name
    // needs no choosing.
    e2e.fill("#organisation", "Gem. Utrecht").await;
    fill_the_rest(&e2e, "GEM", "anna@utrecht.nl").await;
    e2e.click_and_wait("main form button[type=submit]").await;

    assert!(e2e.current_path().await.contains("/applied/"));
    assert!(e2e.text("[role=status]").await.contains("Bijna klaar"));
    e2e.check("check your mail").await;

    let mail = e2e
        .server
        .mail_to("anna@utrecht.nl", "Bevestig uw aanmelding")
        .await;
    e2e.goto(&e2e.server.link_in(&mail, "/applications/verify/"))
        .await;
    e2e.click_and_wait("main form button[type=submit]").await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("uw e-mailadres is bevestigd"));
    assert!(e2e
        .text("main .facts")
        .await
        .contains("Ontvangen, in behandeling"));
    e2e.check("address confirmed").await;

    e2e.server
        .mail_to("anna@utrecht.nl", "Aanmelding ontvangen")
        .await;
    e2e.goto(&e2e.server.link_in(&mail, "/applications/")).await;
    e2e.check("application status with withdraw").await;
    e2e.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleaning_company_is_told_it_cannot_apply_and_why() {
    let Some(e2e) = E2e::start("pilot_ineligible").await else {
        return;
    };
    seed::register(&e2e.server).await;
    e2e.goto(&format!("/pilots/{PILOT}/apply")).await;
    e2e.fill("#organisation", "Schoonmaakbedrijf Glans BV")
        .await;
    fill_the_rest(&e2e, "OVERIG", "info@glans.nl").await;
    e2e.click_and_wait("main form button[type=submit]").await;

    assert_eq!(
        e2e.text("h1").await,
        "Aanmelden voor de proeftuin is niet mogelijk"
    );
    let body = e2e.body_text().await;
    assert!(body.contains("alleen voor werkgevers uit de sectoren Overheid en Onderwijs"));
    assert!(body.contains("Uw gegevens zijn niet opgeslagen"));
    assert!(
        !e2e.text("[role=alert]").await.is_empty(),
        "the reason is given"
    );
    e2e.check("refusal").await;
    e2e.click_and_wait("main a.button").await;
    assert_eq!(
        e2e.current_path().await,
        "/",
        "pointed to the open meetings"
    );
    e2e.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_the_register_cannot_place_offers_entries_to_choose_from() {
    let Some(e2e) = E2e::start("pilot_choose").await else {
        return;
    };
    seed::register(&e2e.server).await;
    e2e.goto(&format!("/pilots/{PILOT}/apply")).await;
    // "Utrecht" is the municipality and the province, and a private
    // address says neither.
    e2e.fill("#organisation", "Utrecht").await;
    fill_the_rest(&e2e, "GEM", "anna.de.vries@gmail.com").await;
    e2e.click_and_wait("main form button[type=submit]").await;
    assert!(e2e
        .text("[role=alert]")
        .await
        .contains("We vonden meer organisaties"));
    e2e.check("choose the organisation").await;
    let choice = e2e
        .js(
            "return [...document.querySelectorAll('input[name=organisation_id]')]\
             .find((r) => r.labels[0].textContent.trim() === 'Gemeente Utrecht').id;",
        )
        .await;
    e2e.find(&format!(
        "#{}",
        choice.as_str().expect("a radio for the municipality")
    ))
    .await
    .click()
    .await
    .expect("the radio is chosen");
    e2e.click_and_wait("main form button[type=submit]").await;
    assert!(e2e.current_path().await.contains("/applied/"));
    e2e.check("check your mail after choosing").await;
    e2e.finish().await;
}
