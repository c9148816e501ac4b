//! Every back-office page, in Dutch and in English, passes axe (WCAG 2.1
//! AA), with enough data on it that every kind of row and button shows.
use aanmeldpunt::domain::Role;
use aanmeldpunt::services::applications;

use crate::page::E2e;
use crate::seed::{self, EVENT, PILOT};

/// Buttons whose accessible text occurs more than once on the page: in a
/// list of buttons a screen reader user cannot tell them apart.
const SAME_NAMED_BUTTONS: &str = r#"
const names = [...document.querySelectorAll('main button')].map((b) => b.textContent.trim());
return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_back_office_page_passes_axe_in_dutch_and_english() {
    let Some(e2e) = E2e::start("back_office_pages").await else {
        return;
    };
    let server = &e2e.server;
    seed::register(server).await;
    let anna = seed::sign_up(server, "Anna de Vries", "anna@utrecht.nl", "Rolstoel").await;
    seed::sign_up(server, "Bram Jansen", "bram@utrecht.nl", "Vegetarisch").await;
    let check_in = seed::check_in_token(server, anna).await;
    seed::application(server, "Gemeente Utrecht", "GEM", "anna@utrecht.nl").await;
    seed::application(
        server,
        "Stichting Publieke Taak",
        "GEM",
        "info@publieketaak.nl",
    )
    .await;
    let accepted = seed::application(
        server,
        "Provincie Utrecht",
        "PROV",
        "inkoop@provincie-utrecht.nl",
    )
    .await;
    applications::decide(
        &server.services,
        accepted,
        true,
        "e2e",
        "Welkom in de proeftuin.",
    )
    .await
    .expect("the application is accepted");
    seed::started_partnership(server, "Gemeente Utrecht").await;
    // A colleague applies too: a second application of the organisation.
    seed::application(server, "Gemeente Utrecht", "GEM", "bram@utrecht.nl").await;
    let utrecht = seed::organisation_id(server, "Gemeente Utrecht").await;
    server.mail_to("bram@utrecht.nl", "Bevestiging").await;
    seed::fail_a_mail(server).await;

    e2e.visit("/admin/login", "log-in").await;
    e2e.fill("#email", "admin@dnz.nl").await;
    e2e.fill("#password", "verkeerd wachtwoord").await;
    e2e.click_and_wait("main form button[type=submit]").await;
    assert!(e2e.text("[role=alert]").await.contains("klopt niet"));
    e2e.check("log-in, wrong password").await;
    e2e.log_in_as(Role::Admin).await;

    for lang in ["nl", "en"] {
        let pages = [
            "/admin".to_owned(),
            "/admin/events/new".to_owned(),
            format!("/admin/events/{EVENT}/edit"),
            format!("/admin/events/{EVENT}/attendees"),
            format!("/admin/events/{EVENT}/attendees?status=confirmed&q=Anna"),
            format!("/admin/events/{EVENT}/sectors"),
            format!("/admin/events/{EVENT}/checkin"),
            format!("/admin/checkin/{check_in}"),
            format!("/admin/registrations/{anna}/erase"),
            "/admin/mail".to_owned(),
            "/admin/mail?failed=true".to_owned(),
            format!("/admin/events/{EVENT}/messages"),
            "/admin/applications".to_owned(),
            "/admin/pilots".to_owned(),
            "/admin/pilots/new".to_owned(),
            format!("/admin/pilots/{PILOT}/edit"),
            "/admin/partnerships".to_owned(),
            "/admin/partnerships/dashboard".to_owned(),
            "/admin/accounts".to_owned(),
            "/admin/audit".to_owned(),
            "/admin/me".to_owned(),
            "/admin/register".to_owned(),
            "/admin/register?q=Utrecht".to_owned(),
            format!("/admin/register/organisations/{utrecht}"),
        ];
        for path in pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            let label = path.replace(&check_in, "scanned-code");
            e2e.visit(
                &format!("{path}{sep}lang={lang}"),
                &format!("{lang} {label}"),
            )
            .await;
            assert_eq!(e2e.html_lang().await, lang, "{path}");
            assert!(e2e.find("h1").await.is_displayed().await.unwrap_or(false));
            let repeated = e2e.js(SAME_NAMED_BUTTONS).await;
            assert_eq!(
                repeated,
                serde_json::json!([]),
                "buttons that say the same on {path}"
            );
        }

        e2e.goto(&format!("/admin/events/new?lang={lang}")).await;
        e2e.click_and_wait("main form[action='/admin/events/new'] button[type=submit]")
            .await;
        assert!(e2e
            .find("[aria-invalid=true]")
            .await
            .is_displayed()
            .await
            .unwrap_or(false));
        e2e.check(&format!("{lang} new event with errors")).await;

        e2e.goto(&format!("/admin/pilots/new?lang={lang}")).await;
        e2e.js("document.querySelectorAll('#sectors input').forEach((box) => { box.checked = false; }); return null;")
            .await;
        e2e.click_and_wait("main form[action='/admin/pilots/new'] button[type=submit]")
            .await;
        assert!(e2e
            .find("#sectors-error")
            .await
            .is_displayed()
            .await
            .unwrap_or(false));
        e2e.check(&format!("{lang} new pilot with errors")).await;

        // Moving a meeting with people signed up: first who will be told.
        e2e.goto(&format!("/admin/events/{EVENT}/edit?lang={lang}"))
            .await;
        e2e.fill("#location", "Utrecht, Stadhuis").await;
        e2e.click_and_wait("main form[action$='/edit'] button[type=submit]")
            .await;
        assert!(e2e
            .find("button[name=notify][value=nobody]")
            .await
            .is_displayed()
            .await
            .unwrap_or(false));
        e2e.check(&format!("{lang} moving a meeting, the question"))
            .await;

        // Adding a domain: first what it would change.
        e2e.goto(&format!(
            "/admin/register/organisations/{utrecht}?lang={lang}"
        ))
        .await;
        e2e.fill("#domain", "utrecht.org").await;
        e2e.fill("#domain-reason", "Tweede domein van de gemeente")
            .await;
        e2e.click_and_wait("main form[action$='/domains'] button[type=submit]")
            .await;
        assert!(e2e.text("h1").await.contains("utrecht.org"));
        e2e.check(&format!("{lang} add a domain, preview")).await;
    }

    // The door before the meeting's day: refused with a reason and a
    // second button; that lets Anna in, and her scanned code says so.
    seed::meeting_at(server, chrono::Utc::now() + chrono::Duration::days(20)).await;
    e2e.goto(&format!("/admin/events/{EVENT}/checkin?lang=nl"))
        .await;
    e2e.click_and_wait(&format!("#attendee-{anna} form[action*='/checkin'] button"))
        .await;
    assert!(e2e
        .text("[role=alert]")
        .await
        .contains("kan alleen op de dag van de bijeenkomst"));
    e2e.check("door, refused before the day").await;
    e2e.click_and_wait("main [role=alert] form button").await;
    assert!(e2e.text("[role=status]").await.contains("is binnen"));
    e2e.check("door after a check-in").await;
    e2e.visit(
        &format!("/admin/events/{EVENT}/checkin?lang=en&checked_in={anna}"),
        "en door after a check-in",
    )
    .await;
    assert!(e2e.text("[role=status]").await.contains("is checked in"));
    e2e.visit(&format!("/admin/checkin/{check_in}"), "scanned, already in")
        .await;
    assert!(e2e.text("[role=status]").await.contains("checked in"));
    e2e.finish().await;
}
