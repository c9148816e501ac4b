use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;

use crate::helpers::{manage_path, spawn_app_with, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";
const SEATS: usize = 100;
const PEOPLE: usize = 2000;
const CANCELLING: usize = 40;

/// 2,000 sign-ups at once for 100 seats: the event lock must serialise the
/// seat check so exactly 100 are confirmed and the rest queue in arrival
/// order without gaps, each with one mail. Then 40 of the confirmed cancel
/// at once: exactly the first 40 on the waiting list move up, one each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ups_never_overbook_and_cancellations_promote_one_each() {
    // The last of 2,000 simultaneous requests waits for all the others; in
    // a debug build on PostgreSQL that is longer than the 10 s after which
    // the app sheds load with a 503. This test is about correctness.
    let app = Arc::new(spawn_app_with(|f| f.merge(("database_acquire_timeout_secs", 300))).await);
    app.create_event(EventSpec {
        capacity: SEATS as i32,
        ..Default::default()
    })
    .await;

    let tasks: Vec<_> = (0..PEOPLE)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { app.sign_up_api(SLUG, &format!("p{i}@utrecht.nl")).await })
        })
        .collect();
    let mut answered_positions = Vec::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, Status::Created, "{body}");
        if let Some(position) = body["waitlist_position"].as_u64() {
            answered_positions.push(position);
        }
    }

    let regs = app.registrations().await;
    assert_eq!(regs.len(), PEOPLE);
    let with_status = |status| regs.iter().filter(move |r| r.status == status);
    assert_eq!(with_status(RegistrationStatus::Confirmed).count(), SEATS);
    assert_eq!(
        with_status(RegistrationStatus::Waitlisted).count(),
        PEOPLE - SEATS
    );
    // The first 100 to arrive hold the seats.
    assert!(with_status(RegistrationStatus::Confirmed).all(|r| r.queue_number <= SEATS as i64));

    answered_positions.sort();
    assert_eq!(
        answered_positions,
        (1..=(PEOPLE - SEATS) as u64).collect::<Vec<u64>>(),
        "positions 1..1900, no gaps"
    );
    let mut queue: Vec<i64> = regs.iter().map(|r| r.queue_number).collect();
    queue.sort();
    assert_eq!(
        queue,
        (1..=PEOPLE as i64).collect::<Vec<i64>>(),
        "arrival order without gaps"
    );
    let emails: HashSet<&str> = regs.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(emails.len(), PEOPLE);
    let outbox = app.outbox().await;
    let mut mails_per_registration: HashMap<_, usize> = HashMap::new();
    for mail in &outbox {
        *mails_per_registration
            .entry(mail.registration_id.expect("tied to its sign-up"))
            .or_default() += 1;
    }
    assert_eq!(outbox.len(), PEOPLE);
    assert!(regs
        .iter()
        .all(|r| mails_per_registration.get(&r.id) == Some(&1)));

    // Forty confirmed people cancel at once, through their manage links.
    let mails = app.delivered_mails(PEOPLE).await;
    let mut confirmed: Vec<_> = with_status(RegistrationStatus::Confirmed).collect();
    confirmed.sort_by_key(|r| r.queue_number);
    let cancelling: Vec<String> = confirmed
        .iter()
        .take(CANCELLING)
        .map(|r| {
            let mail = mails.iter().find(|m| m.to == r.email).expect("their mail");
            manage_path(mail)
        })
        .collect();
    // One token for all, as one browser would have.
    let csrf = app.csrf_token().await;
    let tasks: Vec<_> = cancelling
        .into_iter()
        .map(|path| {
            let (app, csrf) = (app.clone(), csrf.clone());
            tokio::spawn(async move {
                let uri = format!("{path}/cancel");
                app.post_form(&uri, &[("csrf", &csrf)]).await.status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), Status::SeeOther);
    }

    let after = app.registrations().await;
    let count = |status| after.iter().filter(|r| r.status == status).count();
    assert_eq!(count(RegistrationStatus::Cancelled), CANCELLING);
    assert_eq!(
        count(RegistrationStatus::Confirmed),
        SEATS,
        "every freed seat refilled"
    );
    let promoted: Vec<i64> = after
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed && r.queue_number > SEATS as i64)
        .map(|r| r.queue_number)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        promoted,
        ((SEATS + 1) as i64..=(SEATS + CANCELLING) as i64).collect::<Vec<_>>(),
        "the first forty on the waiting list, each once"
    );
    crate::seat_counters::assert_counters_agree_with_sign_ups(&app).await;
    // One mail per cancellation and one per promotion, nothing more.
    assert_eq!(app.outbox().await.len(), PEOPLE + 2 * CANCELLING);
}
