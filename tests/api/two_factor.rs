//! Two-factor log-in: enrol from one's own page with codes made here from
//! the secret the page shows, log in with a code after the password, no
//! code twice, wrong codes toward the lock-out, and admins sent to enrol
//! once an admin requires it.
use aanmeldpunt::auth::two_factor::code_at;
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::staff_user;
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{spawn_app, TestApp, STAFF_PASSWORD};

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

/// Starts enrolment and returns the secret, read from the page as a person
/// would type it into their app.
async fn start_enrolment(app: &TestApp, csrf: &str) -> Vec<u8> {
    let started = app
        .post_form("/admin/me/two-factor/start", &[("csrf", csrf)])
        .await;
    assert_eq!(started.status(), Status::SeeOther);
    let html = app
        .get("/admin/me/two-factor")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("data:image/png;base64,"), "a QR code: {html}");
    let uri = regex::Regex::new(r"otpauth://totp/[^?]+\?secret=([A-Z2-7]+)&amp;issuer=Aanmeldpunt")
        .unwrap()
        .captures(&html)
        .unwrap_or_else(|| panic!("an otpauth URI: {html}"))[1]
        .to_owned();
    totp_rs::Secret::try_from_base32(&uri).unwrap().to_vec()
}

async fn enrol(app: &TestApp, csrf: &str) -> Vec<u8> {
    let secret = start_enrolment(app, csrf).await;
    let code = code_at(&secret, now()).unwrap();
    let confirmed = app
        .post_form(
            "/admin/me/two-factor/confirm",
            &[("csrf", csrf), ("code", &code)],
        )
        .await;
    assert_eq!(confirmed.status(), Status::SeeOther);
    secret
}

async fn log_out(app: &TestApp) {
    let csrf = app.csrf_token().await;
    app.post_form("/admin/logout", &[("csrf", &csrf)]).await;
}

async fn send_code(app: &TestApp, code: &str) -> Status {
    let csrf = app.csrf_token().await;
    app.post_form("/admin/login/code", &[("csrf", &csrf), ("code", code)])
        .await
        .status()
}

#[rocket::async_test]
async fn a_wrong_first_code_leaves_two_factor_off() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    start_enrolment(&app, &csrf).await;
    let wrong = app
        .post_form(
            "/admin/me/two-factor/confirm",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let user = staff_user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(user.totp_enabled_at.is_none());
    log_out(&app).await;
    assert_eq!(
        app.log_in("organiser@dnz.nl", STAFF_PASSWORD).await,
        Status::SeeOther
    );
    assert_eq!(
        app.get("/admin").await.status(),
        Status::Ok,
        "no code asked"
    );
}

#[rocket::async_test]
async fn log_in_asks_for_a_code_after_the_password_and_takes_each_code_once() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let secret = enrol(&app, &csrf).await;
    let stored = staff_user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let sealed = stored.totp_secret.unwrap();
    let plain = totp_rs::Secret::from(secret.clone()).to_base32();
    assert!(!sealed.contains(&plain), "the secret is stored encrypted");
    log_out(&app).await;

    // The password alone signs nobody in.
    assert_eq!(
        app.log_in("organiser@dnz.nl", STAFF_PASSWORD).await,
        Status::SeeOther
    );
    assert_ne!(app.get("/admin").await.status(), Status::Ok);
    let page = app.get("/admin/login/code").await;
    assert_eq!(page.status(), Status::Ok);

    // The code used to enrol is spent; the next step's is fine.
    let used = code_at(&secret, now()).unwrap();
    assert_eq!(send_code(&app, &used).await, Status::Unauthorized);
    let next = code_at(&secret, now() + 30).unwrap();
    assert_eq!(send_code(&app, &next).await, Status::SeeOther);
    assert_eq!(app.get("/admin").await.status(), Status::Ok);

    // And that one cannot sign in a second browser.
    log_out(&app).await;
    app.log_in("organiser@dnz.nl", STAFF_PASSWORD).await;
    assert_eq!(send_code(&app, &next).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn wrong_codes_count_toward_the_lock_out() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Viewer).await;
    let secret = enrol(&app, &csrf).await;
    log_out(&app).await;
    app.log_in("viewer@dnz.nl", STAFF_PASSWORD).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(send_code(&app, "123456").await);
    }
    assert_eq!(
        statuses.last(),
        Some(&Status::TooManyRequests),
        "{statuses:?}"
    );
    // Locked: even the right password and code now wait.
    assert_eq!(
        app.log_in("viewer@dnz.nl", STAFF_PASSWORD).await,
        Status::TooManyRequests
    );
    let _ = secret;
}

#[rocket::async_test]
async fn when_admins_must_use_two_factor_an_admin_without_it_enrols_first() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Admin).await;
    let set = app
        .post_form(
            "/admin/accounts/two-factor-required",
            &[("csrf", &csrf), ("required", "true")],
        )
        .await;
    assert_eq!(set.status(), Status::SeeOther);
    let sent = app.get("/admin/accounts").await;
    assert_eq!(sent.status(), Status::SeeOther);
    assert_eq!(
        sent.headers().get_one("Location"),
        Some("/admin/me/two-factor")
    );
    assert_eq!(app.get("/admin/me/two-factor").await.status(), Status::Ok);

    // Other roles are not asked.
    app.create_staff("organiser@dnz.nl", Role::Organiser).await;

    enrol(&app, &csrf).await;
    assert_eq!(app.get("/admin/accounts").await.status(), Status::Ok);
    // Required: the admin cannot switch it off.
    let off = app
        .post_form(
            "/admin/me/two-factor/disable",
            &[("csrf", &csrf), ("code", "000000")],
        )
        .await;
    assert_eq!(off.status(), Status::Conflict);
    let audit = aanmeldpunt::entities::audit_log::Entity::find()
        .filter(aanmeldpunt::entities::audit_log::Column::Action.eq("settings.two_factor_required"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

#[rocket::async_test]
async fn an_admin_switches_off_a_lost_authenticator() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Viewer).await;
    enrol(&app, &csrf).await;
    let csrf = app.log_in_as(Role::Admin).await;
    let viewer = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq("viewer@dnz.nl"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let reset = app
        .post_form(
            &format!("/admin/accounts/{}/two-factor/reset", viewer.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(reset.status(), Status::SeeOther);
    log_out(&app).await;
    assert_eq!(
        app.log_in("viewer@dnz.nl", STAFF_PASSWORD).await,
        Status::SeeOther
    );
    assert_eq!(app.get("/admin").await.status(), Status::Ok);
}
