//! Render benchmark: `cargo bench --bench mail_render`. See BENCHMARKS.md.
//!
//! Does what the mail worker's render thread does for one confirmation
//! (with its check-in QR code and calendar invite): render the text and HTML
//! bodies from the outbox row's context and encode the MIME message. Prints
//! the time per mail and the encoded size. `BENCH_MAILS` (2000) sets how
//! many are rendered; the first 50 warm up and are not counted.
// A test or benchmark that meets the unexpected stops there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::time::Instant;

use aanmeldpunt::domain::MailKind;
use aanmeldpunt::entities::outbox::{self, OutboxStatus};
use aanmeldpunt::mail::ics;
use aanmeldpunt::mail::mailer::build_message;
use aanmeldpunt::mail::OutgoingEmail;
use aanmeldpunt::views::Views;
use chrono::Utc;

fn main() {
    let mails: u32 = std::env::var("BENCH_MAILS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let views = Views::load(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).expect("templates");
    let from = "Aanmeldpunt <aanmeldpunt@example.nl>";
    let warm_up = 50;
    let (mut bytes, mut started) = (0, Instant::now());
    for n in 0..warm_up + mails {
        if n == warm_up {
            started = Instant::now();
        }
        let mail = OutgoingEmail::render(&confirmation(i64::from(n)), &views).expect("render");
        bytes = build_message(from, &mail)
            .expect("encode")
            .formatted()
            .len();
    }
    let per_mail = started.elapsed().as_secs_f64() / f64::from(mails);
    println!(
        "confirmation with QR code: {:.0} us per mail rendered and encoded ({:.0}/s on one thread), {bytes} bytes encoded",
        per_mail * 1e6,
        1.0 / per_mail
    );
}

/// An outbox row as a sign-up writes it, its check-in and manage tokens of
/// the real length (43 characters) and different per mail.
fn confirmation(n: i64) -> outbox::Model {
    let token = |salt: &str| format!("{salt}{n:0>42}");
    let context = serde_json::json!({
        "lang": "nl",
        "name": "Anna de Vries",
        "event_title": "Partnerships voor meer banen",
        "date": "dinsdag 12 januari 2027",
        "time": "13:30–17:30",
        "location": "Den Haag",
        "event_url": "https://aanmeldpunt.example.nl/events/partnerships-voor-meer-banen?lang=nl",
        "manage_url": format!("https://aanmeldpunt.example.nl/manage/{}", token("m")),
        "waitlist_position": null,
        "resent": false,
        "promoted": false,
        "calendar_attached": true,
        "event_cancelled": false,
        "check_in_url": format!("https://aanmeldpunt.example.nl/admin/checkin/{}", token("c")),
    });
    let now = Utc::now();
    outbox::Model {
        id: n,
        kind: MailKind::RegistrationConfirmed,
        recipient: format!("anna{n}@utrecht.nl"),
        subject: "Bevestiging: Partnerships voor meer banen".into(),
        context: Some(context.to_string()),
        ics: Some(invite(n)),
        event_id: None,
        registration_id: None,
        application_id: None,
        status: OutboxStatus::Sending,
        attempts: 1,
        next_attempt_at: now,
        locked_until: None,
        last_error: None,
        created_at: now,
        sent_at: None,
    }
}

/// The calendar invite a confirmation carries, as the app renders it.
fn invite(n: i64) -> String {
    let starts_at = Utc::now() + chrono::Duration::days(30);
    let event_url = "https://aanmeldpunt.example.nl/events/partnerships-voor-meer-banen?lang=nl";
    ics::render(
        &ics::Invite {
            uid: format!("registration-{n}@aanmeldpunt.example.nl"),
            sequence: 0,
            title: "Partnerships voor meer banen",
            description: event_url,
            location: "Den Haag",
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(4),
            organiser_email: "aanmeldpunt@example.nl",
            attendee_name: "Anna de Vries",
            attendee_email: &format!("anna{n}@utrecht.nl"),
            url: event_url,
        },
        ics::Method::Request,
    )
}
