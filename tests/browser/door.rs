//! The door at the door: check someone in and take it back by keyboard
//! alone and without JavaScript, the list staying on their row with the
//! search kept; every state of the page passes axe at both widths.
use aanmeldpunt::domain::Role;
use fantoccini::key::Key;

use crate::no_javascript::{enter_and_wait, tab_to};
use crate::page::E2e;
use crate::seed::{self, EVENT};

async fn fragment(e2e: &E2e) -> String {
    e2e.client
        .current_url()
        .await
        .ok()
        .and_then(|u| u.fragment().map(str::to_owned))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_door_checks_in_and_undoes_by_keyboard_alone() {
    let Some(e2e) = E2e::start("door_keyboard").await else {
        return;
    };
    let server = &e2e.server;
    seed::sign_up(server, "Bram Jansen", "bram@utrecht.nl", "").await;
    let anna = seed::sign_up(server, "Anna de Vries", "anna@utrecht.nl", "").await;
    seed::meeting_now(server).await;
    e2e.log_in_as(Role::Organiser).await;
    e2e.visit(&format!("/admin/events/{EVENT}/checkin"), "door")
        .await;
    assert!(e2e.text("main").await.contains("0 van 2 binnen"));

    tab_to(&e2e, "button:Binnen: Anna de Vries").await;
    enter_and_wait(&e2e).await;
    assert_eq!(fragment(&e2e).await, format!("attendee-{anna}"));
    let notice = e2e
        .text(&format!("#attendee-{anna} + tr [role=status]"))
        .await;
    assert!(notice.contains("Anna de Vries is binnen."), "{notice}");
    assert!(e2e.text("main").await.contains("1 van 2 binnen"));
    // The page stays on her row: the next key reaches the undo under it.
    e2e.press(Key::Tab).await;
    assert_eq!(e2e.focused().await, "button:Ongedaan maken: Anna de Vries");
    e2e.check("door, Anna checked in").await;

    enter_and_wait(&e2e).await;
    assert_eq!(fragment(&e2e).await, format!("attendee-{anna}"));
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Inchecken van Anna de Vries is ongedaan gemaakt."));
    assert!(e2e.text("main").await.contains("0 van 2 binnen"));
    e2e.press(Key::Tab).await;
    assert_eq!(
        e2e.focused().await,
        "button:Binnen: Anna de Vries",
        "her button is back, next in line"
    );
    e2e.check("door, check-in undone").await;

    e2e.visit(
        &format!("/admin/events/{EVENT}/checkin?lang=en&checked_in={anna}"),
        "en door, nobody just in",
    )
    .await;
    assert!(e2e.text("main").await.contains("0 of 2 checked in"));
    e2e.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_door_checks_in_and_undoes_without_javascript_keeping_the_search() {
    let Some(e2e) = E2e::start_without_javascript("door_no_js").await else {
        return;
    };
    let server = &e2e.server;
    seed::sign_up(server, "Anna de Vries", "anna@utrecht.nl", "").await;
    let bram = seed::sign_up(server, "Bram Jansen", "bram@utrecht.nl", "").await;
    seed::meeting_now(server).await;
    e2e.log_in_as(Role::Organiser).await;
    e2e.goto(&format!("/admin/events/{EVENT}/checkin")).await;
    tab_to(&e2e, "q").await;
    e2e.type_text("Bram").await;
    enter_and_wait(&e2e).await;
    assert!(!e2e.text("main table").await.contains("Anna de Vries"));

    tab_to(&e2e, "button:Binnen: Bram Jansen").await;
    enter_and_wait(&e2e).await;
    assert_eq!(fragment(&e2e).await, format!("attendee-{bram}"));
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Bram Jansen is binnen."));
    let search = e2e.js("return document.getElementById('q').value;").await;
    assert_eq!(search, "Bram", "the search is kept");
    e2e.check("no JS, Bram checked in").await;

    tab_to(&e2e, "button:Ongedaan maken: Bram Jansen").await;
    enter_and_wait(&e2e).await;
    assert!(e2e
        .text("[role=status]")
        .await
        .contains("Inchecken van Bram Jansen is ongedaan gemaakt."));
    assert_eq!(
        e2e.js("return document.getElementById('q').value;").await,
        "Bram"
    );
    assert!(e2e.text("main").await.contains("0 van 2 binnen"));
    e2e.check("no JS, check-in undone").await;
    e2e.finish().await;
}
