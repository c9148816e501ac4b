//! The HTML part of the mails, opened as a page: what a narrow mail
//! client shows. Checked like every page (axe at 1280 and 390 px, reflow
//! at 320 px) and looked at in the screenshots.
use crate::page::E2e;
use crate::seed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mails_read_well_as_pages_on_a_phone() {
    let Some(e2e) = E2e::start("mails").await else {
        return;
    };
    seed::sign_up(&e2e.server, "Anna de Vries", "anna@utrecht.nl", "").await;
    let confirmed = e2e
        .server
        .mail_to(
            "anna@utrecht.nl",
            "Bevestiging: Partnerships voor meer banen",
        )
        .await;
    let folder = tempfile::tempdir().expect("a folder for the mail");
    let file = folder.path().join("confirmation.html");
    std::fs::write(&file, &confirmed.html).expect("the mail is written");
    e2e.client
        .goto(&format!("file://{}", file.display()))
        .await
        .expect("the mail opens");
    assert_eq!(e2e.html_lang().await, "nl");
    assert_eq!(
        e2e.client.title().await.expect("a title"),
        confirmed.subject
    );
    assert_eq!(
        e2e.js("return document.querySelectorAll('h1').length;")
            .await,
        1
    );
    assert_eq!(
        e2e.js("return document.querySelectorAll('main').length;")
            .await,
        1
    );
    e2e.check("confirmation mail").await;
    e2e.finish().await;
}
