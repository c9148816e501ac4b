//! An organiser logs in, opens a meeting's attendee list and exports it.
use aanmeldpunt::domain::Role;
use serde_json::{json, Value};

use crate::page::E2e;
use crate::seed::{self, EVENT};

/// Fetches the link's target from inside the page (with the session
/// cookie), as a click on a download link would.
async fn download(e2e: &E2e, link: &str) -> Value {
    const FETCH: &str = r#"
const [selector, done] = arguments;
fetch(document.querySelector(selector).href).then(async (r) => {
  const bytes = new Uint8Array(await r.arrayBuffer());
  done({ status: r.status, type: r.headers.get('content-type'),
         disposition: r.headers.get('content-disposition'),
         head: Array.from(bytes.slice(0, 4)), text: new TextDecoder().decode(bytes) });
}, (e) => done({ error: String(e) }));
"#;
    e2e.client
        .execute_async(FETCH, vec![json!(link)])
        .await
        .expect("the download answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organiser_logs_in_and_exports_the_attendee_list() {
    let Some(e2e) = E2e::start("back_office_export").await else {
        return;
    };
    seed::sign_up(&e2e.server, "Anna de Vries", "anna@utrecht.nl", "").await;
    seed::sign_up(&e2e.server, "Bram Jansen", "bram@utrecht.nl", "Vegetarisch").await;

    e2e.visit("/admin", "redirected to log-in").await;
    assert_eq!(e2e.current_path().await, "/admin/login");
    e2e.log_in_as(Role::Organiser).await;
    e2e.check("events overview").await;

    e2e.click_and_wait(&format!("main a[href='/admin/events/{EVENT}/attendees']"))
        .await;
    let list = e2e.text("#attendee-list").await;
    assert!(list.contains("Anna de Vries") && list.contains("Bram Jansen"));
    e2e.check("attendee list").await;

    e2e.fill("#q", "Bram").await;
    e2e.click_and_wait("main form[role=search] button[type=submit]")
        .await;
    let filtered = e2e.text("#attendee-list").await;
    assert!(filtered.contains("Bram Jansen") && !filtered.contains("Anna de Vries"));
    e2e.check("attendee list filtered").await;

    let csv = download(&e2e, "main a[href*='/export/csv']").await;
    assert_eq!(csv["status"], 200, "{csv}");
    assert_eq!(csv["type"], "text/csv; charset=utf-8");
    assert!(csv["disposition"].as_str().unwrap_or("").contains(".csv"));
    assert_eq!(
        json!(csv["head"].as_array().map(|h| h[..3].to_vec())),
        json!([0xEF, 0xBB, 0xBF]),
        "a UTF-8 BOM for Excel"
    );
    let text = csv["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Bram Jansen") && !text.contains("Anna de Vries"),
        "the filter applies: {text}"
    );

    let xlsx = download(&e2e, "main a[href*='/export/xlsx']").await;
    assert_eq!(xlsx["status"], 200, "{xlsx}");
    assert_eq!(
        xlsx["type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        xlsx["head"],
        json!([0x50, 0x4B, 0x03, 0x04]),
        "a zip (XLSX) file"
    );
    e2e.finish().await;
}
