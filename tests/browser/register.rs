//! Programme staff vouch for one application and add a domain to an
//! organisation, seeing first which applications it changes.
use aanmeldpunt::domain::Role;

use crate::page::E2e;
use crate::seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programme_staff_vouch_for_an_application_and_add_a_domain() {
    let Some(e2e) = E2e::start("register_staff").await else {
        return;
    };
    let server = &e2e.server;
    seed::register(server).await;
    let private =
        seed::application(server, "Gemeente Utrecht", "GEM", "anna.utrecht@gmail.com").await;
    seed::application(server, "Gemeente Utrecht", "GEM", "bert@utrecht.org").await;
    e2e.log_in_as(Role::Programme).await;

    e2e.visit("/admin/applications", "applications to review")
        .await;
    e2e.fill(
        &format!("#vouch-{private}"),
        "Gebeld met de afdeling inkoop",
    )
    .await;
    e2e.click_and_wait(&format!(
        "main form[action='/admin/applications/{private}/vouch'] button"
    ))
    .await;
    assert!(e2e
        .body_text()
        .await
        .contains("Gebeld met de afdeling inkoop"));
    e2e.check("applications after vouching").await;

    e2e.visit("/admin/register", "register").await;
    assert!(e2e
        .text("[role=alert]")
        .await
        .contains("ouder dan 6 maanden"));
    e2e.fill("#q", "Utrecht").await;
    e2e.click_and_wait("main form[action='/admin/register'] button")
        .await;
    e2e.click_and_wait("main a[href^='/admin/register/organisations/']")
        .await;
    assert_eq!(e2e.text("h1").await, "Gemeente Utrecht");
    e2e.check("organisation").await;

    e2e.fill("#domain", "utrecht.org").await;
    e2e.fill("#domain-reason", "Tweede domein van de gemeente")
        .await;
    e2e.click_and_wait("main form[action$='/domains'] button[type=submit]")
        .await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("1 open aanmelding"));
    e2e.check("domain preview").await;
    e2e.click_and_wait("main form[action$='/domains'] button[type=submit]")
        .await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("1 aanmelding(en) opnieuw beoordeeld"));
    e2e.check("domain added").await;
    e2e.finish().await;
}
