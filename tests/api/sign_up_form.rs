use rocket::http::Status;

use crate::helpers::{spawn_app, EventSpec};

const ACTION: &str = "/events/partnerships-voor-meer-banen/registrations?lang=nl";

fn valid_form(email: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("name", "Anna de Vries"),
        ("email", email),
        ("organisation", "Gemeente Utrecht"),
        ("sector", "GEM"),
        ("job_title", ""),
        ("remarks", "Rolstoeltoegang graag"),
    ]
}

#[rocket::async_test]
async fn a_valid_form_redirects_to_a_thank_you_page_that_says_confirmed() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;

    let response = app.post_form(ACTION, &valid_form("anna@utrecht.nl")).await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert!(location.starts_with("/events/partnerships-voor-meer-banen/thanks/"));

    let html = app.get(&location).await.into_string().await.unwrap();
    assert!(html.contains("Bevestigd"), "{html}");
    let stored = app.registrations().await;
    assert_eq!(stored[0].remarks.as_deref(), Some("Rolstoeltoegang graag"));
}

#[rocket::async_test]
async fn the_thank_you_page_gives_the_waiting_list_position() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        ..Default::default()
    })
    .await;
    app.post_form(ACTION, &valid_form("a@utrecht.nl")).await;
    app.post_form(ACTION, &valid_form("b@utrecht.nl")).await;
    let response = app.post_form(ACTION, &valid_form("c@utrecht.nl")).await;
    let location = response.headers().get_one("Location").unwrap().to_owned();
    let html = app.get(&location).await.into_string().await.unwrap();
    assert!(html.contains("op plaats 2"), "{html}");
}

#[rocket::async_test]
async fn invalid_input_re_renders_the_form_with_dutch_messages_and_kept_values() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let response = app
        .post_form(
            ACTION,
            &[
                ("name", "Anna <b>de Vries</b>"),
                ("email", "anna-at-utrecht"),
                ("organisation", ""),
                ("sector", "GEM"),
            ],
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("Vul een geldig e-mailadres in"), "{html}");
    assert!(html.contains(r#"id="organisation-error""#));
    assert!(html.contains(r#"aria-describedby="organisation-error""#));
    assert!(
        html.contains(r#"value="anna-at-utrecht""#),
        "values are kept"
    );
    assert!(
        html.contains("Anna &lt;b&gt;de Vries&lt;/b&gt;"),
        "input is escaped"
    );
    assert!(html.contains(r#"<option value="GEM" selected>"#));
    assert!(app.registrations().await.is_empty());
}

#[rocket::async_test]
async fn a_second_sign_up_with_the_same_address_is_explained_on_the_form() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    app.post_form(ACTION, &valid_form("anna@utrecht.nl")).await;
    let response = app.post_form(ACTION, &valid_form("anna@utrecht.nl")).await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("al aangemeld"), "{html}");
    assert_eq!(app.registrations().await.len(), 1);
}

#[rocket::async_test]
async fn a_full_event_without_waiting_list_shows_no_form_and_refuses_posts() {
    let app = spawn_app().await;
    app.create_event(EventSpec {
        capacity: 1,
        waitlist: false,
        ..Default::default()
    })
    .await;
    app.post_form(ACTION, &valid_form("a@utrecht.nl")).await;

    let html = app
        .get("/events/partnerships-voor-meer-banen")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("geen wachtlijst"), "{html}");
    assert!(!html.contains("<form"));
    let response = app.post_form(ACTION, &valid_form("b@utrecht.nl")).await;
    assert_eq!(response.status(), Status::Conflict);
}

#[rocket::async_test]
async fn an_oversized_form_is_refused_with_a_413_page_and_nothing_stored() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let remarks = "x".repeat(100_000);
    let mut form = valid_form("anna@utrecht.nl");
    form.push(("remarks", remarks.as_str()));
    let response = app.post_form(ACTION, &form).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("te groot"), "{html}");
    assert!(app.registrations().await.is_empty());
}
