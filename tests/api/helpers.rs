//! `spawn_app()`: the real app on a fresh database per test, mail captured
//! in memory. SQLite in a temporary folder by default; a fresh PostgreSQL
//! database when `DATABASE_URL` points at a server.
use aanmeldpunt::domain::{Eligibility, EventStatus};
use aanmeldpunt::entities::event;
use aanmeldpunt::entities::{outbox, registration};
use aanmeldpunt::mail::mailer::MemoryMailbox;
use aanmeldpunt::mail::{Mailer, SentMail};
use aanmeldpunt::services::Services;
use chrono::{DateTime, Duration as Days, Utc};
use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use uuid::Uuid;

pub struct TestApp {
    pub client: Client,
    pub db: DatabaseConnection,
    _database: TestDatabase,
}

impl TestApp {
    /// Where this app's database is, for a second app on the same one.
    pub fn database_url(&self) -> &str {
        &self._database.url
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|figment| figment).await
}

pub async fn spawn_app_with(customise: impl FnOnce(Figment) -> Figment) -> TestApp {
    let database = TestDatabase::create().await;
    let figment = customise(test_figment(&database.url));
    let client = Client::tracked(aanmeldpunt::rocket(figment))
        .await
        .expect("the app launches");
    let db = client
        .rocket()
        .state::<Services>()
        .expect("services are managed")
        .db
        .clone();
    TestApp {
        client,
        db,
        _database: database,
    }
}

pub fn test_figment(database_url: &str) -> Figment {
    aanmeldpunt::figment()
        .merge(("database_url", database_url))
        .merge(("mail_transport", "memory"))
        .merge(("seed", false))
        // Tests import the register they need; the shipped one has tests
        // of its own.
        .merge(("register_on_first_start", false))
        .merge(("base_url", "https://aanmeldpunt.test"))
        .merge(("mail_retry_delays_secs", vec![0]))
        // Tests send the outbox themselves (`send_pending_mail`), so no
        // test waits for a worker running beside it.
        .merge(("mail_worker", false))
        .merge(("mail_render_nice", 0))
        .merge(("log_level", "off"))
        // Tests drive reminders and the purge themselves.
        .merge(("reminder_interval_secs", 0))
        .merge(("purge_interval_secs", 0))
        // Tests send hundreds of requests at once from one client.
        .merge(("database_max_connections", 10))
}

/// One fresh database; PostgreSQL ones are dropped again afterwards.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create() -> Self {
        match std::env::var("DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin_url) => {
                let name = format!("aanmeldpunt_test_{}", Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("DATABASE_URL answers");
                use sea_orm::ConnectionTrait;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                let _ = admin.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                TestDatabase {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some((admin_url.clone(), name)),
                }
            }
            None => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
                TestDatabase {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async; a short-lived runtime of its own does it.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                use sea_orm::ConnectionTrait;
                if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = admin.execute_unprepared(&sql).await;
                    let _ = admin.close().await;
                }
            });
            Ok::<_, std::io::Error>(())
        })
        .join();
    }
}

/// An event to create directly in the database (there is no back office yet).
pub struct EventSpec {
    pub slug: String,
    pub capacity: i32,
    pub waitlist: bool,
    pub eligibility: Eligibility,
    pub status: EventStatus,
    pub starts_at: DateTime<Utc>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
}

impl Default for EventSpec {
    fn default() -> Self {
        EventSpec {
            slug: "partnerships-voor-meer-banen".into(),
            capacity: 80,
            waitlist: true,
            eligibility: Eligibility::Open,
            status: EventStatus::Published,
            starts_at: Utc::now() + Days::days(20),
            registration_opens_at: None,
            registration_closes_at: None,
        }
    }
}

/// Inserts a meeting straight into a database, for tests that start the
/// app as its own process.
pub async fn insert_event(db: &DatabaseConnection, spec: EventSpec) -> event::Model {
    let now = Utc::now();
    event::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(spec.slug.clone()),
        title_nl: Set(format!("Bijeenkomst {}", spec.slug)),
        title_en: Set(format!("Meeting {}", spec.slug)),
        description_nl: Set("Een bijeenkomst over partnerships.".into()),
        description_en: Set("A meeting about partnerships.".into()),
        location: Set("Den Haag".into()),
        starts_at: Set(spec.starts_at),
        ends_at: Set(spec.starts_at + Days::hours(4)),
        capacity: Set(spec.capacity),
        waitlist_enabled: Set(spec.waitlist),
        eligibility: Set(spec.eligibility),
        status: Set(spec.status),
        registration_opens_at: Set(spec.registration_opens_at),
        registration_closes_at: Set(spec.registration_closes_at),
        created_at: Set(now),
        updated_at: Set(now),
        reminder_days_before: Set(2),
        reminder_sent_at: Set(None),
        call_off_message: Set(None),
        confirmation_note_nl: Set(None),
        confirmation_note_en: Set(None),
    }
    .insert(db)
    .await
    .expect("insert event")
}

impl TestApp {
    pub fn mailbox(&self) -> MemoryMailbox {
        match self.client.rocket().state::<Mailer>() {
            Some(Mailer::Memory(mailbox)) => mailbox.clone(),
            _ => panic!("tests run with the memory mailer"),
        }
    }

    pub async fn create_event(&self, spec: EventSpec) -> event::Model {
        insert_event(&self.db, spec).await
    }

    pub async fn get(&self, uri: &str) -> LocalResponse<'_> {
        self.client.get(uri.to_owned()).dispatch().await
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> (Status, Value) {
        let response = self
            .client
            .post(uri.to_owned())
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        let status = response.status();
        let text = response.into_string().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    pub async fn sign_up_api(&self, slug: &str, email: &str) -> (Status, Value) {
        self.post_json(
            &format!("/api/v1/events/{slug}/registrations"),
            &sign_up_body(email),
        )
        .await
    }

    pub async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.client
            .post(uri.to_owned())
            .header(ContentType::Form)
            .header(Header::new("Accept-Language", "nl"))
            .body(body)
            .dispatch()
            .await
    }

    /// Posts a public form as a browser that first loaded it: with the
    /// CSRF token of this client's cookie.
    pub async fn submit_form(&self, uri: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let csrf = self.csrf_token().await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        self.post_form(uri, &fields).await
    }

    /// Sends every mail that is due, as the mail worker would, and
    /// returns how many outbox rows were tried.
    pub async fn send_pending_mail(&self) -> usize {
        let rocket = self.client.rocket();
        let (Some(mailer), Some(views), Some(settings)) = (
            rocket.state::<Mailer>(),
            rocket.state::<aanmeldpunt::views::Views>(),
            rocket.state::<aanmeldpunt::mail::worker::WorkerSettings>(),
        ) else {
            panic!("the app manages its mailer, views and worker settings");
        };
        aanmeldpunt::mail::worker::send_all_due(&self.db, mailer, views, settings)
            .await
            .expect("the outbox can be sent")
    }

    /// Makes every mail waiting for a retry due now, as time would.
    pub async fn make_retries_due(&self) {
        use sea_orm::sea_query::Expr;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(Utc::now()))
            .filter(sea_orm::ColumnTrait::eq(
                &outbox::Column::Status,
                outbox::OutboxStatus::Pending,
            ))
            .exec(&self.db)
            .await
            .expect("retries made due");
    }

    /// Sends the outbox, then returns every mail sent so far; there must be
    /// at least `count`.
    pub async fn delivered_mails(&self, count: usize) -> Vec<SentMail> {
        self.send_pending_mail().await;
        let sent = self.mailbox().sent();
        assert!(
            sent.len() >= count,
            "expected {count} mails, got {}",
            sent.len()
        );
        sent
    }

    /// Sends the outbox, then returns the mails to `address`; there must be
    /// at least `count`.
    pub async fn mails_to(&self, address: &str, count: usize) -> Vec<SentMail> {
        self.send_pending_mail().await;
        let mine: Vec<_> = self
            .mailbox()
            .sent()
            .into_iter()
            .filter(|m| m.to == address)
            .collect();
        assert!(
            mine.len() >= count,
            "expected {count} mails to {address}, got {}",
            mine.len()
        );
        mine
    }

    pub async fn registrations(&self) -> Vec<registration::Model> {
        registration::Entity::find()
            .order_by_asc(registration::Column::QueueNumber)
            .all(&self.db)
            .await
            .expect("read registrations")
    }

    pub async fn outbox(&self) -> Vec<outbox::Model> {
        outbox::Entity::find()
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await
            .expect("read outbox")
    }
}

pub fn sign_up_body(email: &str) -> Value {
    serde_json::json!({
        "name": "Anna de Vries",
        "email": email,
        "organisation": "Gemeente Utrecht",
        "sector": "GEM",
    })
}

pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The path of the personal manage link in a mail.
pub fn manage_path(mail: &SentMail) -> String {
    let re = regex::Regex::new(r"https://aanmeldpunt\.test(/manage/[A-Za-z0-9_-]{43})").unwrap();
    re.captures(&mail.text)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no manage link in: {}", mail.text))
}

/// A small ROO extract in the real column layout, written by the tests.
pub const ROO_FIXTURE: &str = "\
roo_retrieved,polder_id,folder,name,abbr,tooi,organisatiecode,oin,kvk,website_domain,email_domains,overheidswerkgever,cao,current_guess
2026-05-16,org:gemeente-utrecht,gemeenten,Gemeente Utrecht,Utrecht,,gm0344,00000001002220647000,30280353,utrecht.nl,utrecht.nl,ja,CAO Gemeenten,ja
2026-05-16,org:gemeente-utrechtse-heuvelrug,gemeenten,Gemeente Utrechtse Heuvelrug,Utrechtse Heuvelrug,,gm1581,00000001814994386000,50092812,heuvelrug.nl,heuvelrug.nl,ja,CAO Gemeenten,ja
2026-05-16,org:provincie-utrecht,provincies,Provincie Utrecht,,,pv26,00000001002220647111,,provincie-utrecht.nl,provincie-utrecht.nl,ja,,ja
2026-05-16,org:ministerie-bzk,ministeries,Ministerie van Binnenlandse Zaken en Koninkrijksrelaties,BZK,,,00000001003214345000,,rijksoverheid.nl,minbzk.nl;rijksoverheid.nl,ja,CAO Rijk,ja
2026-05-16,org:stichting-inburgering,rwt,Stichting Publieke Taak,,,,,41234567,publieketaak.nl,publieketaak.nl,,,ja
2026-05-16,org:gemeente-oud,gemeenten,Gemeente Opgeheven,,,gm9999,,,opgeheven.nl,opgeheven.nl,,,
";

impl TestApp {
    pub async fn import_register(
        &self,
        csv: &str,
        format: aanmeldpunt::services::register::RegisterFormat,
    ) -> Result<
        aanmeldpunt::services::register::ImportReport,
        aanmeldpunt::services::register::ImportError,
    > {
        self.import_register_with(csv, format, None).await
    }

    /// An import as the command line does it, with a DUO sector.
    pub async fn import_register_with(
        &self,
        csv: impl AsRef<[u8]>,
        format: aanmeldpunt::services::register::RegisterFormat,
        sector: Option<&str>,
    ) -> Result<
        aanmeldpunt::services::register::ImportReport,
        aanmeldpunt::services::register::ImportError,
    > {
        let options = aanmeldpunt::services::register::ImportOptions {
            sector: sector.map(|s| aanmeldpunt::domain::SectorCode::parse(s).unwrap()),
            ..aanmeldpunt::services::register::ImportOptions::new("test.csv", "test")
        };
        aanmeldpunt::services::register::import(
            &self.db,
            csv.as_ref(),
            format,
            &options,
            &mut |_, _| {},
        )
        .await
    }

    pub async fn create_pilot(
        &self,
        slug: &str,
        max_participants: i32,
        open: bool,
    ) -> aanmeldpunt::entities::pilot::Model {
        use aanmeldpunt::entities::pilot;
        let now = Utc::now();
        pilot::ActiveModel {
            id: Set(Uuid::new_v4()),
            slug: Set(slug.into()),
            title_nl: Set("Proeftuin partnerships voor meer banen".into()),
            title_en: Set("Pilot partnerships for more jobs".into()),
            description_nl: Set("Alleen voor Overheid en Onderwijs.".into()),
            description_en: Set("Only for Government and Education.".into()),
            category: Set(aanmeldpunt::domain::Category::Cleaning),
            opens_at: Set(now - Days::days(1)),
            closes_at: Set(if open {
                now + Days::days(30)
            } else {
                now - Days::hours(1)
            }),
            max_participants: Set(max_participants),
            status: Set(aanmeldpunt::domain::PilotStatus::Open),
            sectors: Set(aanmeldpunt::domain::PilotSectors::all_public()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await
        .expect("insert pilot")
    }
}

pub fn application_body(organisation: &str, sector: &str, email: &str) -> Value {
    serde_json::json!({
        "organisation": organisation,
        "sector": sector,
        "contact_name": "Anna de Vries",
        "email": email,
        "current_suppliers": "Schoonmaakbedrijf Glans, contract tot 2027",
        "motivation": "Wij willen via ons schoonmaakcontract banen creëren.",
        "expected_jobs": 4,
    })
}

/// The first link in a mail's text that starts with `prefix` (a path).
pub fn link_path(mail: &SentMail, prefix: &str) -> String {
    let pattern = format!(
        r"https://aanmeldpunt\.test({}[A-Za-z0-9_-]{{43}})",
        regex::escape(prefix)
    );
    let re = regex::Regex::new(&pattern).unwrap();
    re.captures(&mail.text)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no {prefix} link in: {}", mail.text))
}

impl TestApp {
    pub async fn create_staff(&self, email: &str, role: aanmeldpunt::domain::Role) {
        aanmeldpunt::services::staff::create(
            &self.db,
            email,
            "Medewerker",
            role,
            STAFF_PASSWORD,
            "test",
        )
        .await
        .expect("create staff");
    }

    /// The CSRF token the back office puts in its forms for this client.
    pub async fn csrf_token(&self) -> String {
        let html = self
            .get("/admin/login")
            .await
            .into_string()
            .await
            .unwrap_or_default();
        let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
        re.captures(&html)
            .map(|c| c[1].to_owned())
            .expect("a csrf field")
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Status {
        let csrf = self.csrf_token().await;
        self.post_form(
            "/admin/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
        .status()
    }

    pub async fn log_in_as(&self, role: aanmeldpunt::domain::Role) -> String {
        let email = format!("{}@dnz.nl", role.as_str());
        self.create_staff(&email, role).await;
        assert_eq!(self.log_in(&email, STAFF_PASSWORD).await, Status::SeeOther);
        self.csrf_token().await
    }
}

impl TestApp {
    /// A link token issued as the app issues them, for links the tests
    /// cannot take from a mail (the check-in QR code).
    pub async fn issue_token(
        &self,
        purpose: aanmeldpunt::domain::TokenPurpose,
        id: Uuid,
    ) -> String {
        let txn = aanmeldpunt::db::begin_write(&self.db).await.unwrap();
        let token = aanmeldpunt::services::tokens::issue(&txn, purpose, id, None)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        token
    }
}

pub const STAFF_PASSWORD: &str = "een lang genoeg wachtwoord";
