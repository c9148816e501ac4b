//! Every public page, in Dutch and in English, passes axe (WCAG 2.1 AA).
use aanmeldpunt::services::registrations;

use crate::page::E2e;
use crate::seed::{self, EVENT, PAST_EVENT, PILOT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_passes_axe_in_dutch_and_english() {
    let Some(e2e) = E2e::start("public_pages").await else {
        return;
    };
    let server = &e2e.server;
    seed::register(server).await;
    seed::sign_up(server, "Anna de Vries", "anna@utrecht.nl", "Rolstoel").await;
    seed::sign_up(server, "Bram Jansen", "bram@utrecht.nl", "").await;
    let manage = |mail: crate::server::Mail| server.link_in(&mail, "/manage/");
    let anna_link = manage(server.mail_to("anna@utrecht.nl", "Bevestiging").await);
    let bram_link = manage(server.mail_to("bram@utrecht.nl", "Bevestiging").await);
    let bram_token = bram_link.rsplit('/').next().unwrap_or_default();
    registrations::cancel(&server.services, bram_token)
        .await
        .expect("Bram cancels");
    let application = seed::application(server, "Gemeente Utrecht", "GEM", "anna@utrecht.nl").await;
    let verify_mail = server
        .mail_to("anna@utrecht.nl", "Bevestig uw aanmelding")
        .await;
    let application_link = server.link_in(&verify_mail, "/applications/");
    let confirm_link = server.link_in(&verify_mail, "/applications/verify/");

    e2e.visit(
        &format!("/applications/verify/{}", "x".repeat(43)),
        "unknown verification link",
    )
    .await;
    for lang in ["nl", "en"] {
        let q = format!("?lang={lang}");
        let pages = [
            ("/".to_owned(), "event list"),
            (format!("/events/{EVENT}"), "event page"),
            (format!("/events/{PAST_EVENT}"), "past event"),
            (anna_link.clone(), "manage"),
            (format!("{anna_link}/erase"), "erase, confirm"),
            (bram_link.clone(), "manage, cancelled"),
            ("/privacy".to_owned(), "privacy"),
            ("/privacy?erased=true".to_owned(), "privacy, erased"),
            ("/pilots".to_owned(), "pilot list"),
            (format!("/pilots/{PILOT}/apply"), "application form"),
            (
                format!("/pilots/{PILOT}/applied/{application}"),
                "check your mail",
            ),
            (
                format!("/pilots/{PILOT}/applied/{application}?resent=true"),
                "mail sent again",
            ),
            (application_link.clone(), "application status"),
            (
                format!("{application_link}/erase"),
                "erase application, confirm",
            ),
            (confirm_link.clone(), "address confirmed already"),
            ("/events/bestaat-niet".to_owned(), "unknown event (404)"),
            ("/nergens".to_owned(), "unknown page (404)"),
            (format!("/manage/{}", "x".repeat(43)), "unknown manage link"),
        ];
        for (path, label) in pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            e2e.visit(
                &format!("{path}{sep}lang={lang}"),
                &format!("{lang} {label}"),
            )
            .await;
            assert_eq!(e2e.html_lang().await, lang, "{path}");
            e2e.check_reflow(label).await;
        }

        e2e.goto(&format!("/events/{EVENT}{q}")).await;
        e2e.click_and_wait("main form button[type=submit]").await;
        e2e.check(&format!("{lang} sign-up form with errors")).await;

        e2e.goto(&format!("/pilots/{PILOT}/apply{q}")).await;
        e2e.click_and_wait("main form button[type=submit]").await;
        e2e.check(&format!("{lang} application form with errors"))
            .await;

        e2e.goto(&format!("/pilots/{PILOT}/apply{q}")).await;
        e2e.fill("#organisation", "Gemeente Utrec").await;
        e2e.select("#sector", "GEM").await;
        e2e.fill("#contact_name", "Anna de Vries").await;
        e2e.fill("#email", "inkoop@utrecht.nl").await;
        e2e.fill("#current_suppliers", "Glans").await;
        e2e.fill("#motivation", "Banen").await;
        e2e.fill("#expected_jobs", "2").await;
        e2e.click_and_wait("main form button[type=submit]").await;
        e2e.check(&format!("{lang} choose the organisation")).await;

        e2e.goto(&format!("/pilots/{PILOT}/apply{q}")).await;
        e2e.fill("#organisation", "Schoonmaakbedrijf Glans BV")
            .await;
        e2e.select("#sector", "OVERIG").await;
        e2e.fill("#contact_name", "Piet Glans").await;
        e2e.fill("#email", "piet@glans.nl").await;
        e2e.fill("#current_suppliers", "Geen").await;
        e2e.fill("#motivation", "Banen").await;
        e2e.fill("#expected_jobs", "2").await;
        e2e.click_and_wait("main form button[type=submit]").await;
        e2e.check(&format!("{lang} not eligible")).await;
    }
    e2e.finish().await;
}
