//! Dutch first, English on request: the switch changes the page's
//! language and `<html lang>` with it, and the choice sticks.
use crate::page::E2e;
use crate::seed::EVENT;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_changes_the_page_and_its_lang_attribute() {
    let Some(e2e) = E2e::start("languages").await else {
        return;
    };
    e2e.goto("/").await;
    assert_eq!(e2e.html_lang().await, "nl");
    assert_eq!(e2e.text("h1").await, "Bijeenkomsten");
    let switch = e2e.find("a[hreflang=en]").await;
    assert_eq!(
        switch.attr("lang").await.ok().flatten().as_deref(),
        Some("en")
    );
    assert_eq!(switch.text().await.ok().as_deref(), Some("English"));

    e2e.click_and_wait("a[hreflang=en]").await;
    assert_eq!(e2e.html_lang().await, "en");
    assert_eq!(e2e.text("h1").await, "Meetings");
    e2e.check("event list in English").await;

    // The choice is remembered: pages without ?lang stay English.
    for (path, heading) in [
        ("/pilots", "Pilots"),
        ("/privacy", "Privacy statement"),
        ("/admin/login", "Back office log-in"),
    ] {
        e2e.goto(path).await;
        assert_eq!(e2e.html_lang().await, "en", "{path}");
        assert_eq!(e2e.text("h1").await, heading);
    }
    e2e.goto(&format!("/events/{EVENT}")).await;
    assert_eq!(e2e.text("label[for=name]").await, "Name *");
    e2e.check("event page in English").await;

    e2e.click_and_wait("a[hreflang=nl]").await;
    assert_eq!(e2e.html_lang().await, "nl");
    assert_eq!(e2e.text("label[for=name]").await, "Naam *");
    e2e.goto("/pilots").await;
    assert_eq!(e2e.html_lang().await, "nl");
    e2e.finish().await;
}
