//! A visitor signs up for the meeting, reads the confirmation mail, and
//! cancels through the personal link in it.
use crate::page::E2e;
use crate::seed::EVENT;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_signs_up_and_cancels_through_the_link_in_the_mail() {
    let Some(e2e) = E2e::start("sign_up_and_cancel").await else {
        return;
    };
    e2e.visit("/", "event list").await;
    assert_eq!(e2e.html_lang().await, "nl", "a Dutch browser gets Dutch");
    e2e.click_and_wait(&format!("main a[href^='/events/{EVENT}']"))
        .await;
    e2e.check("event page").await;

    e2e.fill("#name", "Anna de Vries").await;
    e2e.fill("#email", "anna@utrecht.nl").await;
    e2e.fill("#organisation", "Gemeente Utrecht").await;
    e2e.select("#sector", "GEM").await;
    e2e.fill("#remarks", "Ik kom met een rolstoel.").await;
    e2e.click_and_wait("main form button[type=submit]").await;

    assert!(
        e2e.current_path()
            .await
            .starts_with(&format!("/events/{EVENT}/thanks/")),
        "the thank-you page follows"
    );
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Uw aanmelding is bevestigd"));
    e2e.check("thank-you page").await;

    let mail = e2e
        .server
        .mail_to(
            "anna@utrecht.nl",
            "Bevestiging: Partnerships voor meer banen",
        )
        .await;
    let manage = e2e.server.link_in(&mail, "/manage/");
    e2e.goto(&manage).await;
    let details = e2e.text("main .facts").await;
    assert!(details.contains("Anna de Vries") && details.contains("Bevestigd"));
    e2e.check("manage page").await;

    // Cancelling asks first, on a page of its own.
    e2e.click_and_wait("main a[href*='/cancel']").await;
    assert!(e2e.text("main h1").await.contains("Aanmelding annuleren"));
    assert!(e2e
        .text("main .notice")
        .await
        .contains("Dit kunt u niet ongedaan maken"));
    e2e.check("cancel, are you sure").await;
    e2e.click_and_wait("main form button.button-danger").await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Uw aanmelding is geannuleerd"));
    assert!(e2e.text("main .facts").await.contains("Geannuleerd"));
    e2e.check("cancelled").await;
    e2e.server.mail_to("anna@utrecht.nl", "Geannuleerd").await;
    e2e.finish().await;
}
