//! axe-core, injected into the page under test through WebDriver (not as
//! page markup, so the app's strict CSP stays as it is), run against the
//! WCAG 2.0, 2.1 and 2.2 A and AA rules.
use fantoccini::Client;
use serde_json::Value;

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
}).then(
  (r) => done({ violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  })) }),
  (e) => done({ error: String(e) }),
);
"#;

/// The violations on the current page, one readable block per rule;
/// empty when the page passes.
pub async fn violations(client: &Client, source: &str, label: &str) -> Vec<String> {
    let loaded = client
        .execute("return typeof window.axe !== 'undefined';", vec![])
        .await
        .expect("the page answers scripts");
    if loaded != Value::Bool(true) {
        client
            .execute(source, vec![])
            .await
            .expect("axe-core loads into the page");
    }
    let result = client
        .execute_async(RUN, vec![])
        .await
        .expect("axe.run answers");
    if let Some(error) = result.get("error") {
        panic!("axe failed on {label}: {error}");
    }
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    result["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    let summary = n["summary"].as_str().unwrap_or("").replace('\n', " / ");
                    format!(
                        "      at `{}`: {summary}",
                        n["target"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            format!(
                "  [{label}] {url}\n    {} ({}): {}\n{}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                nodes.join("\n")
            )
        })
        .collect()
}
