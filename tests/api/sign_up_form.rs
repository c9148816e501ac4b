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

    let response = app
        .submit_form(ACTION, &valid_form("anna@utrecht.nl"))
        .await;
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
    app.submit_form(ACTION, &valid_form("a@utrecht.nl")).await;
    app.submit_form(ACTION, &valid_form("b@utrecht.nl")).await;
    let response = app.submit_form(ACTION, &valid_form("c@utrecht.nl")).await;
    let location = response.headers().get_one("Location").unwrap().to_owned();
    let html = app.get(&location).await.into_string().await.unwrap();
    assert!(html.contains("op plaats 2"), "{html}");
}

#[rocket::async_test]
async fn invalid_input_re_renders_the_form_with_dutch_messages_and_kept_values() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let response = app
        .submit_form(
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
    assert!(
        html.contains("Vul een e-mailadres in zoals naam@gemeente.nl"),
        "{html}"
    );
    assert!(html.contains("Vul de naam van uw organisatie in"));
    assert!(
        html.contains(r##"<a href="#organisation">"##),
        "the summary links to the field"
    );
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
    app.submit_form(ACTION, &valid_form("anna@utrecht.nl"))
        .await;
    let response = app
        .submit_form(ACTION, &valid_form("anna@utrecht.nl"))
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("U was al aangemeld"), "{html}");
    assert!(html.contains("nog een keer naar u"), "{html}");
    assert!(!html.contains(r#"name="email""#), "no form again");
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
    app.submit_form(ACTION, &valid_form("a@utrecht.nl")).await;

    let html = app
        .get("/events/partnerships-voor-meer-banen")
        .await
        .into_string()
        .await
        .unwrap();
    assert!(html.contains("geen wachtlijst"), "{html}");
    assert!(!html.contains("<form"));
    let response = app.submit_form(ACTION, &valid_form("b@utrecht.nl")).await;
    assert_eq!(response.status(), Status::Conflict);
}

#[rocket::async_test]
async fn an_oversized_form_is_refused_with_a_413_page_and_nothing_stored() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let remarks = "x".repeat(100_000);
    let mut form = valid_form("anna@utrecht.nl");
    form.push(("remarks", remarks.as_str()));
    let response = app.submit_form(ACTION, &form).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("te groot"), "{html}");
    assert!(app.registrations().await.is_empty());
}

/// The hidden fields of the sign-up form as the event page hands them out.
async fn shown_form_fields(app: &crate::helpers::TestApp) -> (String, String) {
    let html = app
        .get("/events/partnerships-voor-meer-banen?lang=nl")
        .await
        .into_string()
        .await
        .unwrap();
    (regex_field(&html, "csrf"), regex_field(&html, "form_token"))
}

/// The value of the hidden field `name` in `html`.
fn regex_field(html: &str, name: &str) -> String {
    let re = regex::Regex::new(&format!(r#"name="{name}" value="([^"]+)""#)).unwrap();
    re.captures(html)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("a {name} field in {html}"))
}

#[rocket::async_test]
async fn a_double_clicked_form_signs_up_once_and_both_clicks_land_on_the_same_page() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let (csrf, form_token) = shown_form_fields(&app).await;
    let mut fields = valid_form("anna@utrecht.nl");
    fields.push(("csrf", &csrf));
    fields.push(("form_token", &form_token));

    let first = app.post_form(ACTION, &fields).await;
    let first_location = first.headers().get_one("Location").map(str::to_owned);
    let second = app.post_form(ACTION, &fields).await;
    assert_eq!(second.status(), Status::SeeOther);
    assert_eq!(
        second.headers().get_one("Location").map(str::to_owned),
        first_location
    );
    assert_eq!(app.registrations().await.len(), 1);
    assert_eq!(app.outbox().await.len(), 1, "no second mail for the replay");

    // A fresh copy of the form is a new submission: the usual duplicate.
    let (_, fresh_token) = shown_form_fields(&app).await;
    assert_ne!(fresh_token, form_token);
    let mut again = valid_form("anna@utrecht.nl");
    again.push(("csrf", &csrf));
    again.push(("form_token", &fresh_token));
    assert_eq!(
        app.post_form(ACTION, &again).await.status(),
        Status::Conflict
    );
    assert_eq!(app.registrations().await.len(), 1);
}

#[rocket::async_test]
async fn a_form_sent_again_with_other_details_is_shown_again_with_a_fresh_key() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let (csrf, form_token) = shown_form_fields(&app).await;
    let mut fields = valid_form("anna@utrecht.nl");
    fields.push(("csrf", &csrf));
    fields.push(("form_token", &form_token));
    assert_eq!(
        app.post_form(ACTION, &fields).await.status(),
        Status::SeeOther
    );

    // Back, another address typed in, sent again: the same key.
    let mut changed = valid_form("bert@utrecht.nl");
    changed.push(("csrf", &csrf));
    changed.push(("form_token", &form_token));
    let response = app.post_form(ACTION, &changed).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("al verstuurd, met andere gegevens"), "{html}");
    assert!(html.contains(r#"value="bert@utrecht.nl""#), "kept values");
    assert!(!html.contains(&form_token), "a fresh key: {html}");
    assert_eq!(app.registrations().await.len(), 1);

    // Sending the shown form signs Bert up.
    let fresh = regex_field(&html, "form_token");
    let mut again = valid_form("bert@utrecht.nl");
    again.push(("csrf", &csrf));
    again.push(("form_token", &fresh));
    assert_eq!(
        app.post_form(ACTION, &again).await.status(),
        Status::SeeOther
    );
    let emails: Vec<String> = app
        .registrations()
        .await
        .into_iter()
        .map(|r| r.email)
        .collect();
    assert_eq!(emails, ["anna@utrecht.nl", "bert@utrecht.nl"]);
}

#[rocket::async_test]
async fn a_form_without_the_sites_csrf_token_is_shown_again_and_stores_nothing() {
    let app = spawn_app().await;
    app.create_event(EventSpec::default()).await;
    let mut forged = valid_form("anna@utrecht.nl");
    forged.push(("csrf", "forged-token"));
    let response = app.post_form(ACTION, &forged).await;
    assert_eq!(response.status(), Status::Forbidden);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("verlopen"), "{html}");
    assert!(
        html.contains(r#"value="Gemeente Utrecht""#),
        "kept values: {html}"
    );
    assert!(!html.contains("forged-token"));
    assert!(app.registrations().await.is_empty());
    assert!(app.outbox().await.is_empty());
}

#[rocket::async_test]
async fn on_a_public_sector_meeting_a_refused_employer_sees_the_reason_on_the_filled_in_form() {
    use aanmeldpunt::domain::Eligibility;
    use aanmeldpunt::services::register::RegisterFormat;

    let app = spawn_app().await;
    app.import_register(crate::helpers::ROO_FIXTURE, RegisterFormat::Roo)
        .await
        .unwrap();
    app.create_event(EventSpec {
        eligibility: Eligibility::PublicSector,
        ..Default::default()
    })
    .await;
    let form = vec![
        ("name", "Bert Bakker"),
        ("email", "bert@schoonmaakbedrijf.example"),
        ("organisation", "Schoonmaakbedrijf Glans"),
        ("sector", "OVERIG"),
        ("job_title", "Accountmanager"),
        ("remarks", "Vegetarisch"),
    ];
    let response = app.submit_form(ACTION, &form).await;
    assert_eq!(response.status(), Status::Forbidden);
    let html = response.into_string().await.unwrap();
    assert!(html.contains("<form"), "the form is shown again: {html}");
    for kept in [
        "Bert Bakker",
        "bert@schoonmaakbedrijf.example",
        "Schoonmaakbedrijf Glans",
        "Accountmanager",
        "Vegetarisch",
    ] {
        assert!(html.contains(kept), "{kept} kept: {html}");
    }
    assert!(
        html.contains("Overheid") && html.contains("Onderwijs"),
        "the reason names who may come: {html}"
    );
    assert!(!html.contains("Er ging iets mis"), "{html}");
    assert!(app.registrations().await.is_empty());
}
