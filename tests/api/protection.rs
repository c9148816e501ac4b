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
        // A line break would make the header unsendable over a real socket.
        assert!(
            !csp.contains(['\n', '\r', '\\']) && csp.contains("img-src 'self' data:"),
            "{path}: {csp:?}"
        );
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
    // The first makes the sign-up, the next two are told they are signed
    // up already (409); the links go again once, not twice.
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
    // Other people are not held back; Anna got her confirmation and her
    // links once more.
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
        2
    );
}

async fn sign_up_from(
    app: &crate::helpers::TestApp,
    remote: SocketAddr,
    email: &str,
    header: Option<(&'static str, String)>,
) -> Status {
    let mut request = app
        .client
        .post(URI)
        .remote(remote)
        .header(ContentType::JSON)
        .body(sign_up_body(email).to_string());
    if let Some((name, value)) = header {
        request = request.header(rocket::http::Header::new(name, value));
    }
    request.dispatch().await.status()
}

#[rocket::async_test]
async fn a_forged_client_address_header_does_not_escape_the_limit() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_sign_ups_per_minute", 3))).await;
    app.create_event(EventSpec::default()).await;
    let from: SocketAddr = "192.0.2.10:40000".parse().unwrap();
    let mut statuses = Vec::new();
    for i in 0..5 {
        for header in ["X-Real-IP", "X-Forwarded-For"] {
            let forged = Some((header, format!("198.51.100.{i}")));
            statuses
                .push(sign_up_from(&app, from, &format!("p{i}-{header}@utrecht.nl"), forged).await);
        }
    }
    let created = statuses.iter().filter(|s| **s == Status::Created).count();
    assert_eq!(created, 3, "one client, whatever it claims: {statuses:?}");
}

#[rocket::async_test]
async fn behind_a_named_proxy_its_header_names_the_client_and_nobody_else_can_set_it() {
    let app = spawn_app_with(|f| {
        f.merge(("rate_limit_sign_ups_per_minute", 2))
            .merge(("trusted_proxy_header", "X-Forwarded-For"))
            .merge(("trusted_proxies", vec!["10.0.0.0/8"]))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    let proxy: SocketAddr = "10.1.2.3:40000".parse().unwrap();
    // Through the proxy, each visitor has an allowance of their own.
    for visitor in 0..4 {
        for n in 0..2 {
            let header = Some(("X-Forwarded-For", format!("198.51.100.{visitor}, 10.9.9.9")));
            let status =
                sign_up_from(&app, proxy, &format!("v{visitor}n{n}@utrecht.nl"), header).await;
            assert_eq!(status, Status::Created, "visitor {visitor}, sign-up {n}");
        }
        let header = Some(("X-Forwarded-For", format!("198.51.100.{visitor}")));
        let third = sign_up_from(&app, proxy, &format!("v{visitor}n2@utrecht.nl"), header).await;
        assert_eq!(third, Status::TooManyRequests, "visitor {visitor}'s third");
    }
    // A client that connects itself cannot claim to be someone else.
    let direct: SocketAddr = "192.0.2.20:40000".parse().unwrap();
    let mut created = 0;
    for i in 0..4 {
        let forged = Some(("X-Forwarded-For", format!("203.0.113.{i}")));
        if sign_up_from(&app, direct, &format!("d{i}@utrecht.nl"), forged).await == Status::Created
        {
            created += 1;
        }
    }
    assert_eq!(created, 2);
}

#[rocket::async_test]
async fn proxy_settings_that_name_no_proxy_stop_the_start() {
    let database = crate::helpers::TestDatabase::create().await;
    let figment = crate::helpers::test_figment(&database.url)
        .merge(("trusted_proxy_header", "X-Forwarded-For"));
    let launched = rocket::local::asynchronous::Client::tracked(aanmeldpunt::rocket(figment)).await;
    let Err(error) = launched else {
        panic!("a header without proxies would trust anyone");
    };
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::FailedFairings(_)
    ));
}

#[rocket::async_test]
async fn signing_up_twice_resends_the_links_once_an_hour_not_every_time() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let from: SocketAddr = "192.0.2.30:40000".parse().unwrap();
    assert_eq!(
        sign_up_from(&app, from, "anna@utrecht.nl", None).await,
        Status::Created
    );
    for _ in 0..5 {
        assert_eq!(
            sign_up_from(&app, from, "anna@utrecht.nl", None).await,
            Status::Conflict
        );
    }
    let mails = app.mails_to("anna@utrecht.nl", 2).await;
    assert_eq!(mails.len(), 2, "the confirmation and the links once more");
}

#[rocket::async_test]
async fn verification_mails_cannot_be_resent_without_end() {
    use crate::helpers::{application_body, ROO_FIXTURE};
    use aanmeldpunt::services::register::RegisterFormat;
    let app = spawn_app().await;
    app.import_register(ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_pilot("proeftuin", 15, true).await;
    let (status, body) = app
        .post_json(
            "/api/v1/pilots/proeftuin/applications",
            &application_body("Gemeente Verzonnen", "GEM", "iemand@gmail.com"),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let resend = format!("/pilots/proeftuin/applied/{id}/resend");
    let mut statuses = Vec::new();
    for i in 0..6 {
        // From other client addresses each time, as a flood would come.
        let csrf = app.csrf_token().await;
        let remote: SocketAddr = format!("192.0.2.{}:40000", 40 + i).parse().unwrap();
        let response = app
            .client
            .post(resend.clone())
            .remote(remote)
            .header(ContentType::Form)
            .body(format!("csrf={csrf}"))
            .dispatch()
            .await;
        statuses.push(response.status());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::SeeOther).count(),
        3,
        "three resends an hour: {statuses:?}"
    );
    assert!(statuses[3..].iter().all(|s| *s == Status::TooManyRequests));
    let mails = app.mails_to("iemand@gmail.com", 4).await;
    assert_eq!(mails.len(), 4, "the first mail and three resends");
}

/// Two instances on one store count together: the database on PostgreSQL,
/// Redis where one answers on this machine.
#[rocket::async_test]
async fn instances_sharing_a_store_share_the_allowance() {
    use aanmeldpunt::config::AppConfig;
    use aanmeldpunt::services::limits::{Limit, Limits};
    let database = crate::helpers::TestDatabase::create().await;
    let mut stores = Vec::new();
    if database.url.starts_with("postgres") {
        stores.push(None);
    }
    let redis_up = std::net::TcpStream::connect("127.0.0.1:6379").is_ok();
    if redis_up {
        stores.push(Some("redis://127.0.0.1:6379"));
    } else {
        eprintln!("Redis is not running on 127.0.0.1:6379: its store is not tried");
    }
    for store in stores {
        let mut figment =
            crate::helpers::test_figment(&database.url).merge(("rate_limit_per_email_per_hour", 3));
        if let Some(url) = store {
            figment = figment.merge(("rate_limit_store", url));
        }
        let config: AppConfig = figment.extract().unwrap();
        let db = aanmeldpunt::db::connect(&database.url, None).await.unwrap();
        aanmeldpunt::db::migrate(&db).await.unwrap();
        let secret = Some("one secret for every instance");
        let one = Limits::from_config(&config, &db, secret).await.unwrap();
        let two = Limits::from_config(&config, &db, secret).await.unwrap();
        let address = format!("{}@utrecht.nl", uuid::Uuid::new_v4().simple());
        assert!(one.check(Limit::MailToAddress, &address).await.is_ok());
        assert!(two.check(Limit::MailToAddress, &address).await.is_ok());
        assert!(one.check(Limit::MailToAddress, &address).await.is_ok());
        let refused = two.check(Limit::MailToAddress, &address).await;
        assert!(
            matches!(
                refused,
                Err(aanmeldpunt::error::AppError::RateLimited { .. })
            ),
            "{store:?}: the fourth, on the other instance, is refused"
        );
        assert!(two
            .peek(Limit::MailToAddress, "someone-else@utrecht.nl")
            .await
            .is_ok());
    }
}

/// The sign-up form, posted from one client address with its own cookie.
async fn post_sign_up_form(
    app: &crate::helpers::TestApp,
    remote: SocketAddr,
    email: &str,
) -> (Status, Option<String>, String) {
    let csrf = app.csrf_token().await;
    let body = format!(
        "name=Anna+de+Vries&email={}&organisation=Gemeente+Utrecht&sector=GEM&csrf={csrf}",
        crate::helpers::urlencode(email)
    );
    let response = app
        .client
        .post(format!("/events/{SLUG}/registrations"))
        .remote(remote)
        .header(ContentType::Form)
        .header(rocket::http::Header::new("Accept-Language", "nl"))
        .body(body)
        .dispatch()
        .await;
    let status = response.status();
    let wait = response.headers().get_one("Retry-After").map(str::to_owned);
    (
        status,
        wait,
        response.into_string().await.unwrap_or_default(),
    )
}

#[rocket::async_test]
async fn a_rate_limited_form_comes_back_filled_in_with_the_reason_on_the_page() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_sign_ups_per_minute", 2))).await;
    app.create_event(EventSpec::default()).await;
    let from: SocketAddr = "192.0.2.60:40000".parse().unwrap();
    for i in 0..2 {
        let (status, _, _) = post_sign_up_form(&app, from, &format!("p{i}@utrecht.nl")).await;
        assert_eq!(status, Status::SeeOther);
    }
    let (status, wait, html) = post_sign_up_form(&app, from, "derde@utrecht.nl").await;
    assert_eq!(status, Status::TooManyRequests);
    assert!(wait.is_some_and(|w| w.parse::<u64>().is_ok()));
    assert!(html.starts_with("<!doctype html>"), "a page in the layout");
    assert!(
        html.contains(r#"class="error-summary" role="alert""#),
        "{html}"
    );
    assert!(html.contains("U heeft dit formulier vaak verstuurd. Probeer het over "));
    assert!(
        !html.contains("vanaf uw adres"),
        "not read as the e-mail address"
    );
    assert!(html.contains(r#"value="derde@utrecht.nl""#), "filled in");
    assert!(html.contains("<title>Fout: "));
}

#[rocket::async_test]
async fn the_per_address_limit_speaks_of_the_mail_in_both_languages_on_page_and_api() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_per_email_per_hour", 1))).await;
    app.create_event(EventSpec::default()).await;
    let from: SocketAddr = "192.0.2.61:40000".parse().unwrap();
    assert_eq!(
        post_sign_up_form(&app, from, "anna@utrecht.nl").await.0,
        Status::SeeOther
    );
    let (status, wait, html) = post_sign_up_form(&app, from, "anna@utrecht.nl").await;
    assert_eq!(status, Status::TooManyRequests);
    assert!(wait.is_some());
    assert!(
        html.contains("Naar dit e-mailadres hebben we het afgelopen uur al veel e-mails gestuurd"),
        "{html}"
    );
    assert!(html.contains(r#"value="anna@utrecht.nl""#));
    for (lang, expected) in [
        ("nl", "Naar dit e-mailadres hebben we"),
        ("en", "We have already sent many e-mails to this address"),
    ] {
        let response = app
            .client
            .post(format!("{URI}?lang={lang}"))
            .header(ContentType::JSON)
            .body(sign_up_body("anna@utrecht.nl").to_string())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::TooManyRequests);
        let body: serde_json::Value = response.into_json().await.unwrap();
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{lang}: {message}");
        assert!(!message.contains("Unknown localization"), "{message}");
    }
}
