//! The accounts page (last log-in, roles, deactivation, each audited, and
//! always an admin left) and passwords without the command line: a wrong
//! current password counts toward the lock-out, and an admin's reset link
//! works once, for an hour.
use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::{access_token, audit_log, staff_session, staff_user};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{link_path, spawn_app, TestApp, STAFF_PASSWORD};

async fn account(app: &TestApp, email: &str) -> staff_user::Model {
    staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn actions(app: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect()
}

#[rocket::async_test]
async fn the_accounts_page_shows_when_each_account_last_logged_in() {
    let app = spawn_app().await;
    app.create_staff("nooit@dnz.nl", Role::Viewer).await;
    app.log_in_as(Role::Admin).await;
    assert!(account(&app, "admin@dnz.nl").await.last_login_at.is_some());
    assert!(account(&app, "nooit@dnz.nl").await.last_login_at.is_none());
    let html = app
        .get("/admin/accounts")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        html.contains("Laatst ingelogd") && html.contains("nooit"),
        "{html}"
    );
}

#[rocket::async_test]
async fn roles_and_deactivation_are_audited_and_a_last_admin_always_stays() {
    let app = spawn_app().await;
    app.create_staff("tweede@dnz.nl", Role::Admin).await;
    let csrf = app.log_in_as(Role::Admin).await;
    let me = account(&app, "admin@dnz.nl").await;
    let other = account(&app, "tweede@dnz.nl").await;

    // Not one's own admin role, however it is asked.
    let own = app
        .post_form(
            &format!("/admin/accounts/{}/role", me.id),
            &[("csrf", &csrf), ("role", "viewer")],
        )
        .await;
    assert_eq!(own.status(), Status::Conflict);

    let demoted = app
        .post_form(
            &format!("/admin/accounts/{}/role", other.id),
            &[("csrf", &csrf), ("role", "organiser")],
        )
        .await;
    assert_eq!(demoted.status(), Status::SeeOther);
    assert_eq!(account(&app, "tweede@dnz.nl").await.role, Role::Organiser);

    // Deactivated: out at once, and no log-in.
    let off = app
        .post_form(
            &format!("/admin/accounts/{}/active", other.id),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(off.status(), Status::SeeOther);
    assert!(!account(&app, "tweede@dnz.nl").await.active);
    let on = app
        .post_form(
            &format!("/admin/accounts/{}/active", other.id),
            &[("csrf", &csrf), ("active", "true")],
        )
        .await;
    assert_eq!(on.status(), Status::SeeOther);
    assert!(account(&app, "tweede@dnz.nl").await.active);
    let done = actions(&app).await;
    for action in ["staff.role", "staff.deactivated", "staff.reactivated"] {
        assert!(done.iter().any(|a| a == action), "{action} in {done:?}");
    }
}

#[rocket::async_test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated_by_another_admin() {
    let app = spawn_app().await;
    // Two admins; the second is deactivated, so the first is the last one.
    app.create_staff("tweede@dnz.nl", Role::Admin).await;
    let csrf = app.log_in_as(Role::Admin).await;
    let me = account(&app, "admin@dnz.nl").await;
    let other = account(&app, "tweede@dnz.nl").await;
    let off = app
        .post_form(
            &format!("/admin/accounts/{}/active", other.id),
            &[("csrf", &csrf), ("active", "false")],
        )
        .await;
    assert_eq!(off.status(), Status::SeeOther);
    let keep = aanmeldpunt::services::staff::manage::set_role(
        &app.db,
        me.id,
        Role::Viewer,
        &aanmeldpunt::services::staff::Actor {
            id: other.id,
            email: "tweede@dnz.nl",
        },
    )
    .await;
    assert!(
        matches!(
            keep,
            Err(aanmeldpunt::error::AppError::Conflict("error-last-admin"))
        ),
        "{keep:?}"
    );
    assert_eq!(account(&app, "admin@dnz.nl").await.role, Role::Admin);
}

#[rocket::async_test]
async fn wrong_current_passwords_count_toward_the_lock_out() {
    let app = spawn_app().await;
    let csrf = app.log_in_as(Role::Viewer).await;
    let mut last = Status::Ok;
    for _ in 0..6 {
        last = app
            .post_form(
                "/admin/me/password",
                &[
                    ("csrf", &csrf),
                    ("current_password", "niet mijn wachtwoord"),
                    ("new_password", "een nieuw lang wachtwoord"),
                    ("repeated_password", "een nieuw lang wachtwoord"),
                ],
            )
            .await
            .status();
    }
    assert_eq!(last, Status::TooManyRequests);
    assert!(account(&app, "viewer@dnz.nl").await.locked_until.is_some());
}

/// The viewer signs in, then an admin (in the same browser) sends the
/// viewer a reset link; returns its path.
async fn reset_link(app: &TestApp) -> String {
    app.log_in_as(Role::Viewer).await;
    let csrf = app.log_in_as(Role::Admin).await;
    let viewer = account(app, "viewer@dnz.nl").await;
    let sent = app
        .post_form(
            &format!("/admin/accounts/{}/password-reset", viewer.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(sent.status(), Status::SeeOther);
    let mails = app.mails_to("viewer@dnz.nl", 1).await;
    link_path(&mails[0], "/admin/password/")
}

#[rocket::async_test]
async fn a_reset_link_sets_a_new_password_once_and_ends_the_sessions() {
    let app = spawn_app().await;
    let path = reset_link(&app).await;
    assert!(actions(&app)
        .await
        .iter()
        .any(|a| a == "staff.password_reset_sent"));
    let token = access_token::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let hour = token.expires_at.unwrap() - token.created_at;
    assert!(hour <= chrono::Duration::hours(1) && hour > chrono::Duration::minutes(59));
    assert!(!crate::dump::everything(&app.db).await.contains(&path[16..]));

    let viewer_id = account(&app, "viewer@dnz.nl").await.id;
    assert_eq!(
        staff_session::Entity::find()
            .filter(staff_session::Column::StaffId.eq(viewer_id))
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1,
        "the viewer is signed in elsewhere"
    );
    let page = app.get(&path).await;
    assert_eq!(page.status(), Status::Ok);
    let csrf = app.csrf_token().await;
    let short = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", "kort"),
                ("repeated_password", "kort"),
            ],
        )
        .await;
    assert_eq!(short.status(), Status::UnprocessableEntity);
    let new = "een heel nieuw wachtwoord";
    let set = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", new),
                ("repeated_password", new),
            ],
        )
        .await;
    assert_eq!(set.status(), Status::Ok);
    assert!(staff_session::Entity::find()
        .filter(staff_session::Column::StaffId.eq(viewer_id))
        .all(&app.db)
        .await
        .unwrap()
        .is_empty());
    assert!(actions(&app)
        .await
        .iter()
        .any(|a| a == "staff.password_reset"));
    assert_eq!(app.log_in("viewer@dnz.nl", new).await, Status::SeeOther);
    assert_eq!(
        app.log_in("viewer@dnz.nl", STAFF_PASSWORD).await,
        Status::Unauthorized
    );

    // Used up.
    assert_eq!(app.get(&path).await.status(), Status::NotFound);
    let csrf = app.csrf_token().await;
    let again = app
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("new_password", new),
                ("repeated_password", new),
            ],
        )
        .await;
    assert_eq!(again.status(), Status::NotFound);
}

#[rocket::async_test]
async fn a_reset_link_stops_working_after_an_hour() {
    use sea_orm::sea_query::Expr;
    let app = spawn_app().await;
    let path = reset_link(&app).await;
    access_token::Entity::update_many()
        .col_expr(
            access_token::Column::ExpiresAt,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::seconds(1))),
        )
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(app.get(&path).await.status(), Status::NotFound);
}
