//! Typed settings read from Rocket.toml and `ROCKET_*` environment variables.
use std::fmt;

use serde::Deserialize;

#[derive(Clone, Deserialize)]
pub struct AppConfig {
    /// `sqlite://data/aanmeldpunt.db?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    #[serde(default)]
    pub database_max_connections: Option<u32>,
    /// Seconds a request waits for a database connection before a 503.
    #[serde(default = "default_acquire_timeout")]
    pub database_acquire_timeout_secs: u64,
    /// Absolute URL the app is reached at; used in links inside e-mails.
    pub base_url: String,
    /// `files` (default), `smtp` or `memory`.
    #[serde(default = "default_mail_transport")]
    pub mail_transport: MailTransport,
    #[serde(default = "default_mail_dir")]
    pub mail_dir: String,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://...:465` (TLS) or
    /// `smtp://host:25` (no TLS) for a local relay.
    #[serde(default)]
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Seconds to wait before each retry; the last one repeats.
    #[serde(default = "default_retry_delays")]
    pub mail_retry_delays_secs: Vec<u64>,
    #[serde(default = "default_max_attempts")]
    pub mail_max_attempts: i32,
    #[serde(default = "default_poll_ms")]
    pub mail_poll_interval_ms: u64,
    /// How long a worker holds a mail it took before another may take it
    /// over: the delay before mail a crashed instance was sending goes out.
    #[serde(default = "default_claim_lease")]
    pub mail_claim_lease_secs: u64,
    /// Run the mail worker inside this app instance. Off for a web-only
    /// instance when another process sends the mail.
    #[serde(default = "default_true")]
    pub mail_worker: bool,
    /// Nice value of the thread that renders mail: 19 (lowest priority) lets
    /// requests go first; 0 gives it the priority of the rest of the app.
    #[serde(default = "default_mail_render_nice")]
    pub mail_render_nice: i32,
    /// Mails the worker sends at once (1 to 64), each over its own SMTP
    /// connection, which the transport's pool keeps open for the next one.
    /// Mail to one address still leaves one at a time, in order.
    #[serde(default = "default_mail_send_parallel")]
    pub mail_send_parallel: usize,
    /// How often this instance looks for reminders that are due; 0 leaves
    /// them to `aanmeldpunt reminders send` (cron).
    #[serde(default = "default_reminder_interval")]
    pub reminder_interval_secs: u64,
    /// Sign-ups and pilot applications one address may send per minute.
    #[serde(default = "default_sign_up_rate")]
    pub rate_limit_sign_ups_per_minute: u32,
    /// Log-in attempts one address may make per minute.
    #[serde(default = "default_login_rate")]
    pub rate_limit_logins_per_minute: u32,
    /// Sign-ups, applications and log-ins per e-mail address per hour,
    /// whatever address they come from: a cap on mail sent to one person.
    #[serde(default = "default_per_email_rate")]
    pub rate_limit_per_email_per_hour: u32,
    /// Where rate limits are counted: `memory` (this instance only),
    /// `database` (every instance on the database) or a `redis://` URL.
    /// Unset: memory on SQLite, the database on PostgreSQL.
    #[serde(default)]
    pub rate_limit_store: Option<String>,
    /// The header a reverse proxy sets to the client's address
    /// (`X-Forwarded-For` or `X-Real-IP`); unset, the socket's peer counts.
    #[serde(default)]
    pub trusted_proxy_header: Option<String>,
    /// Addresses or networks (`10.0.0.0/8`) of the proxies allowed to set it.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Minutes a staff session may stay unused before it ends.
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: i64,
    /// Hours a staff session lasts at most, however busy.
    #[serde(default = "default_session_hours")]
    pub session_hours: i64,
    /// Seconds one SMTP exchange may take, connect to the end of the
    /// message; must stay well below `mail_claim_lease_secs`.
    #[serde(default = "default_send_timeout")]
    pub mail_send_timeout_secs: u64,
    /// Days after an event that its sign-ups are anonymised (AVG retention).
    #[serde(default = "default_sign_up_retention")]
    pub retention_days_after_event: i64,
    /// Days after which pilot applications lose their contact details.
    #[serde(default = "default_application_retention")]
    pub retention_days_applications: i64,
    /// Days audit rows are kept.
    #[serde(default = "default_audit_retention")]
    pub retention_days_audit: i64,
    /// How often this instance runs the retention purge; 0 leaves it to
    /// `aanmeldpunt privacy purge` (cron).
    #[serde(default = "default_purge_interval")]
    pub purge_interval_secs: u64,
    /// Who is responsible for the personal data (the controller, AVG art. 4),
    /// as the privacy statement names it.
    #[serde(default = "default_privacy_controller")]
    pub privacy_controller: String,
    /// Where people send privacy questions and requests.
    #[serde(default = "default_privacy_contact")]
    pub privacy_contact: String,
    /// `public_task` (AVG art. 6(1)(e)) or `legitimate_interest` (6(1)(f)).
    #[serde(default = "default_legal_basis")]
    pub privacy_legal_basis: LegalBasis,
    /// Publish the yearly partnership figures at /api/v1/partnerships/summary.
    #[serde(default = "default_true")]
    pub public_partnership_figures: bool,
    /// Insert the demonstration events when the database has none.
    #[serde(default = "default_true")]
    pub seed: bool,
    /// Load the register the app ships with (the ROO extract and the
    /// curated education list) when the register is empty.
    #[serde(default = "default_true")]
    pub register_on_first_start: bool,
    #[serde(default = "default_template_dir")]
    pub template_dir: String,
}

/// The ground the processing rests on, as the privacy statement says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// AVG art. 6(1)(e): a task in the public interest.
    PublicTask,
    /// AVG art. 6(1)(f): the organisers' legitimate interest.
    LegitimateInterest,
}

fn default_legal_basis() -> LegalBasis {
    LegalBasis::PublicTask
}
fn default_privacy_controller() -> String {
    "De organisatie van partnerships voor meer banen".into()
}
fn default_privacy_contact() -> String {
    "privacy@example.nl".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Files,
    Smtp,
    Memory,
}

fn default_mail_render_nice() -> i32 {
    19
}

fn default_mail_send_parallel() -> usize {
    4
}

fn default_mail_transport() -> MailTransport {
    MailTransport::Files
}
fn default_mail_dir() -> String {
    "data/mail".into()
}
fn default_retry_delays() -> Vec<u64> {
    vec![10, 30, 60, 300, 900, 3600]
}
fn default_max_attempts() -> i32 {
    10
}
fn default_poll_ms() -> u64 {
    1000
}
fn default_sign_up_retention() -> i64 {
    90
}
fn default_application_retention() -> i64 {
    730
}
fn default_audit_retention() -> i64 {
    730
}
fn default_purge_interval() -> u64 {
    3600
}
fn default_sign_up_rate() -> u32 {
    20
}
fn default_per_email_rate() -> u32 {
    10
}

fn default_acquire_timeout() -> u64 {
    10
}

fn default_claim_lease() -> u64 {
    300
}

fn default_login_rate() -> u32 {
    10
}
fn default_reminder_interval() -> u64 {
    300
}
fn default_session_idle_minutes() -> i64 {
    120
}
fn default_session_hours() -> i64 {
    12
}
fn default_send_timeout() -> u64 {
    60
}
fn default_true() -> bool {
    true
}
fn default_template_dir() -> String {
    "templates".into()
}

/// Hides the password part of a URL so secrets never reach a log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppConfig")
            .field("database_url", &redact_url(&self.database_url))
            .field("base_url", &self.base_url)
            .field("mail_transport", &self.mail_transport)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact_url("smtp://mailer:s3cret@smtp.example.nl:587"),
            "smtp://mailer:***@smtp.example.nl:587"
        );
        assert_eq!(redact_url("sqlite://data/a.db"), "sqlite://data/a.db");
    }
}
