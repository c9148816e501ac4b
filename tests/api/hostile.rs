//! What a hostile visitor sends that a form never would: NUL bytes and
//! megabytes in path segments and fields, on every public route. Each must
//! be a 4xx with a message, on SQLite and on PostgreSQL (which refuses a
//! NUL in text with an error, once a 500).
use aanmeldpunt::domain::Role;
use rocket::http::{ContentType, Status};

use crate::helpers::{spawn_app, EventSpec, STAFF_PASSWORD};

const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn nul_bytes_and_overlong_path_segments_are_not_found_never_a_500() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.create_pilot("proeftuin", 15, true).await;
    let long = "a".repeat(5000);
    for segment in [
        "a%00b",
        "%00",
        long.as_str(),
        "Partnerships-Voor-Meer-Banen",
        "%E2%80%AE",
    ] {
        for path in [
            format!("/events/{segment}"),
            format!("/events/{segment}/thanks/0b7a2f0e-8d4c-4c1e-9a57-3c2d1e0f9b8a"),
            format!("/pilots/{segment}/apply"),
            format!("/manage/{segment}"),
            format!("/applications/{segment}"),
            format!("/applications/verify/{segment}"),
            format!("/api/v1/events/{segment}"),
            format!("/api/v1/pilots/{segment}"),
            format!("/events/{SLUG}/thanks/{segment}"),
        ] {
            let response = app.get(&path).await;
            assert_eq!(response.status(), Status::NotFound, "{path}");
            assert!(!response.into_string().await.unwrap_or_default().is_empty());
        }
        for path in [
            format!("/events/{segment}/registrations"),
            format!("/manage/{segment}/cancel"),
            format!("/api/v1/events/{segment}/registrations"),
            format!("/api/v1/pilots/{segment}/applications"),
        ] {
            let status = app.submit_form(&path, &[]).await.status();
            assert_eq!(status, Status::NotFound, "POST {path}");
        }
    }
}

#[rocket::async_test]
async fn hostile_values_in_staff_forms_are_field_errors_never_a_500() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.create_staff("beheer@dnz.nl", Role::Admin).await;

    // A NUL in the log-in address is a wrong log-in, not a database error.
    let csrf = app.csrf_token().await;
    for email in ["beheer\u{0}@dnz.nl", "\u{0}", &"a".repeat(10_000)] {
        let response = app
            .post_form(
                "/admin/login",
                &[
                    ("email", email),
                    ("password", STAFF_PASSWORD),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(response.status(), Status::Unauthorized, "{email:?}");
    }

    let csrf = app.log_in_as(Role::Admin).await;
    let long_name = "N".repeat(300);
    for (uri, fields) in [
        (
            "/admin/accounts",
            vec![
                ("email", "nieuw@dnz.nl"),
                ("name", long_name.as_str()),
                ("role", "viewer"),
                ("password", STAFF_PASSWORD),
            ],
        ),
        (
            "/admin/accounts",
            vec![
                ("email", "nul@dnz.nl"),
                ("name", "Nul\u{0}Byte"),
                ("role", "viewer"),
                ("password", STAFF_PASSWORD),
            ],
        ),
        (
            "/admin/partnerships",
            vec![
                ("buyer", "Gemeente Utrecht"),
                ("supplier_name", "Glans"),
                ("supplier_kvk", "123456789"),
                ("category", "cleaning"),
            ],
        ),
    ] {
        let mut fields = fields;
        fields.push(("csrf", &csrf));
        let response = app.post_form(uri, &fields).await;
        let status = response.status();
        assert!(
            status == Status::UnprocessableEntity,
            "{uri} {fields:?}: {status} {}",
            response.into_string().await.unwrap_or_default()
        );
    }
    for query in [
        "q=a%00b",
        "sector=%00",
        "organisation=%00",
        "status=%00",
        &format!("q={}", "x".repeat(5000)),
    ] {
        let path = format!("/admin/events/{SLUG}/attendees?{query}");
        let status = app.get(&path).await.status();
        assert!(
            status == Status::Ok || status == Status::UnprocessableEntity,
            "{path}: {status}"
        );
    }
    let response = app
        .client
        .get(format!("/admin/events/{SLUG}/checkin?q=%00"))
        .header(ContentType::HTML)
        .dispatch()
        .await;
    assert_eq!(
        response.status(),
        Status::UnprocessableEntity,
        "refused like the attendee list's search"
    );
}

#[rocket::async_test]
async fn a_return_address_that_is_not_a_path_of_this_site_goes_to_the_overview() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    let id = app.registrations().await[0].id;
    let csrf = app.log_in_as(Role::Organiser).await;
    for back in [
        "https://evil.example/",
        "//evil.example/admin",
        "/%%%",
        "/admin/../../x\u{0}",
        "javascript:alert(1)",
    ] {
        let response = app
            .post_form(
                &format!("/admin/registrations/{id}/cancel"),
                &[("csrf", &csrf), ("back", back)],
            )
            .await;
        assert_eq!(response.status(), Status::SeeOther, "{back:?}");
        assert_eq!(
            response.headers().get_one("Location"),
            Some("/admin"),
            "{back:?}"
        );
    }
    assert_eq!(
        app.registrations().await[0].status,
        aanmeldpunt::domain::RegistrationStatus::Cancelled
    );
}

#[rocket::async_test]
async fn a_foreign_page_cannot_sign_up_with_a_simple_text_request() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let body = crate::helpers::sign_up_body("anna@utrecht.nl").to_string();
    for content_type in [
        ContentType::Plain,
        ContentType::Form,
        ContentType::new("multipart", "form-data"),
    ] {
        let response = app
            .client
            .post(format!("/api/v1/events/{SLUG}/registrations"))
            .header(content_type.clone())
            .body(&body)
            .dispatch()
            .await;
        assert_eq!(
            response.status(),
            Status::UnsupportedMediaType,
            "{content_type}"
        );
        let answer: serde_json::Value = response.into_json().await.unwrap();
        assert_eq!(answer["error"], "unsupported_media_type");
    }
    assert!(app.registrations().await.is_empty());
}

#[rocket::async_test]
async fn pages_and_exports_are_not_cached_and_https_asks_for_hsts() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.log_in_as(Role::Organiser).await;
    for path in [
        "/",
        "/admin",
        &format!("/admin/events/{SLUG}/attendees/export/csv"),
        "/api/v1/events",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers().get_one("Cache-Control"),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            response.headers().get_one("Strict-Transport-Security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}: base_url is https in the tests"
        );
    }
    let stylesheet = app.get("/static/style.css").await;
    assert_ne!(
        stylesheet.headers().get_one("Cache-Control"),
        Some("no-store")
    );
}

#[rocket::async_test]
async fn only_the_browser_that_signed_up_sees_its_thank_you_page() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let form = [
        ("name", "Anna de Vries"),
        ("email", "anna@utrecht.nl"),
        ("organisation", "Gemeente Utrecht"),
        ("sector", "GEM"),
    ];
    let response = app
        .submit_form(&format!("/events/{SLUG}/registrations"), &form)
        .await;
    let thanks = response.headers().get_one("Location").unwrap().to_owned();
    assert_eq!(app.get(&thanks).await.status(), Status::Ok);
    // Another browser, one that made a sign-up of its own.
    let elsewhere = uuid::Uuid::new_v4().to_string();
    let status = app
        .client
        .get(thanks.clone())
        .private_cookie(rocket::http::Cookie::new("signed_up", elsewhere))
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::NotFound, "only the browser that signed up");
    let status = app
        .client
        .get(thanks.clone())
        .cookie(rocket::http::Cookie::new("signed_up", "forged"))
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::NotFound, "a forged cookie does not pass");
}
