use std::collections::HashSet;

use aanmeldpunt::entities::access_token;
use aanmeldpunt::entities::outbox::OutboxStatus;
use aanmeldpunt::mail::mailer::MemoryMailbox;
use aanmeldpunt::mail::render_thread::RenderThread;
use aanmeldpunt::mail::worker::{send_due, WorkerSettings};
use aanmeldpunt::mail::Mailer;
use aanmeldpunt::services::Services;
use icalendar::{Calendar, Component};
use rocket::http::Status;
use sea_orm::EntityTrait;
use serde_json::json;

use crate::helpers::{manage_path, sign_up_body, spawn_app, spawn_app_with, EventSpec};

const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn the_confirmation_has_text_html_an_invite_and_a_manage_link() {
    let app = spawn_app().await;
    let event = app.create_event(EventSpec::default()).await;
    let (_, body) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let id = body["id"].as_str().unwrap();

    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert_eq!(mail.subject, format!("Bevestiging: Bijeenkomst {SLUG}"));
    assert!(mail.text.contains("Beste Anna de Vries,"));
    assert!(mail.html.contains("<p>Beste Anna de Vries,</p>"));
    assert!(mail.raw.contains("multipart/alternative"));
    assert!(mail
        .raw
        .contains("text/calendar; charset=utf-8; method=REQUEST"));
    assert!(mail.raw.contains("filename=\"invite.ics\""));
    manage_path(&mail);

    let ics = mail.ics.expect("an invite");
    let calendar: Calendar = ics.parse().expect("valid iCalendar");
    let invite = calendar.events().next().expect("one VEVENT");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    assert_eq!(invite.get_uid(), Some(format!("{id}@aanmeldpunt").as_str()));
    let expected_start = event.starts_at.format("DTSTART:%Y%m%dT%H%M%SZ").to_string();
    assert!(ics.contains(&expected_start), "{expected_start} in {ics}");
    assert!(invite.get_start().is_some());
    assert!(ics.contains("ATTENDEE;CN=Anna de Vries"), "{ics}");
}

#[rocket::async_test]
async fn english_sign_ups_get_english_mail() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut body = sign_up_body("anna@utrecht.nl");
    body["lang"] = json!("en");
    app.post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert_eq!(mail.subject, format!("Confirmation: Meeting {SLUG}"));
    assert!(mail.text.contains("Dear Anna de Vries,"));
}

#[rocket::async_test]
async fn the_waiting_list_mail_has_a_position_and_no_invite() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let mail = app.mails_to("b@utrecht.nl", 1).await.remove(0);
    assert!(mail.subject.starts_with("Wachtlijst"));
    assert!(mail.text.contains("op plaats 1"), "{}", mail.text);
    assert!(mail.ics.is_none());
    manage_path(&mail);
}

#[rocket::async_test]
async fn names_are_escaped_in_html_mail() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut body = sign_up_body("x@utrecht.nl");
    body["name"] = json!("\"><img src=x onerror=alert(1)>");
    app.post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    let mail = app.mails_to("x@utrecht.nl", 1).await.remove(0);
    // The one <img> is the check-in QR code; the name's is escaped.
    assert!(!mail.html.contains("<img src=x"), "{}", mail.html);
    assert_eq!(mail.html.matches("<img").count(), 1, "{}", mail.html);
    assert!(mail.html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[rocket::async_test]
async fn manage_tokens_are_stored_only_as_hashes() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    let token = manage_path(&mail).trim_start_matches("/manage/").to_owned();
    assert!(token.len() >= 22, "at least 128 bits");
    let stored = access_token::Entity::find().all(&app.db).await.unwrap();
    let manage: Vec<_> = stored
        .iter()
        .filter(|t| t.purpose == aanmeldpunt::domain::TokenPurpose::ManageRegistration)
        .collect();
    assert_eq!(manage.len(), 1);
    assert!(stored
        .iter()
        .all(|t| t.token_hash != token && !t.token_hash.contains(&token)));
}

#[rocket::async_test]
async fn when_mail_is_down_sign_ups_succeed_and_every_mail_arrives_once_later() {
    let app = spawn_app_with(|f| f.merge(("mail_retry_delays_secs", vec![3600]))).await;
    app.create_event(EventSpec::default()).await;
    let mailbox = app.mailbox();
    mailbox.set_failing(true);
    for i in 0..5 {
        let (status, _) = app.sign_up_api(SLUG, &format!("p{i}@utrecht.nl")).await;
        assert_eq!(status, Status::Created);
    }
    app.send_pending_mail().await;
    assert!(mailbox.sent().is_empty());
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 5);
    assert!(outbox.iter().all(|row| row.attempts == 1
        && row.last_error.is_some()
        && row.status == OutboxStatus::Pending));

    mailbox.set_failing(false);
    app.send_pending_mail().await;
    assert!(mailbox.sent().is_empty(), "the retries are not due yet");
    app.make_retries_due().await;
    let sent = app.delivered_mails(5).await;
    app.make_retries_due().await;
    app.send_pending_mail().await;
    let sent_again = mailbox.sent();
    assert_eq!(sent_again.len(), 5, "each mail exactly once");
    let ids: HashSet<i64> = sent.iter().map(|m| m.outbox_id).collect();
    assert_eq!(ids.len(), 5);
    app.send_pending_mail().await;
    assert!(app
        .outbox()
        .await
        .iter()
        .all(|r| r.status == OutboxStatus::Sent && r.sent_at.is_some()));
}

#[rocket::async_test]
async fn a_mail_that_keeps_failing_ends_as_failed_with_its_error() {
    let app = spawn_app_with(|f| f.merge(("mail_max_attempts", 3))).await;
    app.create_event(EventSpec::default()).await;
    app.mailbox().set_failing(true);
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.send_pending_mail().await;
    let row = app.outbox().await.remove(0);
    assert_eq!(row.status, OutboxStatus::Failed);
    assert_eq!(row.attempts, 3);
    assert!(row.last_error.unwrap().contains("unavailable"));
}

#[rocket::async_test]
async fn two_workers_never_send_the_same_mail_twice() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    for i in 0..40 {
        app.sign_up_api(SLUG, &format!("p{i}@utrecht.nl")).await;
    }
    let settings = WorkerSettings {
        from: "Aanmeldpunt <a@aanmeldpunt.test>".into(),
        base_url: "https://aanmeldpunt.test".into(),
        worker_id: "test".into(),
        retry_delays_secs: vec![0],
        max_attempts: 3,
        poll_interval: std::time::Duration::from_millis(10),
        batch_size: 3,
        claim_lease: std::time::Duration::from_secs(300),
        send_timeout: std::time::Duration::from_secs(60),
        render_nice: 0,
        send_parallel: 2,
    };
    let (first, second) = (MemoryMailbox::default(), MemoryMailbox::default());
    let (a, b) = (
        Mailer::Memory(first.clone()),
        Mailer::Memory(second.clone()),
    );
    let drain = |mailer: Mailer| {
        let (db, settings) = (app.db.clone(), settings.clone());
        let views = app
            .client
            .rocket()
            .state::<Services>()
            .expect("services")
            .views
            .clone();
        async move {
            let renderer = RenderThread::start(0).expect("render thread");
            while send_due(&db, &mailer, &views, &renderer, &settings)
                .await
                .expect("claim")
                > 0
            {}
        }
    };
    tokio::join!(drain(a), drain(b));
    let mut ids: Vec<i64> = first
        .sent()
        .iter()
        .chain(second.sent().iter())
        .map(|m| m.outbox_id)
        .collect();
    ids.sort();
    let unique: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 40, "every mail sent");
    assert_eq!(unique.len(), 40, "none twice");
}

#[rocket::async_test]
async fn the_worker_renders_the_body_and_the_sent_row_keeps_no_links() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let sent = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(sent.text.contains("Beste Anna de Vries"), "{}", sent.text);
    assert!(
        sent.html.contains("<img src=\"cid:checkin-qr."),
        "the QR code"
    );
    let manage_link = manage_path(&sent);
    let token = manage_link.rsplit('/').next().expect("a token");
    let row = app.outbox().await.remove(0);
    assert_eq!(row.status, OutboxStatus::Sent);
    assert_eq!(row.subject, sent.subject, "the mail log shows the subject");
    assert!(row.sent_at.is_some());
    assert!(
        !format!("{row:?}").contains(token),
        "once sent, nothing in the row holds the manage link in clear"
    );
    assert_eq!(row.context, None);
}

/// The check-in QR code travels as a PNG part of the HTML (`cid:`), so a
/// confirmation stays small; a QR decoder reads the check-in link back out
/// of the image, and the text part carries the same link.
#[rocket::async_test]
async fn the_confirmation_is_small_and_its_qr_png_reads_as_the_check_in_link() {
    use mail_parser::{MessageParser, MimeHeaders};

    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(
        mail.raw.len() < 25_000,
        "an encoded confirmation of {} bytes",
        mail.raw.len()
    );

    let check_in = regex::Regex::new(r"https://aanmeldpunt\.test/admin/checkin/[A-Za-z0-9_-]{43}")
        .unwrap()
        .find(&mail.text)
        .expect("the check-in link in the text part")
        .as_str()
        .to_owned();
    assert!(
        mail.html.contains(&format!("href=\"{check_in}\"")),
        "and beside the code"
    );

    let message = MessageParser::default().parse(mail.raw.as_bytes()).unwrap();
    let image = message
        .parts
        .iter()
        .find(|part| {
            part.content_type()
                .is_some_and(|t| t.ctype() == "image" && t.subtype() == Some("png"))
        })
        .expect("a PNG part");
    let cid = image.content_id().expect("the PNG has a Content-ID");
    assert!(
        mail.html.contains(&format!("src=\"cid:{cid}\"")),
        "the HTML shows it"
    );
    assert!(
        mail.raw.contains("multipart/related"),
        "the image is related to the HTML, not an attachment"
    );

    let mut decoder = png::Decoder::new(std::io::Cursor::new(image.contents()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels[y * frame.line_size + x]
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, content) = grids[0].decode().expect("the code decodes");
    assert_eq!(content, check_in);
}

#[rocket::async_test]
async fn every_html_mail_has_a_title_a_language_one_heading_and_a_main_part_and_its_text_stands_alone(
) {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "a@utrecht.nl").await;
    app.sign_up_api(SLUG, "b@utrecht.nl").await;
    let confirmed = app.mails_to("a@utrecht.nl", 1).await.remove(0);
    let waitlisted = app.mails_to("b@utrecht.nl", 1).await.remove(0);
    for mail in [&confirmed, &waitlisted] {
        let html = &mail.html;
        assert!(html.starts_with("<!doctype html>"), "{html}");
        assert!(html.contains(r#"<html lang="nl">"#), "{html}");
        assert!(
            html.contains(&format!("<title>{}</title>", mail.subject)),
            "the subject is the title: {html}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{html}");
        assert!(html.contains("<main") && html.contains("</main>"), "{html}");
        assert!(html.contains(r#"name="viewport""#), "narrow mail clients");
        assert!(!mail.text.contains('<'), "the text part has no markup");
        assert!(mail.text.contains("/manage/"), "the link in text too");
    }
    assert!(
        confirmed
            .text
            .contains("Bij de ingang: laat deze link zien")
            && confirmed.text.contains("/admin/checkin/"),
        "the check-in link reads on its own: {}",
        confirmed.text
    );
}

#[rocket::async_test]
async fn a_mail_whose_links_cannot_be_issued_fails_alone() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "bert@utrecht.nl").await;
    let broken = app
        .outbox()
        .await
        .into_iter()
        .find(|m| m.recipient == "anna@utrecht.nl")
        .expect("anna's mail");
    let context = broken.context.clone().expect("a context");
    let mut row: aanmeldpunt::entities::outbox::ActiveModel = broken.clone().into();
    row.context = Set(Some(
        context.replace("\"manage_registration\"", "\"no_such_purpose\""),
    ));
    row.update(&app.db).await.expect("updated");

    app.send_pending_mail().await;
    let outbox = app.outbox().await;
    let status = |to: &str| outbox.iter().find(|m| m.recipient == to).unwrap().status;
    assert_eq!(
        status("bert@utrecht.nl"),
        OutboxStatus::Sent,
        "the batch went out"
    );
    assert_eq!(
        status("anna@utrecht.nl"),
        OutboxStatus::Failed,
        "{outbox:?}"
    );
}
