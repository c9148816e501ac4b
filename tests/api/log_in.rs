//! Guessing passwords: the lock-out counts every wrong guess, also when
//! they arrive at once, and says the same for an address without account.
use std::net::SocketAddr;
use std::sync::Arc;

use aanmeldpunt::domain::Role;
use aanmeldpunt::entities::staff_user;
use rocket::http::{ContentType, Status};
use sea_orm::EntityTrait;

use crate::helpers::{spawn_app_with, TestApp, STAFF_PASSWORD};

async fn log_in(
    app: &TestApp,
    remote: SocketAddr,
    csrf: &str,
    email: &str,
    password: &str,
) -> (Status, Option<String>, String) {
    let response = app
        .client
        .post("/admin/login")
        .remote(remote)
        .header(ContentType::Form)
        .body(format!(
            "email={}&password={}&csrf={csrf}",
            crate::helpers::urlencode(email),
            crate::helpers::urlencode(password)
        ))
        .dispatch()
        .await;
    let status = response.status();
    let retry = response.headers().get_one("Retry-After").map(str::to_owned);
    (
        status,
        retry,
        response.into_string().await.unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_wrong_guesses_at_once_lock_the_account() {
    let app = Arc::new(spawn_app_with(|f| f.merge(("rate_limit_logins_per_minute", 1000))).await);
    app.create_staff("beheer@dnz.nl", Role::Admin).await;
    let csrf = app.csrf_token().await;
    let guesses: Vec<_> = (0..30)
        .map(|i| {
            let (app, csrf) = (app.clone(), csrf.clone());
            tokio::spawn(async move {
                let remote: SocketAddr = format!("192.0.2.{}:4000", i + 1).parse().unwrap();
                log_in(
                    &app,
                    remote,
                    &csrf,
                    "beheer@dnz.nl",
                    &format!("fout wachtwoord {i}"),
                )
                .await
            })
        })
        .collect();
    for guess in guesses {
        let (status, _, _) = guess.await.unwrap();
        assert!(
            status == Status::Unauthorized || status == Status::TooManyRequests,
            "{status}"
        );
    }
    let account = staff_user::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        account.locked_until.is_some_and(|t| t > chrono::Utc::now()),
        "locked after concurrent guesses: {account:?}"
    );
    // Now even the right password waits, and is told how long.
    let remote: SocketAddr = "192.0.2.200:4000".parse().unwrap();
    let (status, retry, page) = log_in(&app, remote, &csrf, "beheer@dnz.nl", STAFF_PASSWORD).await;
    assert_eq!(status, Status::TooManyRequests);
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(
        page.contains("15 minuten") || page.contains("geblokkeerd"),
        "{page}"
    );
}

#[rocket::async_test]
async fn an_address_without_an_account_gets_the_same_lock_out_answer() {
    let app = spawn_app_with(|f| f.merge(("rate_limit_logins_per_minute", 1000))).await;
    app.create_staff("beheer@dnz.nl", Role::Admin).await;
    let csrf = app.csrf_token().await;
    let remote: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let mut answers = Vec::new();
    for email in ["beheer@dnz.nl", "niemand@dnz.nl"] {
        let mut last = None;
        for i in 0..6 {
            last = Some(log_in(&app, remote, &csrf, email, &format!("fout {i} wachtwoord")).await);
        }
        let (status, retry, page) = last.unwrap();
        assert_eq!(status, Status::TooManyRequests, "{email}");
        assert!(retry.is_some(), "{email}: Retry-After");
        let message = page
            .split("role=\"alert\"")
            .nth(1)
            .and_then(|rest| rest.split("</").next())
            .unwrap_or(&page)
            .to_owned();
        answers.push(message);
    }
    assert_eq!(
        answers[0], answers[1],
        "nobody learns which address has an account"
    );
}

#[rocket::async_test]
async fn successful_log_ins_do_not_use_up_the_address_allowance() {
    // A door team sharing one account on several phones.
    let app = spawn_app_with(|f| f.merge(("rate_limit_logins_per_minute", 1000))).await;
    app.create_staff("deur@dnz.nl", Role::Organiser).await;
    for phone in 0..15 {
        // The form's token changes at every log-in.
        let csrf = app.csrf_token().await;
        let remote: SocketAddr = format!("192.0.2.{}:4000", phone + 1).parse().unwrap();
        let (status, _, _) = log_in(&app, remote, &csrf, "deur@dnz.nl", STAFF_PASSWORD).await;
        assert_eq!(status, Status::SeeOther, "log-in {phone}");
    }
}
