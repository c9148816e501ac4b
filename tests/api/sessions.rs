//! Staff sessions live on the server: a log-out, a password change, a
//! deactivation or "log out everywhere" ends them for good, and a copied
//! cookie stops working with them.
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::staff_session;
use rocket::http::{Cookie, Status};
use sea_orm::EntityTrait;

use crate::helpers::{spawn_app, spawn_app_with, TestApp, STAFF_PASSWORD};

/// The session cookie this client holds now, as someone could copy it.
fn session_cookie(app: &TestApp) -> Cookie<'static> {
    app.client
        .cookies()
        .get_private("staff_session")
        .expect("a session cookie")
        .into_owned()
}

/// Whether a request with `cookie` is let into the back office.
async fn lets_in(app: &TestApp, cookie: &Cookie<'static>) -> bool {
    let response = app
        .client
        .get("/admin")
        .private_cookie(cookie.clone())
        .dispatch()
        .await;
    response.status() == Status::Ok
}

#[rocket::async_test]
async fn after_log_out_a_copied_session_cookie_lets_nobody_in() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Organiser).await;
    let copied = session_cookie(&app);
    assert!(lets_in(&app, &copied).await);
    let response = app.post_form("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), Status::SeeOther);
    assert!(
        !lets_in(&app, &copied).await,
        "the session ended on the server"
    );
    assert!(staff_session::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .is_empty());
}

#[rocket::async_test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_browser_in() {
    let app = spawn_app().await;
    app.log_in_as(Role::Programme).await;
    let other_device = session_cookie(&app);
    // Signing in again makes this browser a second session.
    assert_eq!(
        app.log_in("programme@dnz.nl", STAFF_PASSWORD).await,
        Status::SeeOther
    );
    let csrf = app.csrf_token().await;
    let page = app.get("/admin/me").await.into_string().await.unwrap();
    assert_eq!(
        page.matches("<tr><td>").count(),
        2,
        "two sessions listed: {page}"
    );

    let wrong = app
        .post_form(
            "/admin/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", "niet mijn wachtwoord"),
                ("new_password", "een nieuw lang wachtwoord"),
                ("repeated_password", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    assert!(wrong
        .into_string()
        .await
        .unwrap()
        .contains("niet uw huidige wachtwoord"));

    let changed = app
        .post_form(
            "/admin/me/password",
            &[
                ("csrf", &csrf),
                ("current_password", STAFF_PASSWORD),
                ("new_password", "een nieuw lang wachtwoord"),
                ("repeated_password", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(changed.status(), Status::SeeOther);
    assert!(
        !lets_in(&app, &other_device).await,
        "the other device is out"
    );
    assert_eq!(
        app.get("/admin").await.status(),
        Status::Ok,
        "this browser stays in"
    );
    assert_eq!(
        app.log_in("programme@dnz.nl", STAFF_PASSWORD).await,
        Status::Unauthorized
    );
    assert_eq!(
        app.log_in("programme@dnz.nl", "een nieuw lang wachtwoord")
            .await,
        Status::SeeOther
    );
}

#[rocket::async_test]
async fn log_out_everywhere_ends_every_session_of_the_account() {
    let app = spawn_app().await;
    app.log_in_as(Role::Viewer).await;
    let first = session_cookie(&app);
    app.log_in("viewer@dnz.nl", STAFF_PASSWORD).await;
    let csrf = app.csrf_token().await;
    let response = app
        .post_form("/admin/me/sessions/end", &[("csrf", &csrf)])
        .await;
    assert_eq!(response.headers().get_one("Location"), Some("/admin/login"));
    assert!(!lets_in(&app, &first).await);
    assert_eq!(
        app.get("/admin").await.headers().get_one("Location"),
        Some("/admin/login")
    );
}

#[rocket::async_test]
async fn a_deactivated_account_is_out_at_once_and_stays_out() {
    let app = spawn_app().await;
    app.log_in_as(Role::Organiser).await;
    let organiser = session_cookie(&app);
    let csrf = app.log_in_as(Role::Admin).await;
    let organiser_id = aanmeldpunt::entities::staff_user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "organiser@dnz.nl")
        .unwrap()
        .id;
    app.post_form(
        &format!("/admin/accounts/{organiser_id}/active"),
        &[("csrf", &csrf), ("active", "false")],
    )
    .await;
    assert!(!lets_in(&app, &organiser).await);
    let left = staff_session::Entity::find().all(&app.db).await.unwrap();
    assert!(
        left.iter().all(|s| s.staff_id != organiser_id),
        "its sessions are gone"
    );
}

#[rocket::async_test]
async fn a_session_left_unused_ends_by_itself() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let app = spawn_app_with(|f| f.merge(("session_idle_minutes", 30))).await;
    app.log_in_as(Role::Viewer).await;
    assert_eq!(app.get("/admin").await.status(), Status::Ok);
    // Forty minutes pass.
    let session = staff_session::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut idle: staff_session::ActiveModel = session.into();
    idle.last_seen_at = Set(chrono::Utc::now() - chrono::Duration::minutes(40));
    idle.update(&app.db).await.unwrap();
    assert_eq!(
        app.get("/admin").await.headers().get_one("Location"),
        Some("/admin/login")
    );
}
