//! The real app on a real TCP port of 127.0.0.1, on a fresh database, with
//! mail written as `.eml` files to a folder the test reads.
use std::path::Path;

use aanmeldpunt::mail::worker::{self, WorkerSettings};
use aanmeldpunt::mail::Mailer;
use aanmeldpunt::services::Services;
use rocket::Shutdown;

use crate::driver::{free_port, wait_for_port};
use crate::helpers::{test_figment, TestDatabase};

pub struct Server {
    /// `http://127.0.0.1:<port>`, also the app's `base_url` (links in mail).
    pub base_url: String,
    pub services: Services,
    pub mail_dir: tempfile::TempDir,
    mailer: Mailer,
    worker: WorkerSettings,
    shutdown: Shutdown,
    // Dropped last: the PostgreSQL database goes once the app is down.
    _database: TestDatabase,
}

impl Server {
    pub async fn start() -> Self {
        let database = TestDatabase::create().await;
        let mail_dir = tempfile::tempdir().expect("a temporary mail folder");
        let port = free_port();
        let base_url = format!("http://127.0.0.1:{port}");
        let figment = test_figment(&database.url)
            .merge(("address", "127.0.0.1"))
            .merge(("port", port))
            .merge(("base_url", base_url.as_str()))
            .merge(("mail_transport", "files"))
            .merge(("mail_dir", mail_dir.path().display().to_string()))
            // The demonstration meeting, past meeting and open pilot.
            .merge(("seed", true))
            .merge(("rate_limit_sign_ups_per_minute", 1000))
            .merge(("rate_limit_logins_per_minute", 1000));
        let rocket = aanmeldpunt::rocket(figment)
            .ignite()
            .await
            .expect("the app ignites");
        let services = rocket
            .state::<Services>()
            .expect("services are managed")
            .clone();
        let mailer = rocket.state::<Mailer>().expect("a mailer").clone();
        let worker = rocket
            .state::<WorkerSettings>()
            .expect("worker settings")
            .clone();
        let shutdown = rocket.shutdown();
        tokio::spawn(async move {
            if let Err(e) = rocket.launch().await {
                eprintln!("the app stopped: {e}");
            }
        });
        wait_for_port(port, "the app").await;
        Server {
            base_url,
            services,
            mail_dir,
            mailer,
            worker,
            shutdown,
            _database: database,
        }
    }

    /// Sends the outbox, then returns the mail to `address` whose subject
    /// contains `subject`.
    pub async fn mail_to(&self, address: &str, subject: &str) -> Mail {
        let services = &self.services;
        worker::send_all_due(&services.db, &self.mailer, &services.views, &self.worker)
            .await
            .expect("the outbox is sent");
        let found = read_mails(self.mail_dir.path(), address)
            .into_iter()
            .find(|m| m.subject.contains(subject));
        if let Some(mail) = found {
            return mail;
        }
        let subjects: Vec<_> = read_mails(self.mail_dir.path(), address)
            .into_iter()
            .map(|m| m.subject)
            .collect();
        panic!("no mail to {address} about {subject:?}; there are: {subjects:?}");
    }

    /// The first link in the mail that starts with `base_url` + `prefix`.
    pub fn link_in(&self, mail: &Mail, prefix: &str) -> String {
        let pattern = format!(
            "{}{}[A-Za-z0-9_-]{{43}}",
            regex::escape(&self.base_url),
            regex::escape(prefix)
        );
        regex::Regex::new(&pattern)
            .expect("a valid pattern")
            .find(&mail.text)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| panic!("no {prefix} link in: {}", mail.text))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Parses the `.eml` files lettre's file transport wrote, in the order
/// they were written.
fn read_mails(dir: &Path, address: &str) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, path)| {
            let raw = std::fs::read(path).ok()?;
            let message = mail_parser::MessageParser::default().parse(&raw)?;
            let to_us = message
                .to()
                .and_then(|to| to.first())
                .and_then(|a| a.address())
                .is_some_and(|a| a.eq_ignore_ascii_case(address));
            to_us.then(|| Mail {
                subject: message.subject().unwrap_or_default().to_owned(),
                text: message.body_text(0).unwrap_or_default().into_owned(),
                html: message.body_html(0).unwrap_or_default().into_owned(),
            })
        })
        .collect()
}
