//! Keyboard only: the skip link comes first and moves focus to the main
//! content, the form fields follow in reading order with a visible focus,
//! and the sign-up can be filled and sent without a mouse.
use fantoccini::key::Key;

use crate::page::E2e;
use crate::seed::EVENT;

/// Whether the focused element shows a focus indicator with at least 3:1
/// contrast against the white page (WCAG 2.4.7 and 1.4.11): an outline,
/// a box shadow or a changed background in such a colour.
const FOCUS_VISIBLE: &str = r#"
const luminance = ([r, g, b]) => {
  const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
};
const contrast = (rgb) => 1.05 / (luminance(rgb) + 0.05);
const colours = (text) => [...text.matchAll(/rgba?\(([^)]+)\)/g)]
  .map((m) => m[1].split(',').map(Number))
  .filter((c) => c.length === 3 || c[3] > 0);
const s = getComputedStyle(document.activeElement);
const seen = [];
if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) seen.push(...colours(s.outlineColor));
if (s.boxShadow !== 'none') seen.push(...colours(s.boxShadow));
return seen.some((c) => contrast(c) >= 3);
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_up_works_with_the_keyboard_alone() {
    let Some(e2e) = E2e::start("keyboard_only").await else {
        return;
    };
    e2e.goto(&format!("/events/{EVENT}")).await;

    e2e.press(Key::Tab).await;
    assert_eq!(
        e2e.focused().await,
        "a:Naar de inhoud",
        "the skip link comes first"
    );
    let shown = e2e
        .js("const r = document.activeElement.getBoundingClientRect(); return r.left >= 0 && r.width > 0;")
        .await;
    assert_eq!(shown, true, "the skip link is visible when focused");
    assert_eq!(
        e2e.js(FOCUS_VISIBLE).await,
        true,
        "the skip link shows focus"
    );
    e2e.shot("skip link focused").await;
    e2e.press(Key::Enter).await;
    assert_eq!(
        e2e.focused().await,
        "main",
        "the skip link moves focus to main"
    );
    assert_eq!(e2e.js(FOCUS_VISIBLE).await, true, "main shows focus");
    e2e.shot("main focused").await;

    let mut order = Vec::new();
    for _ in 0..12 {
        e2e.press(Key::Tab).await;
        assert_eq!(
            e2e.js(FOCUS_VISIBLE).await,
            true,
            "focus is visible on {}",
            e2e.focused().await
        );
        let focused = e2e.focused().await;
        let done = focused.starts_with("button:");
        order.push(focused);
        if done {
            break;
        }
    }
    assert_eq!(
        order,
        [
            "a:Zet deze bijeenkomst in uw agenda (.ics)",
            "name",
            "email",
            "organisation",
            "sector",
            "job_title",
            "remarks",
            "button:Aanmelden"
        ],
        "focus follows the form from top to bottom"
    );

    // Now fill it in with keys only: skip link, main, the calendar link,
    // first field.
    e2e.goto(&format!("/events/{EVENT}")).await;
    for key in [Key::Tab, Key::Enter, Key::Tab, Key::Tab] {
        e2e.press(key).await;
    }
    assert_eq!(e2e.focused().await, "name");
    e2e.type_text("Kees Toetsenbord").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("kees@utrecht.nl").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("Gemeente Utrecht").await;
    e2e.press(Key::Tab).await;
    e2e.type_text("Gemeenten").await;
    assert_eq!(
        e2e.js("return document.getElementById('sector').value;")
            .await,
        "GEM",
        "typing picks the sector"
    );
    for _ in 0..3 {
        e2e.press(Key::Tab).await;
    }
    assert_eq!(e2e.focused().await, "button:Aanmelden");
    e2e.shot("filled with the keyboard").await;
    e2e.js("window.__e2eStale = true;").await;
    e2e.press(Key::Enter).await;
    e2e.wait_for_new_page().await;
    assert!(e2e
        .current_path()
        .await
        .starts_with(&format!("/events/{EVENT}/thanks/")));
    e2e.check("thank-you after keyboard sign-up").await;
    e2e.finish().await;
}
