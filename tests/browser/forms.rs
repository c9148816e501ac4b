//! Refused forms: every error message sits next to its field and is tied
//! to it (`aria-describedby`), the field says it is invalid, and a summary
//! is announced.
use serde_json::Value;

use crate::page::E2e;
use crate::seed::{EVENT, PILOT};

/// For every field that shows an error, and every field marked invalid:
/// whether the two are tied together. Returns the invalid fields' ids.
async fn linked_errors(e2e: &E2e) -> Vec<String> {
    const CHECK: &str = r#"
const problems = [];
const invalid = [...document.querySelectorAll('[aria-invalid=true]')].map((f) => f.id);
for (const error of document.querySelectorAll('.field-error')) {
  const id = error.id.replace(/-error$/, '');
  const field = document.getElementById(id);
  if (!field) { problems.push(`no field for ${error.id}`); continue; }
  const described = (field.getAttribute('aria-describedby') || '').split(/\s+/);
  if (!described.includes(error.id)) problems.push(`${id} is not described by ${error.id}`);
  if (field.getAttribute('aria-invalid') !== 'true') problems.push(`${id} lacks aria-invalid`);
  if (!error.textContent.trim()) problems.push(`${error.id} is empty`);
  if (field.labels.length === 0) problems.push(`${id} has no label`);
}
for (const id of invalid) {
  if (!document.getElementById(`${id}-error`)) problems.push(`${id} is invalid without a message`);
}
return { problems, invalid };
"#;
    let result = e2e.js(CHECK).await;
    let problems: Vec<&Value> = result["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    assert!(
        problems.is_empty(),
        "errors not tied to fields: {problems:?}"
    );
    result["invalid"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_in_the_forms_are_tied_to_their_fields() {
    let Some(e2e) = E2e::start("form_errors").await else {
        return;
    };
    e2e.goto(&format!("/events/{EVENT}")).await;
    e2e.click_and_wait("main form button[type=submit]").await;
    assert!(e2e.text("[role=alert]").await.contains("Niet alle velden"));
    let title = e2e.client.title().await.expect("a title");
    assert!(
        title.starts_with("Fout: "),
        "the title says so first: {title}"
    );
    assert_eq!(
        linked_errors(&e2e).await,
        ["name", "email", "organisation", "sector"]
    );
    // The summary at the top has focus, so a phone shows it, and lists
    // each error as a link to its field, in the form's order.
    assert_eq!(
        e2e.js("return document.activeElement.className;").await,
        "error-summary",
        "the summary is focused on load"
    );
    let summary = e2e
        .js("return [...document.querySelectorAll('.error-summary a')]\
             .map((a) => [a.getAttribute('href'), a.textContent.trim()]);")
        .await;
    let summary: Vec<(String, String)> = serde_json::from_value(summary).unwrap();
    let targets: Vec<&str> = summary.iter().map(|(href, _)| href.as_str()).collect();
    assert_eq!(targets, ["#name", "#email", "#organisation", "#sector"]);
    let messages: std::collections::BTreeSet<&str> =
        summary.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(messages.len(), 4, "each field says what to do: {summary:?}");
    assert!(messages.contains("Kies de sector van uw werkgever."));
    assert_eq!(
        e2e.text("#sector-error").await.replace('\n', " "),
        "Fout: Kies de sector van uw werkgever.",
        "the same words beside the field, prefixed for screen readers"
    );
    e2e.find(".error-summary a[href='#sector']")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        e2e.focused().await,
        "sector",
        "the link takes you to the field"
    );
    e2e.check("sign-up form, all empty").await;

    e2e.fill("#name", "Anna de Vries").await;
    e2e.fill("#email", "anna@").await;
    e2e.fill("#organisation", "Gemeente Utrecht").await;
    e2e.select("#sector", "GEM").await;
    e2e.click_and_wait("main form button[type=submit]").await;
    assert_eq!(linked_errors(&e2e).await, ["email"]);
    assert!(e2e
        .text("#email-error")
        .await
        .contains("Vul een e-mailadres in zoals naam@gemeente.nl"));
    let described = e2e.find("#email").await.attr("aria-describedby").await;
    assert_eq!(
        described.ok().flatten().as_deref(),
        Some("email-error email-hint"),
        "the hint stays linked too"
    );
    assert_eq!(
        e2e.js("return document.getElementById('name').value;")
            .await,
        "Anna de Vries",
        "what was typed is kept"
    );
    e2e.check("sign-up form, wrong e-mail").await;

    e2e.goto(&format!("/pilots/{PILOT}/apply")).await;
    e2e.click_and_wait("main form button[type=submit]").await;
    let invalid = linked_errors(&e2e).await;
    for field in [
        "organisation",
        "sector",
        "contact_name",
        "email",
        "motivation",
    ] {
        assert!(invalid.iter().any(|f| f == field), "{field} in {invalid:?}");
    }
    let unmarked = e2e
        .js("return [...document.querySelectorAll('main form label')]\
             .filter((l) => l.textContent.trim().endsWith('*') && !l.control.required)\
             .map((l) => l.htmlFor);")
        .await;
    assert_eq!(
        unmarked,
        serde_json::json!([]),
        "fields marked * are required for assistive technology too"
    );
    e2e.check("application form, all empty").await;

    // The checker itself: a field without a label must not pass.
    e2e.js(
        "const i = document.createElement('input'); i.id = 'unlabelled'; \
            document.querySelector('main').append(i);",
    )
    .await;
    let found = e2e.axe("deliberately broken").await;
    assert!(
        found
            .iter()
            .any(|v| v.contains("label (critical)") && v.contains("#unlabelled")),
        "axe should report the unlabelled field: {found:?}"
    );
    e2e.finish().await;
}
