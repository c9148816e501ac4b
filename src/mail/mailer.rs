//! Where mail goes: SMTP in production, `.eml` files by default, memory in
//! tests. Chosen once from configuration and passed in as state.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use lettre::address::Envelope;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::OutgoingEmail;
use crate::config::{AppConfig, MailTransport};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("could not build message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing mail file: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("mail transport unavailable (memory mailer set to fail)")]
    Simulated,
    #[error("mail configuration: {0}")]
    Config(String),
    #[error("rendering the mail: {0}")]
    Render(String),
    #[error("the SMTP exchange took longer than {0:?} and was cut off")]
    TimedOut(std::time::Duration),
}

impl MailError {
    /// The server was not reached or did not answer, or said it is closing
    /// (421): nothing is wrong with the mail, which waits for the server.
    pub fn is_outage(&self) -> bool {
        match self {
            MailError::Smtp(e) => {
                let status = e.status().map(|code| code.to_string());
                !(e.is_permanent() || e.is_transient()) || status.as_deref() == Some("421")
            }
            MailError::File(_) | MailError::TimedOut(_) => true,
            // The memory mailer's failure stands for a mail the server refuses, so
            // tests can watch a mail run out of attempts.
            MailError::Simulated
            | MailError::Address(_)
            | MailError::Build(_)
            | MailError::Config(_)
            | MailError::Render(_) => false,
        }
    }
}

/// A message as the memory mailer keeps it, for tests to read.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub outbox_id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub ics: Option<String>,
    /// The full MIME message, as SMTP would have carried it.
    pub raw: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
    Memory(MemoryMailbox),
}

#[derive(Clone, Default)]
pub struct MemoryMailbox {
    sent: Arc<Mutex<Vec<SentMail>>>,
    failing: Arc<AtomicBool>,
}

impl MemoryMailbox {
    pub fn sent(&self) -> Vec<SentMail> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Makes every send fail until switched back, like an SMTP outage.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl Mailer {
    pub fn from_config(config: &AppConfig) -> Result<Self, MailError> {
        match config.mail_transport {
            MailTransport::Memory => Ok(Mailer::Memory(MemoryMailbox::default())),
            MailTransport::Files => {
                std::fs::create_dir_all(&config.mail_dir)
                    .map_err(|e| MailError::Config(format!("{}: {e}", config.mail_dir)))?;
                Ok(Mailer::Files(AsyncFileTransport::new(&config.mail_dir)))
            }
            MailTransport::Smtp => {
                let url = config.smtp_url.as_deref().ok_or_else(|| {
                    MailError::Config("mail_transport = \"smtp\" needs smtp_url".into())
                })?;
                // from_url understands smtp:// (STARTTLS with ?tls=required),
                // smtps:// (TLS) and user:password@ credentials.
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?;
                // The worker sends up to mail_send_parallel mails at once: the
                // pool keeps that many connections open for the next ones
                // (lettre's default is 10, its idle timeout 60 s).
                let pool = PoolConfig::new().max_size(
                    u32::try_from(config.mail_send_parallel.clamp(1, 64))
                        .unwrap_or(10)
                        .max(10),
                );
                // Each command waits at most this long; the worker also cuts
                // off the whole exchange after it (WorkerSettings::send_timeout).
                let timeout = std::time::Duration::from_secs(config.mail_send_timeout_secs.max(1));
                Ok(Mailer::Smtp(
                    builder.pool_config(pool).timeout(Some(timeout)).build(),
                ))
            }
        }
    }

    pub fn memory(&self) -> Option<&MemoryMailbox> {
        match self {
            Mailer::Memory(mailbox) => Some(mailbox),
            _ => None,
        }
    }

    pub async fn send(&self, encoded: &EncodedMail) -> Result<(), MailError> {
        let EncodedMail {
            mail,
            envelope,
            formatted,
        } = encoded;
        match self {
            Mailer::Smtp(transport) => transport.send_raw(envelope, formatted).await.map(drop)?,
            Mailer::Files(transport) => transport.send_raw(envelope, formatted).await.map(drop)?,
            Mailer::Memory(mailbox) => {
                if mailbox.failing.load(Ordering::SeqCst) {
                    return Err(MailError::Simulated);
                }
                let sent = SentMail {
                    outbox_id: mail.outbox_id,
                    to: mail.recipient.clone(),
                    subject: mail.subject.clone(),
                    text: mail.body_text.clone(),
                    html: mail.body_html.clone(),
                    ics: mail.ics.clone(),
                    raw: String::from_utf8_lossy(formatted).into_owned(),
                };
                if let Ok(mut all) = mailbox.sent.lock() {
                    all.push(sent);
                }
            }
        }
        Ok(())
    }
}

/// A mail rendered and encoded, so that sending it is only I/O: the CPU
/// work is done on the render thread ([`super::render_thread`]).
pub struct EncodedMail {
    pub mail: OutgoingEmail,
    envelope: Envelope,
    formatted: Vec<u8>,
}

impl EncodedMail {
    pub fn new(from: &str, mail: OutgoingEmail) -> Result<Self, MailError> {
        let message = build_message(from, &mail)?;
        Ok(EncodedMail {
            envelope: message.envelope().clone(),
            formatted: message.formatted(),
            mail,
        })
    }
}

/// Text and HTML alternatives (the HTML with its inline QR code image as a
/// related part), with the calendar invite both inline (so Outlook shows
/// accept buttons) and as an `invite.ics` attachment.
pub fn build_message(from: &str, mail: &OutgoingEmail) -> Result<Message, MailError> {
    let from: Mailbox = from.parse()?;
    let to: Mailbox = mail.recipient.parse()?;
    let html = SinglePart::html(mail.body_html.clone());
    let text = MultiPart::alternative().singlepart(SinglePart::plain(mail.body_text.clone()));
    let alternatives = match &mail.inline_image {
        None => text.singlepart(html),
        // multipart/related: the HTML and the image it shows by cid:.
        Some(image) => text.multipart(MultiPart::related().singlepart(html).singlepart(
            Attachment::new_inline(image.content_id.clone()).body(
                image.png.clone(),
                ContentType::parse("image/png").map_err(|e| MailError::Config(e.to_string()))?,
            ),
        )),
    };
    let body = match &mail.ics {
        None => alternatives,
        Some(ics) => {
            let method = ics
                .lines()
                .find_map(|l| l.strip_prefix("METHOD:"))
                .unwrap_or("PUBLISH")
                .trim()
                .to_owned();
            let calendar_type =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| MailError::Config(e.to_string()))?;
            let with_calendar = alternatives.singlepart(
                SinglePart::builder()
                    .header(calendar_type.clone())
                    .body(ics.clone()),
            );
            MultiPart::mixed()
                .multipart(with_calendar)
                .singlepart(Attachment::new("invite.ics".into()).body(ics.clone(), calendar_type))
        }
    };
    let message_id = format!("<{}@{}>", mail.message_key, from.email.domain());
    Ok(Message::builder()
        .message_id(Some(message_id))
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(body)?)
}
