//! Data for the pages to show, made through the app's own services (the
//! same calls the routes and the CLI make), never with hand-written SQL.
use aanmeldpunt::domain::{
    ApplicationInput, HoursPerWeek, Lang, NewApplication, NewRegistration, RegistrationInput,
    Stage, TokenPurpose,
};
use aanmeldpunt::entities::{organisation, outbox};
use aanmeldpunt::services::{applications, partnerships, register, registrations, tokens};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::helpers::ROO_FIXTURE;
use crate::server::Server;

/// The meeting and the pilot the seed puts in every fresh database.
pub const EVENT: &str = "partnerships-voor-meer-banen";
pub const PAST_EVENT: &str = "kennismaking-banenafspraak";
pub const PILOT: &str = "proeftuin-partnerships-voor-meer-banen";

/// The small ROO register extract the API tests use as well.
pub async fn register(server: &Server) {
    register::import(
        &server.services.db,
        ROO_FIXTURE.as_bytes(),
        register::RegisterFormat::Roo,
        &register::ImportOptions::new("fixture.csv", "e2e"),
        &mut |_, _| {},
    )
    .await
    .expect("the register imports");
}

pub async fn sign_up(server: &Server, name: &str, email: &str, remarks: &str) -> Uuid {
    let input = RegistrationInput {
        name: name.into(),
        email: email.into(),
        organisation: "Gemeente Utrecht".into(),
        sector: "GEM".into(),
        job_title: "Inkoper".into(),
        remarks: remarks.into(),
    };
    let new = NewRegistration::parse(&input, Lang::Nl).expect("a valid sign-up");
    registrations::register(&server.services, EVENT, new)
        .await
        .expect("the sign-up is stored")
        .id
}

/// Moves the meeting to now, so the door lets people in today (sign-ups
/// close at the start, so they come first).
pub async fn meeting_now(server: &Server) {
    meeting_at(server, Utc::now() - chrono::Duration::minutes(1)).await;
}

/// Moves the meeting to start at `starts_at`, for four hours.
pub async fn meeting_at(server: &Server, starts_at: chrono::DateTime<Utc>) {
    use aanmeldpunt::entities::event;
    let meeting = event::Entity::find()
        .filter(event::Column::Slug.eq(EVENT))
        .one(&server.services.db)
        .await
        .expect("the events answer")
        .expect("the seeded meeting");
    let mut now: event::ActiveModel = meeting.into();
    now.starts_at = Set(starts_at);
    now.ends_at = Set(starts_at + chrono::Duration::hours(4));
    now.update(&server.services.db)
        .await
        .expect("the meeting moves");
}

/// A check-in link token for a registration, as the mail's QR code holds.
pub async fn check_in_token(server: &Server, registration: Uuid) -> String {
    let txn = aanmeldpunt::db::begin_write(&server.services.db)
        .await
        .expect("a write transaction");
    let token = tokens::issue(&txn, TokenPurpose::CheckIn, registration, None)
        .await
        .expect("a check-in token");
    txn.commit().await.expect("the token is stored");
    token
}

/// An application through the service, confirmed through the link in its
/// verification mail (as the applicant would).
pub async fn application(server: &Server, organisation: &str, sector: &str, email: &str) -> Uuid {
    let input = ApplicationInput {
        organisation: organisation.into(),
        sector: sector.into(),
        contact_name: "Anna de Vries".into(),
        email: email.into(),
        current_suppliers: "Schoonmaakbedrijf Glans, contract tot 2027".into(),
        motivation: "Wij willen via ons schoonmaakcontract banen creëren.".into(),
        expected_jobs: "4".into(),
        ..ApplicationInput::default()
    };
    let new = NewApplication::parse(&input, Lang::Nl).expect("a valid application");
    let applied = applications::apply(&server.services, crate::seed::PILOT, new)
        .await
        .expect("the application is stored");
    let mail = server.mail_to(email, "Bevestig uw aanmelding").await;
    let link = server.link_in(&mail, "/applications/verify/");
    let token = link.rsplit('/').next().unwrap_or_default();
    applications::verify(&server.services, token)
        .await
        .expect("the application is verified");
    applied.id
}

/// A partnership of a register organisation that started today.
pub async fn started_partnership(server: &Server, buyer: &str) {
    let buyer = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(buyer))
        .one(&server.services.db)
        .await
        .expect("the register answers")
        .expect("the buyer is in the register");
    let made = partnerships::create(
        &server.services,
        partnerships::NewPartnership {
            buyer_organisation_id: buyer.id,
            supplier_name: "Schoonmaakbedrijf Glans".into(),
            supplier_kvk: Some("12345678".into()),
            category: aanmeldpunt::domain::Category::Cleaning,
            planned: HoursPerWeek::parse("51").expect("hours"),
            notes: "Gestart na de proeftuin.".into(),
            application_id: None,
        },
        "e2e",
    )
    .await
    .expect("the partnership is stored");
    partnerships::change_stage(&server.services, made, Stage::Started, "e2e", Utc::now())
        .await
        .expect("the partnership starts");
}

/// Marks the oldest mail as failed, as the worker does after its last
/// attempt, so the mail log shows a failure and its resend button.
pub async fn fail_a_mail(server: &Server) {
    let first = outbox::Entity::find()
        .one(&server.services.db)
        .await
        .expect("the outbox answers")
        .expect("a mail in the outbox");
    let mut failed: outbox::ActiveModel = first.into();
    failed.status = Set(outbox::OutboxStatus::Failed);
    failed.attempts = Set(10);
    failed.last_error = Set(Some("SMTP: connection refused".into()));
    failed
        .update(&server.services.db)
        .await
        .expect("the mail is marked failed");
}

/// The id of a register organisation, for its back-office page.
pub async fn organisation_id(server: &Server, name: &str) -> Uuid {
    organisation::Entity::find()
        .filter(organisation::Column::Name.eq(name))
        .one(&server.services.db)
        .await
        .expect("the register answers")
        .expect("the organisation is in the register")
        .id
}
