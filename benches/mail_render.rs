//! Render benchmark: `cargo bench --bench mail_render`. See BENCHMARKS.md.
//!
//! Does what the mail worker's render thread does for one confirmation
//! (with its check-in QR code and calendar invite): render the text and HTML
//! bodies from the outbox row's context and encode the MIME message. Prints
//! the time per mail (CPU time of the rendering thread, and wall time) and
//! the encoded size. `BENCH_MAILS` (2000) sets how
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
    let (mut bytes, mut started, mut cpu_started) = (0, Instant::now(), thread_cpu_s());
    for n in 0..warm_up + mails {
        if n == warm_up {
            (started, cpu_started) = (Instant::now(), thread_cpu_s());
        }
        let mail = OutgoingEmail::render(&confirmation(i64::from(n)), &views).expect("render");
        bytes = build_message(from, &mail)
            .expect("encode")
            .formatted()
            .len();
    }
    let per_mail = started.elapsed().as_secs_f64() / f64::from(mails);
    let cpu_per_mail = (thread_cpu_s() - cpu_started) / f64::from(mails);
    println!(
        "confirmation with QR code: {:.0} us CPU per mail rendered and encoded ({:.0} us wall, {:.0}/s on one thread), {bytes} bytes encoded",
        cpu_per_mail * 1e6,
        per_mail * 1e6,
        1.0 / cpu_per_mail
    );
    // The QR code's share: the check-in link drawn as a PNG.
    let cpu_started = thread_cpu_s();
    for n in 0..mails {
        let url = format!("https://aanmeldpunt.example.nl/admin/checkin/c{n:0>42}");
        std::hint::black_box(aanmeldpunt::mail::qr::png(&url).expect("a QR code"));
    }
    println!(
        "  of which the QR code as a PNG: {:.0} us CPU",
        (thread_cpu_s() - cpu_started) * 1e6 / f64::from(mails)
    );
}

/// CPU time this thread has used, in seconds: on a machine shared with
/// other work, wall time measures the other work too.
fn thread_cpu_s() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which `now` is.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(rc, 0, "clock_gettime");
    now.tv_sec as f64 + now.tv_nsec as f64 / 1e9
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
        claimed_by: None,
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
