use rocket::http::{ContentType, Status};
use std::net::SocketAddr;

use crate::helpers::{sign_up_body, spawn_app, spawn_app_with, EventSpec};

const URI: &str = "/api/v1/events/partnerships-voor-meer-banen/registrations";
const SLUG: &str = "partnerships-voor-meer-banen";

#[rocket::async_test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    for path in [
        "/",
        "/events/partnerships-voor-meer-banen",
        "/api/v1/events",
        "/admin/login",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers
            .get_one("Content-Security-Policy")
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(
            headers.get_one("X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            headers.get_one("Referrer-Policy"),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(headers.get_one("X-Frame-Options"), Some("DENY"), "{path}");
    }
}

#[rocket::async_test]
async fn too_many_sign_ups_from_one_address_get_429_with_retry_after() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_sign_ups_per_minute", 3))).await;
    app.create_event(EventSpec::default()).await;
    let from: SocketAddr = "127.0.0.2:40000".parse().unwrap();
    let send = |i: usize, remote: SocketAddr| {
        let client = &app.client;
        async move {
            client
                .post(URI)
                .remote(remote)
                .header(ContentType::JSON)
                .body(sign_up_body(&format!("p{i}@utrecht.nl")).to_string())
                .dispatch()
                .await
        }
    };
    for i in 0..3 {
        assert_eq!(send(i, from).await.status(), Status::Created);
    }
    let refused = send(3, from).await;
    assert_eq!(refused.status(), Status::TooManyRequests);
    let wait: u64 = refused
        .headers()
        .get_one("Retry-After")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let body: serde_json::Value = refused.into_json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(
        app.registrations().await.len(),
        3,
        "the refused one is not stored"
    );

    let elsewhere: SocketAddr = "127.0.0.3:40000".parse().unwrap();
    assert_eq!(
        send(4, elsewhere).await.status(),
        Status::Created,
        "other addresses go on"
    );
}

#[rocket::async_test]
async fn log_in_attempts_are_limited_per_address_too() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_logins_per_minute", 2))).await;
    let from: SocketAddr = "127.0.0.4:40000".parse().unwrap();
    let csrf = app.csrf_token().await;
    let mut last = Status::Ok;
    for _ in 0..3 {
        last = app
            .client
            .post("/admin/login")
            .remote(from)
            .header(ContentType::Form)
            .body(format!(
                "email=x%40dnz.nl&password=wrongwrongwrong&csrf={csrf}"
            ))
            .dispatch()
            .await
            .status();
    }
    assert_eq!(last, Status::TooManyRequests);
}

#[rocket::async_test]
async fn one_email_address_gets_only_its_hourly_allowance_of_sign_ups() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_per_email_per_hour", 3))).await;
    app.create_event(EventSpec::default()).await;
    // The first makes the sign-up, the next two resend its mail (409).
    let (first, _) = app.sign_up_api(SLUG, "anna@utrecht.nl").await;
    assert_eq!(first, Status::Created);
    for _ in 0..2 {
        assert_eq!(
            app.sign_up_api(SLUG, "anna@utrecht.nl").await.0,
            Status::Conflict
        );
    }
    let refused = app
        .client
        .post(format!("/api/v1/events/{SLUG}/registrations"))
        .header(ContentType::JSON)
        .body(sign_up_body("ANNA@utrecht.nl").to_string())
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::TooManyRequests);
    let wait: u64 = refused
        .headers()
        .get_one("Retry-After")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=3600).contains(&wait), "{wait}");
    let body = refused.into_string().await.unwrap();
    assert!(body.contains("rate_limited"), "{body}");
    // Other people are not held back, and no fourth mail went out.
    assert_eq!(
        app.sign_up_api(SLUG, "bert@utrecht.nl").await.0,
        Status::Created
    );
    assert_eq!(
        app.outbox()
            .await
            .iter()
            .filter(|m| m.recipient == "anna@utrecht.nl")
            .count(),
        3
    );
}
