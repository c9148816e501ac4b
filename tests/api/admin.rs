use aanmeldpunt::domain::{Role, TokenPurpose};
use aanmeldpunt::entities::audit_log;
use aanmeldpunt::entities::outbox::OutboxStatus;
use aanmeldpunt::entities::registration::RegistrationStatus;
use aanmeldpunt::services::register::RegisterFormat;
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::helpers::{
    application_body, link_path, spawn_app, EventSpec, ROO_FIXTURE, STAFF_PASSWORD,
};

const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn back_office_pages_send_strangers_to_the_login_and_show_no_data() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    for path in [
        "/admin".to_owned(),
        format!("/admin/events/{SLUG}/attendees"),
        format!("/admin/events/{SLUG}/attendees/export/csv"),
        format!("/admin/events/{SLUG}/checkin"),
        "/admin/mail".into(),
        "/admin/applications".into(),
        "/admin/audit".into(),
        "/admin/register".into(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), Status::SeeOther, "{path}");
        // The log-in comes back to the page asked for.
        let login = match path.as_str() {
            "/admin" => "/admin/login".to_owned(),
            other => format!("/admin/login?next={other}"),
        };
        assert_eq!(
            response.headers().get_one("Location"),
            Some(login.as_str()),
            "{path}"
        );
        assert!(!response
            .into_string()
            .await
            .unwrap_or_default()
            .contains("anna@utrecht.nl"));
    }
}

#[rocket::async_test]
async fn logging_in_needs_the_right_password_and_a_csrf_token() {
    let app = spawn_app().await;
    app.create_staff("org@dnz.nl", Role::Organiser).await;
    assert_eq!(
        app.log_in("org@dnz.nl", "fout wachtwoord!!").await,
        Status::Unauthorized
    );
    assert_eq!(
        app.log_in("nobody@dnz.nl", STAFF_PASSWORD).await,
        Status::Unauthorized
    );
    let without_token = app
        .post_form(
            "/admin/login",
            &[
                ("email", "org@dnz.nl"),
                ("password", STAFF_PASSWORD),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(without_token.status(), Status::Forbidden);
    assert_eq!(
        app.log_in("org@dnz.nl", STAFF_PASSWORD).await,
        Status::SeeOther
    );
    assert_eq!(app.get("/admin").await.status(), Status::Ok);
}

#[rocket::async_test]
async fn five_failed_logins_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    app.create_staff("org@dnz.nl", Role::Organiser).await;
    for _ in 0..4 {
        assert_eq!(
            app.log_in("org@dnz.nl", "fout wachtwoord!!").await,
            Status::Unauthorized
        );
    }
    assert_eq!(
        app.log_in("org@dnz.nl", "fout wachtwoord!!").await,
        Status::TooManyRequests
    );
    assert_eq!(
        app.log_in("org@dnz.nl", STAFF_PASSWORD).await,
        Status::TooManyRequests,
        "even the right password waits"
    );
}

#[rocket::async_test]
async fn an_organiser_sees_who_comes_with_counts_and_filters() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "bert@utrecht.nl").await;
    app.log_in_as(Role::Organiser).await;

    let html = app
        .get(&format!("/admin/events/{SLUG}/attendees"))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("anna@utrecht.nl") && html.contains("bert@utrecht.nl"));
    assert!(html.contains("Bevestigd: <strong>1</strong>"), "{html}");
    assert!(html.contains("Wachtlijst: <strong>1</strong>"));
    let filtered = app
        .get(&format!("/admin/events/{SLUG}/attendees?status=waitlisted"))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(filtered.contains("bert@utrecht.nl") && !filtered.contains("anna@utrecht.nl"));
    let searched = app
        .get(&format!("/admin/events/{SLUG}/attendees?q=BERT"))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(searched.contains("bert@utrecht.nl") && !searched.contains("anna@utrecht.nl"));
}

#[rocket::async_test]
async fn exports_are_dutch_csv_and_real_xlsx_with_formulas_neutralised() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut body = crate::helpers::sign_up_body("anna@utrecht.nl");
    body["remarks"] = serde_json::json!("=HYPERLINK(\"http://kwaad.example\")");
    app.post_json(&format!("/api/v1/events/{SLUG}/registrations"), &body)
        .await;
    app.log_in_as(Role::Organiser).await;

    let csv = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/csv"))
        .await;
    assert_eq!(csv.status(), Status::Ok);
    assert!(csv
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains(".csv"));
    let bytes = csv.into_bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let (note, table) = text.split_once('\n').unwrap();
    assert!(
        note.contains("door organiser@dnz.nl") && note.contains("persoonsgegevens"),
        "who made it, and what it holds: {note}"
    );
    assert!(table.starts_with("Naam;E-mail;Organisatie"), "{text}");
    assert!(
        text.contains("\"'=HYPERLINK"),
        "formula neutralised: {text}"
    );

    let xlsx = app
        .get(&format!("/admin/events/{SLUG}/attendees/export/xlsx"))
        .await;
    assert_eq!(
        xlsx.content_type().map(|c| c.to_string()),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into())
    );
    assert_eq!(&xlsx.into_bytes().await.unwrap()[..2], b"PK");
}

#[rocket::async_test]
async fn the_door_page_checks_people_in_once_and_leaves_an_audit_trail() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    crate::door::meeting_now(&app).await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let id = app.registrations().await[0].id;
    let door = app
        .get(&format!("/admin/events/{SLUG}/checkin"))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(door.contains(&format!("/admin/registrations/{id}/checkin")));

    for _ in 0..2 {
        let response = app
            .post_form(
                &format!("/admin/registrations/{id}/checkin"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther);
        let back = response.headers().get_one("Location").unwrap();
        assert!(
            back.starts_with(&format!("/admin/events/{SLUG}/checkin?"))
                && back.ends_with(&format!("#attendee-{id}")),
            "{back}"
        );
    }
    assert!(app.registrations().await[0].checked_in_at.is_some());
    let audit = audit_log::Entity::find().all(&app.db).await.unwrap();
    let check_ins: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "registration.check_in")
        .collect();
    assert_eq!(check_ins.len(), 1, "the second press changes nothing");
    assert_eq!(check_ins[0].actor, "organiser@dnz.nl");

    let forged = app
        .post_form(
            &format!("/admin/registrations/{id}/checkin"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(forged.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn roles_limit_what_staff_may_change() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Viewer).await;
    let id = app.registrations().await[0].id;
    let response = app
        .post_form(
            &format!("/admin/registrations/{id}/cancel"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        app.registrations().await[0].status,
        RegistrationStatus::Confirmed
    );
    assert_eq!(
        app.get("/admin/audit").await.status(),
        Status::Forbidden,
        "admins only"
    );
}

#[rocket::async_test]
async fn cancelling_on_behalf_promotes_the_waiting_list_and_is_audited() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.sign_up_api(SLUG, "bert@utrecht.nl").await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let anna = app.registrations().await[0].id;
    let asked = app
        .get(&format!("/admin/registrations/{anna}/cancel"))
        .await;
    assert_eq!(asked.status(), Status::Ok);
    let html = asked.into_string().await.unwrap();
    assert!(
        html.contains("krijgt een e-mail dat de aanmelding is geannuleerd"),
        "{html}"
    );
    assert!(html.contains("anna@utrecht.nl"), "whom it is about");
    assert!(html.contains(r#"class="button button-danger">Ja, annuleer deze aanmelding"#));
    assert_eq!(
        app.registrations().await[0].status,
        RegistrationStatus::Confirmed,
        "asking changes nothing"
    );
    app.post_form(
        &format!("/admin/registrations/{anna}/cancel"),
        &[("csrf", &csrf)],
    )
    .await;
    let regs = app.registrations().await;
    assert_eq!(regs[0].status, RegistrationStatus::Cancelled);
    assert_eq!(regs[1].status, RegistrationStatus::Confirmed);
    let audit = audit_log::Entity::find().all(&app.db).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "registration.cancel" && a.subject.contains(&anna.to_string())));
}

#[rocket::async_test]
async fn the_mail_log_shows_failures_and_sends_them_again() {
    let app = aanmeldpunt_app_with_one_attempt().await;
    app.create_event(EventSpec::default()).await;
    app.mailbox().set_failing(true);
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    app.send_pending_mail().await;
    assert_eq!(app.outbox().await[0].status, OutboxStatus::Failed);
    let csrf = app.log_in_as(Role::Organiser).await;
    let html = app
        .get("/admin/mail?failed=true")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("anna@utrecht.nl") && html.contains("Mislukt"),
        "{html}"
    );
    assert!(html.contains("unavailable"), "the last error is shown");

    app.mailbox().set_failing(false);
    let id = app.outbox().await[0].id;
    let response = app
        .post_form(&format!("/admin/mail/{id}/resend"), &[("csrf", &csrf)])
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    app.mails_to("anna@utrecht.nl", 1).await;
}

async fn aanmeldpunt_app_with_one_attempt() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|f| f.merge(("mail_max_attempts", 1))).await
}

#[rocket::async_test]
async fn programme_staff_review_applications_with_the_eligibility_reason() {
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    app.post_json(
        "/api/v1/pilots/proeftuin/applications",
        &application_body("Gemeente Utrecht", "GEM", "anna@utrecht.nl"),
    )
    .await;
    let verify = link_path(
        &app.mails_to("anna@utrecht.nl", 1).await[0],
        "/applications/verify/",
    );
    app.submit_form(&verify, &[]).await;
    let csrf = app.log_in_as(Role::Programme).await;

    let html = app
        .get("/admin/applications")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("Gemeente Utrecht") && html.contains("Komt in aanmerking"),
        "{html}"
    );
    let id = aanmeldpunt::entities::pilot_application::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let response = app
        .post_form(
            &format!("/admin/applications/{id}/decide"),
            &[
                ("csrf", &csrf),
                ("decision", "accept"),
                ("message", "Welkom"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(app.mails_to("anna@utrecht.nl", 3).await[2]
        .subject
        .starts_with("Toegelaten"));
    let csv = app
        .get("/admin/applications/export/csv")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(csv.contains("Gemeente Utrecht") && csv.contains("accepted"));
}

#[rocket::async_test]
async fn the_staff_command_creates_an_account_that_can_log_in() {
    let database = crate::helpers::TestDatabase::create().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aanmeldpunt"))
        .args([
            "staff",
            "create",
            "--email",
            "Beheer@DNZ.nl",
            "--name",
            "Beheerder",
            "--role",
            "admin",
        ])
        .env("ROCKET_DATABASE_URL", &database.url)
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{STAFF_PASSWORD}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let client = rocket::local::asynchronous::Client::tracked(aanmeldpunt::rocket(
        crate::helpers::test_figment(&database.url),
    ))
    .await
    .unwrap();
    let services = client
        .rocket()
        .state::<aanmeldpunt::services::Services>()
        .unwrap();
    let staff = aanmeldpunt::services::staff::login(
        &services.db,
        &services.limits,
        "beheer@dnz.nl",
        STAFF_PASSWORD,
    )
    .await
    .unwrap();
    assert!(
        matches!(&staff, Ok(aanmeldpunt::services::staff::LoginStep::SignedIn(a)) if a.role == Role::Admin),
        "{staff:?}"
    );
}

#[rocket::async_test]
async fn the_qr_code_in_the_mail_opens_the_attendees_check_in_for_staff() {
    use aanmeldpunt::entities::access_token;
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let mail = app.mails_to("anna@utrecht.nl", 1).await.remove(0);
    assert!(
        mail.html.contains("<img src=\"cid:checkin-qr."),
        "a QR code in the HTML mail"
    );
    let id = app.registrations().await[0].id;
    let issued = access_token::Entity::find().all(&app.db).await.unwrap();
    assert!(issued
        .iter()
        .any(|t| t.purpose == TokenPurpose::CheckIn && t.subject_id == id));

    // The link the QR code holds is in the mail's text too.
    let page = link_path(&mail, "/admin/checkin/");
    assert_eq!(
        app.get(&page).await.headers().get_one("Location"),
        Some(format!("/admin/login?next={page}").as_str())
    );
    app.log_in_as(Role::Viewer).await;
    assert_eq!(
        app.get(&page).await.status(),
        Status::Forbidden,
        "viewers do not let people in"
    );
}

#[rocket::async_test]
async fn an_organiser_scanning_the_code_sees_the_attendee_and_a_check_in_button() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let id = app.registrations().await[0].id;
    let token = app.issue_token(TokenPurpose::CheckIn, id).await;
    app.log_in_as(Role::Organiser).await;
    let html = app
        .get(&format!("/admin/checkin/{token}"))
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("Anna de Vries")
            && html.contains(&format!("/admin/registrations/{id}/checkin")),
        "{html}"
    );
}

#[rocket::async_test]
async fn admins_manage_accounts_and_cannot_lock_themselves_out() {
    use aanmeldpunt::entities::staff_user;
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Admin).await;
    let response = app
        .post_form(
            "/admin/accounts",
            &[
                ("csrf", &csrf),
                ("email", "nieuw@dnz.nl"),
                ("name", "Nieuw"),
                ("role", "viewer"),
                ("password", STAFF_PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let html = app
        .get("/admin/accounts")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("nieuw@dnz.nl"));

    let find = |email: &'static str| {
        let db = app.db.clone();
        async move {
            staff_user::Entity::find()
                .filter(staff_user::Column::Email.eq(email))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let new = find("nieuw@dnz.nl").await;
    let response = app
        .post_form(
            &format!("/admin/accounts/{}/role", new.id),
            &[("csrf", &csrf), ("role", "organiser")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let response = app
        .post_form(
            &format!("/admin/accounts/{}/active", new.id),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let changed = find("nieuw@dnz.nl").await;
    assert_eq!(
        (changed.role.as_str(), changed.active),
        ("organiser", false)
    );
    assert_eq!(
        app.log_in("nieuw@dnz.nl", STAFF_PASSWORD).await,
        Status::Unauthorized,
        "a deactivated account cannot log in"
    );

    let me = find("admin@dnz.nl").await;
    let response = app
        .post_form(
            &format!("/admin/accounts/{}/active", me.id),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    assert!(find("admin@dnz.nl").await.active);
}

#[rocket::async_test]
async fn only_admins_see_accounts() {
    let app = spawn_app().await;
    app.log_in_as(Role::Organiser).await;
    assert_eq!(app.get("/admin/accounts").await.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn a_refused_back_office_form_says_what_is_wrong() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Admin).await;
    let response = app
        .post_form(
            "/admin/accounts",
            &[
                ("csrf", &csrf),
                ("email", "kort@dnz.nl"),
                ("name", "Kort"),
                ("role", "viewer"),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("minstens 12 tekens"), "{html}");

    let response = app
        .post_form(
            "/admin/partnerships",
            &[
                ("csrf", &csrf),
                ("buyer", "Gemeente Nergenshuizen"),
                ("supplier_name", "Glans"),
                ("category", "cleaning"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response
        .into_string()
        .await
        .unwrap()
        .contains("Deze organisatie staat niet in het register"));
}
