//! Use cases. Each owns its transaction and writes the outbox rows its
//! change causes inside that same transaction.
pub mod applications;
pub mod attendees;
pub mod audit;
pub mod door;
pub mod eligibility;
pub mod event_admin;
pub mod event_messages;
pub mod events;
pub mod exports;
pub mod limits;
pub mod mail_log;
pub mod paging;
pub mod partnerships;
pub mod pilot_admin;
pub mod pilots;
pub mod privacy;
pub mod register;
pub mod registrations;
pub mod reminders;
pub mod sectors;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod tokens;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::views::Views;

/// What every use case needs, managed once as Rocket state.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub views: Views,
    /// Absolute base URL for links in mails, without trailing slash.
    pub base_url: String,
    pub mail_from: String,
    /// Wakes the mail worker after a commit that queued mail.
    pub mail_queued: Arc<Notify>,
    /// Sign-ups waiting to be written together.
    pub sign_ups: Arc<registrations::SignUpQueue>,
    /// How often a client or an address may do what (`limits`).
    pub limits: Arc<limits::Limits>,
    /// Where the file transport writes its `.eml` files, so erasure and the
    /// purge can reach them; `None` with SMTP.
    pub mail_dir: Option<std::path::PathBuf>,
}

impl Services {
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

impl Services {
    /// Host part for calendar UIDs, taken from the base URL.
    pub fn mail_host(&self) -> &str {
        let without_scheme = self.base_url.split("://").nth(1).unwrap_or(&self.base_url);
        without_scheme
            .split(['/', ':'])
            .next()
            .unwrap_or("aanmeldpunt")
    }

    /// The bare address of `mail_from`, which may read `Name <addr>`.
    pub fn mail_from_address(&self) -> String {
        match (self.mail_from.find('<'), self.mail_from.find('>')) {
            (Some(open), Some(close)) if open < close => self.mail_from[open + 1..close].to_owned(),
            _ => self.mail_from.trim().to_owned(),
        }
    }
}
