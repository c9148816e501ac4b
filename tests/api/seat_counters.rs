//! The seat counters (`event_seats`) are kept by database triggers. These
//! tests change sign-ups by every path there is, the app's services and plain
//! statements,
//! and compare the counters with a count of the sign-ups after each step.
use aanmeldpunt::entities::registration::{self, RegistrationStatus};
use aanmeldpunt::entities::{event_seats, registration::Entity as Registrations};
use aanmeldpunt::services::event_admin::{self, Change};
use aanmeldpunt::services::{registrations, Services};
use rocket::http::Status;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::helpers::{EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

/// (confirmed, waitlisted, last queue number) as the counters hold them.
async fn counters(app: &TestApp, event_id: Uuid) -> (i64, i64, i64) {
    let row = event_seats::Entity::find_by_id(event_id)
        .one(&app.db)
        .await
        .expect("read counters")
        .expect("a counter row once anyone signed up");
    (row.confirmed, row.waitlisted, row.last_queue_number)
}

/// Fails unless every event's counters equal a fresh count of its sign-ups.
pub async fn assert_counters_agree_with_sign_ups(app: &TestApp) {
    let regs = Registrations::find().all(&app.db).await.expect("read");
    for row in event_seats::Entity::find()
        .all(&app.db)
        .await
        .expect("read")
    {
        let of_event = || regs.iter().filter(|r| r.event_id == row.event_id);
        let with = |status| of_event().filter(|r| r.status == status).count() as i64;
        assert_eq!(
            (row.confirmed, row.waitlisted),
            (
                with(RegistrationStatus::Confirmed),
                with(RegistrationStatus::Waitlisted)
            ),
            "counters of event {}",
            row.event_id
        );
        let highest = of_event().map(|r| r.queue_number).max().unwrap_or(0);
        assert!(
            row.last_queue_number >= highest,
            "queue numbers never reused"
        );
    }
}

async fn id_of(app: &TestApp, email: &str) -> Uuid {
    Registrations::find()
        .filter(registration::Column::Email.eq(email))
        .one(&app.db)
        .await
        .expect("read")
        .expect("signed up")
        .id
}

#[tokio::test]
async fn seat_counters_follow_every_change_of_a_sign_up() {
    let app = crate::helpers::spawn_app().await;
    let services = app.client.rocket().state::<Services>().expect("services");
    let event = app
        .create_event(EventSpec {
            capacity: 2,
            ..Default::default()
        })
        .await;
    let other = app
        .create_event(EventSpec {
            slug: "tweede-bijeenkomst".into(),
            ..Default::default()
        })
        .await;
    assert!(event_seats::Entity::find_by_id(event.id)
        .one(&app.db)
        .await
        .unwrap()
        .is_none());

    for i in 0..5 {
        let (status, body) = app.sign_up_api(SLUG, &format!("p{i}@utrecht.nl")).await;
        assert_eq!(status, Status::Created, "{body}");
    }
    assert_eq!(counters(&app, event.id).await, (2, 3, 5));
    assert_counters_agree_with_sign_ups(&app).await;

    // A confirmed person cancels: the first in line moves up.
    let p0 = id_of(&app, "p0@utrecht.nl").await;
    registrations::cancel_by_id(services, p0, None)
        .await
        .unwrap();
    assert_eq!(counters(&app, event.id).await, (2, 2, 5));

    // The organiser sends a confirmed person to the back of the line: a new
    // queue number, and the next in line gets the seat.
    let p1 = id_of(&app, "p1@utrecht.nl").await;
    registrations::move_registration(services, p1, RegistrationStatus::Waitlisted, "beheer")
        .await
        .unwrap();
    assert_eq!(counters(&app, event.id).await, (2, 2, 6));
    assert_counters_agree_with_sign_ups(&app).await;

    // The person erases their sign-up themselves.
    let p4 = id_of(&app, "p4@utrecht.nl").await;
    let token = app
        .issue_token(aanmeldpunt::domain::TokenPurpose::ManageRegistration, p4)
        .await;
    aanmeldpunt::services::privacy::erase_by_manage_token(services, &token)
        .await
        .unwrap();
    assert_counters_agree_with_sign_ups(&app).await;

    // Changes outside the app's services count too: a row deleted, and a
    // row moved to another event by hand.
    let p3 = id_of(&app, "p3@utrecht.nl").await;
    let p1_row = Registrations::find_by_id(p1)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    Registrations::delete_by_id(p3).exec(&app.db).await.unwrap();
    Registrations::update_many()
        .col_expr(registration::Column::EventId, Expr::value(other.id))
        .filter(registration::Column::Id.eq(p1))
        .exec(&app.db)
        .await
        .unwrap();
    assert_counters_agree_with_sign_ups(&app).await;
    assert_eq!(
        counters(&app, other.id).await,
        (0, 1, p1_row.queue_number),
        "the moved row counts for its new event"
    );

    // Calling the event off cancels everyone left.
    event_admin::change(services, SLUG, Change::CallOff { message: None }, "beheer")
        .await
        .unwrap();
    let (confirmed, waitlisted, _) = counters(&app, event.id).await;
    assert_eq!((confirmed, waitlisted), (0, 0));
    assert_counters_agree_with_sign_ups(&app).await;
}
