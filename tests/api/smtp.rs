//! Mail through the real lettre SMTP transport to an SMTP server this test
//! starts on 127.0.0.1; the received MIME message is parsed, not grepped.
use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use icalendar::{Calendar, Component};
use mail_parser::{MessageParser, MimeHeaders};
use mailin_embedded::{response, Handler, Response, Server};

use crate::helpers::{spawn_app_with, EventSpec};

#[derive(Clone, Default)]
struct Inbox {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    /// SMTP sessions opened (EHLO/HELO), one per client connection.
    sessions: Arc<AtomicUsize>,
    /// How long the server takes to accept each message, as a busy one does.
    accept_delay: std::time::Duration,
}

impl Handler for Inbox {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        std::thread::sleep(self.accept_delay);
        let message = std::mem::take(&mut self.current);
        self.received.lock().expect("inbox").push(message);
        response::OK
    }
}

/// Starts an SMTP server on a free local port; it lives as long as the test process.
pub(crate) fn start_smtp_server() -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    let port = reserve_port();
    (port, start_smtp_server_on(port))
}

#[rocket::async_test]
async fn the_confirmation_arrives_over_smtp_as_a_complete_mime_message() {
    let (port, received) = start_smtp_server();
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    let (_, body) = app
        .sign_up_api("partnerships-voor-meer-banen", "anna@utrecht.nl")
        .await;
    let id = body["id"].as_str().unwrap().to_owned();

    assert_eq!(app.send_pending_mail().await, 1);
    let raw = received
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("the SMTP server received the mail");
    let message = MessageParser::default()
        .parse(&raw)
        .expect("a MIME message");

    assert_eq!(
        message.subject(),
        Some("Bevestiging: Bijeenkomst partnerships-voor-meer-banen")
    );
    let text = message.body_text(0).expect("a text body");
    assert!(text.contains("Beste Anna de Vries,"), "{text}");
    assert!(text.contains("https://aanmeldpunt.test/manage/"));
    let html = message.body_html(0).expect("an HTML body");
    assert!(html.contains("<p>Beste Anna de Vries,</p>"), "{html}");

    let invite = message
        .attachments()
        .find(|part| part.attachment_name() == Some("invite.ics"))
        .expect("an invite.ics attachment");
    let ics = std::str::from_utf8(invite.contents()).expect("UTF-8 calendar");
    let calendar: Calendar = ics.parse().expect("a valid iCalendar");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    let event = calendar.events().next().expect("a VEVENT");
    assert_eq!(event.get_uid(), Some(format!("{id}@aanmeldpunt").as_str()));
    assert_eq!(event.property_value("LOCATION"), Some("Den Haag"));
    assert!(event.get_start().is_some() && event.get_end().is_some());

    assert_eq!(
        app.outbox().await[0].status,
        aanmeldpunt::entities::outbox::OutboxStatus::Sent
    );
}

/// A port nobody listens on yet: the SMTP server of the outage test.
pub(crate) fn reserve_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
    listener.local_addr().expect("address").port()
}

fn start_smtp_server_on(port: u16) -> Arc<Mutex<Vec<Vec<u8>>>> {
    start_counting_smtp_server_on(port).0
}

/// The raw messages a test SMTP server received.
pub(crate) type Received = Arc<Mutex<Vec<Vec<u8>>>>;

/// The server's inbox and how many SMTP sessions it has seen.
fn start_counting_smtp_server_on(port: u16) -> (Received, Arc<AtomicUsize>) {
    start_smtp_server_with(port, Inbox::default())
}

/// An SMTP server that takes `accept_delay` to accept each message.
pub(crate) fn start_slow_smtp_server(accept_delay: std::time::Duration) -> (u16, Received) {
    let port = reserve_port();
    let inbox = Inbox {
        accept_delay,
        ..Inbox::default()
    };
    (port, start_smtp_server_with(port, inbox).0)
}

fn start_smtp_server_with(port: u16, inbox: Inbox) -> (Received, Arc<AtomicUsize>) {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("the reserved port");
    let (received, sessions) = (inbox.received.clone(), inbox.sessions.clone());
    let mut server = Server::new(inbox);
    // A connection per thread; the pooled connections of two instances
    // (mail_send_parallel each) stay open between mails.
    server
        .with_name("smtp.test")
        .with_num_threads(16)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (received, sessions)
}

pub(crate) fn recipient_of(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).expect("a MIME message");
    let to = message.to().and_then(|to| to.first()).expect("a To header");
    to.address().expect("an address").to_owned()
}

#[rocket::async_test]
async fn mail_queued_while_smtp_is_down_is_delivered_exactly_once_when_it_returns() {
    use aanmeldpunt::entities::outbox::OutboxStatus;

    let port = reserve_port();
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("mail_retry_delays_secs", vec![3600]))
    })
    .await;
    app.create_event(EventSpec::default()).await;

    let people: Vec<String> = (0..20).map(|i| format!("p{i}@utrecht.nl")).collect();
    for email in &people {
        let (status, _) = app.sign_up_api("partnerships-voor-meer-banen", email).await;
        assert_eq!(status, rocket::http::Status::Created, "sign-ups go on");
    }

    // The outage shows: every mail is still queued, with its failure noted. An
    // unreachable server uses up none of a mail's attempts, and the next try comes
    // within a minute, whatever the retry delays say.
    app.send_pending_mail().await;
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), people.len());
    let within_a_minute = chrono::Utc::now() + chrono::Duration::seconds(61);
    assert!(
        outbox.iter().all(|m| m.attempts == 0
            && m.last_error.is_some()
            && m.status == OutboxStatus::Pending
            && m.claimed_by.is_none()
            && m.next_attempt_at <= within_a_minute),
        "{outbox:?}"
    );

    let received = start_smtp_server_on(port);
    app.make_retries_due().await;
    app.send_pending_mail().await;
    assert!(
        app.outbox()
            .await
            .iter()
            .all(|m| m.status == OutboxStatus::Sent),
        "{:?}",
        app.outbox().await
    );
    // Another round: nothing goes out a second time.
    app.make_retries_due().await;
    assert_eq!(app.send_pending_mail().await, 0);

    let mut recipients: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|raw| recipient_of(raw))
        .collect();
    recipients.sort();
    let mut expected = people.clone();
    expected.sort();
    assert_eq!(recipients, expected, "each person exactly one mail");
}

#[rocket::async_test]
async fn the_worker_sends_in_parallel_over_a_few_reused_connections_each_mail_once() {
    let port = reserve_port();
    let (received, sessions) = start_counting_smtp_server_on(port);
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
            .merge(("mail_send_parallel", 4))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    let people: Vec<String> = (0..60).map(|i| format!("p{i}@utrecht.nl")).collect();
    for email in &people {
        app.sign_up_api("partnerships-voor-meer-banen", email).await;
    }

    assert_eq!(app.send_pending_mail().await, people.len());
    let mut recipients: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|raw| recipient_of(raw))
        .collect();
    recipients.sort();
    let mut expected = people.clone();
    expected.sort();
    assert_eq!(recipients, expected, "each person exactly one mail");
    // At most one connection per send under way, each reused from the pool.
    let sessions = sessions.load(Ordering::SeqCst);
    assert!(
        (1..=4).contains(&sessions),
        "{sessions} SMTP sessions for {} mails",
        people.len()
    );
}
