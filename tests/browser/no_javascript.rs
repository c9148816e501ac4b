//! The journeys that matter, by keyboard alone and without JavaScript: a
//! sign-up with errors and then success, a pilot application through the
//! organisation chooser, and cancelling through its confirmation page.
use fantoccini::key::Key;

use crate::page::E2e;
use crate::seed::{self, EVENT, PILOT};

/// Tabs until the focused element is `target` (see `E2e::focused`).
pub(crate) async fn tab_to(e2e: &E2e, target: &str) {
    for _ in 0..40 {
        if e2e.focused().await == target {
            return;
        }
        e2e.press(Key::Tab).await;
    }
    panic!("tabbing never reached {target}; at {}", e2e.focused().await);
}

/// Presses Enter on what has focus and waits for the next page.
pub(crate) async fn enter_and_wait(e2e: &E2e) {
    e2e.js("window.__e2eStale = true;").await;
    e2e.press(Key::Enter).await;
    e2e.wait_for_new_page().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_with_mistakes_is_put_right_by_keyboard_without_javascript() {
    let Some(e2e) = E2e::start_without_javascript("no_js_sign_up").await else {
        return;
    };
    e2e.goto(&format!("/events/{EVENT}")).await;
    tab_to(&e2e, "name").await;
    e2e.type_text("Kees Toetsenbord").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("kees@").await;
    tab_to(&e2e, "button:Aanmelden").await;
    enter_and_wait(&e2e).await;

    // The summary has focus, so it is what a phone shows and a screen
    // reader reads; its links lead to the fields.
    assert_eq!(
        e2e.js("return document.activeElement.className;").await,
        "error-summary"
    );
    e2e.check("keyboard, errors summarised").await;
    e2e.press(Key::Tab).await;
    assert_eq!(
        e2e.js("return document.activeElement.getAttribute('href');")
            .await,
        "#email",
        "the first error is the first link"
    );
    e2e.press(Key::Enter).await;
    assert_eq!(
        e2e.focused().await,
        "email",
        "the link puts you in the field"
    );
    e2e.js("document.activeElement.select();").await;
    e2e.type_text("kees@utrecht.nl").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("Gemeente Utrecht").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("Gemeenten").await;
    tab_to(&e2e, "button:Aanmelden").await;
    enter_and_wait(&e2e).await;
    assert!(e2e
        .current_path()
        .await
        .starts_with(&format!("/events/{EVENT}/thanks/")));
    e2e.check("keyboard, signed up after corrections").await;

    // Cancelling: the manage link, its question, the red button.
    let mail = e2e
        .server
        .mail_to(
            "kees@utrecht.nl",
            "Bevestiging: Partnerships voor meer banen",
        )
        .await;
    e2e.goto(&e2e.server.link_in(&mail, "/manage/")).await;
    tab_to(&e2e, "a:Aanmelding annuleren").await;
    enter_and_wait(&e2e).await;
    assert!(e2e.current_path().await.ends_with("/cancel"));
    e2e.check("keyboard, asked to confirm the cancel").await;
    tab_to(&e2e, "button:Ja, annuleer mijn aanmelding").await;
    enter_and_wait(&e2e).await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Uw aanmelding is geannuleerd"));
    e2e.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organisation_chooser_works_by_keyboard_without_javascript() {
    let Some(e2e) = E2e::start_without_javascript("no_js_chooser").await else {
        return;
    };
    seed::register(&e2e.server).await;
    e2e.goto(&format!("/pilots/{PILOT}/apply")).await;
    assert_eq!(
        e2e.js("return document.querySelectorAll('#organisation-suggestions option').length;")
            .await,
        0,
        "no script ran: no suggestions while typing"
    );
    e2e.fill("#organisation", "Utrech").await;
    for (field, value) in [
        ("#contact_name", "Anna de Vries"),
        ("#email", "anna.de.vries@gmail.com"),
        ("#current_suppliers", "Schoonmaakbedrijf Glans"),
        ("#motivation", "Meer banen via ons contract."),
        ("#expected_jobs", "2"),
    ] {
        e2e.fill(field, value).await;
    }
    e2e.select("#sector", "PROV").await;
    e2e.click_and_wait("main form button[type=submit]").await;
    let offered = e2e
        .js("return [...document.querySelectorAll('input[name=organisation_id]')].map((r) => \
             ({ label: r.labels[0].textContent.trim(), checked: r.checked, \
                left: r.getBoundingClientRect().right <= r.labels[0].getBoundingClientRect().left, \
                level: Math.abs(r.getBoundingClientRect().top - r.labels[0].getBoundingClientRect().top) < 12 }));")
        .await;
    let offered = offered.as_array().expect("radios");
    assert!(offered.len() >= 3, "{offered:?}");
    assert_eq!(
        offered[0]["label"], "Provincie Utrecht",
        "the sector chosen comes first"
    );
    assert!(
        offered.iter().all(|o| o["checked"] == false),
        "nothing is chosen for the applicant"
    );
    assert!(
        offered
            .iter()
            .all(|o| o["left"] == true && o["level"] == true),
        "each radio sits left of its label, on its line: {offered:?}"
    );
    e2e.check("chooser, nothing chosen").await;

    // Sent without a choice: the summary says what to do.
    tab_to(&e2e, "button:Aanmelding versturen").await;
    enter_and_wait(&e2e).await;
    assert!(e2e
        .text(".error-summary")
        .await
        .contains("Kies uw organisatie uit de lijst"));
    e2e.check("chooser, sent without a choice").await;
    // By keyboard: to the first radio, Space to choose, then send.
    let first = e2e
        .js("return document.querySelector('input[name=organisation_id]').id;")
        .await;
    tab_to(&e2e, first.as_str().expect("an id")).await;
    e2e.press(Key::Space).await;
    tab_to(&e2e, "button:Aanmelding versturen").await;
    enter_and_wait(&e2e).await;
    assert!(e2e.current_path().await.contains("/applied/"));
    e2e.finish().await;
}
