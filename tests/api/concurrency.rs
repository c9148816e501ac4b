use std::collections::HashSet;
use std::sync::Arc;

use aanmeldpunt::entities::registration::RegistrationStatus;
use rocket::http::Status;

use crate::helpers::{spawn_app, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";

/// 200 sign-ups at once for 50 seats: the event lock must serialise the
/// seat check so exactly 50 are confirmed and the rest queue without gaps.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ups_never_overbook() {
    let app = Arc::new(spawn_app().await);
    app.create_event(EventSpec {
        capacity: 50,
        ..Default::default()
    })
    .await;

    let tasks: Vec<_> = (0..200)
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
    assert_eq!(regs.len(), 200);
    let confirmed = regs
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .count();
    let waitlisted: Vec<_> = regs
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waitlisted)
        .collect();
    assert_eq!(confirmed, 50);
    assert_eq!(waitlisted.len(), 150);

    answered_positions.sort();
    assert_eq!(
        answered_positions,
        (1..=150).collect::<Vec<u64>>(),
        "positions 1..150, no gaps"
    );
    let queue: Vec<i64> = regs.iter().map(|r| r.queue_number).collect();
    assert_eq!(
        queue,
        (1..=200).collect::<Vec<i64>>(),
        "arrival order without gaps"
    );
    let emails: HashSet<&str> = regs.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(emails.len(), 200);
    assert_eq!(app.outbox().await.len(), 200, "one mail per sign-up");
}
