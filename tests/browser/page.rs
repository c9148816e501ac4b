//! `E2e`: one test's browser, app and screenshot folder, with the steps
//! the tests are written in (visit, fill, click, check).
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aanmeldpunt::domain::Role;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::driver::{self, Chromedriver};
use crate::helpers::STAFF_PASSWORD;
use crate::server::Server;

/// The widths every page is checked at: a desktop and a phone.
pub const DESKTOP: u32 = 1280;
pub const PHONE: u32 = 390;

pub struct E2e {
    pub client: Client,
    pub server: Server,
    axe_source: String,
    shots: PathBuf,
    shot_number: AtomicU32,
    violations: Mutex<Vec<String>>,
    /// Whether the pages' scripts run. Without them axe cannot either (it
    /// needs timers): those runs screenshot and check reflow only, and the
    /// same pages are checked with axe in the other tests.
    javascript: bool,
    // Last: killing it also ends the browser.
    _driver: Chromedriver,
}

impl E2e {
    /// The app and a browser for `test`, or `None` (after a loud message)
    /// on a machine without Chromium or axe-core.
    pub async fn start(test: &str) -> Option<E2e> {
        E2e::start_with(test, true).await
    }

    /// As `start`, with the pages' own JavaScript switched off (the test's
    /// WebDriver scripts still run): what a visitor without JavaScript gets.
    pub async fn start_without_javascript(test: &str) -> Option<E2e> {
        E2e::start_with(test, false).await
    }

    async fn start_with(test: &str, javascript: bool) -> Option<E2e> {
        if !driver::available(test) {
            return None;
        }
        let axe_source = std::fs::read_to_string(driver::axe_path()).expect("axe.min.js reads");
        let (server, chromedriver) = tokio::join!(Server::start(), Chromedriver::start());
        let client = chromedriver.session(javascript).await;
        let shots = screenshot_root().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("a screenshot folder");
        Some(E2e {
            client,
            server,
            axe_source,
            shots,
            shot_number: AtomicU32::new(0),
            violations: Mutex::new(Vec::new()),
            javascript,
            _driver: chromedriver,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    pub async fn goto(&self, path_or_url: &str) {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            self.url(path_or_url)
        };
        self.client.goto(&url).await.expect("the page loads");
    }

    /// Opens the page, then screenshots it and checks it with axe.
    pub async fn visit(&self, path: &str, label: &str) {
        self.goto(path).await;
        self.check(label).await;
    }

    /// The page as it is now, on a desktop (1280 px) and a phone (390 px):
    /// a screenshot and axe at each width, and the reflow check at 320 px.
    pub async fn check(&self, label: &str) {
        for width in [DESKTOP, PHONE] {
            let _ = self.client.set_window_size(width, 900).await;
            let shown = if width == DESKTOP {
                label.to_owned()
            } else {
                format!("{label} {width}px")
            };
            self.shot_at(&shown, width).await;
            if !self.javascript {
                continue;
            }
            let found = self.axe(&shown).await;
            if !found.is_empty() {
                eprintln!("axe violations:\n{}", found.join("\n"));
                self.violations
                    .lock()
                    .expect("violations lock")
                    .extend(found);
            }
        }
        let _ = self.client.set_window_size(DESKTOP, 900).await;
        self.check_reflow(label).await;
    }

    /// Reflow (WCAG 1.4.10): at 320 CSS pixels wide the page needs no
    /// sideways scrolling, and at 640 (200 % zoom) cards hold their content.
    pub async fn check_reflow(&self, label: &str) {
        self.client
            .set_window_size(320, 800)
            .await
            .expect("a narrow window");
        let overflow = self
            .js("return document.documentElement.scrollWidth - window.innerWidth;")
            .await
            .as_i64()
            .unwrap_or(0);
        // What sticks out, outermost first, to say where to look.
        let culprits = self
            .js("const w = window.innerWidth; return [...document.querySelectorAll('body *')]\
                 .filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll *'))\
                 .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') \
                 + ' ' + Math.round(e.getBoundingClientRect().right));")
            .await;
        // 200 % zoom of a 1280 px screen: what sits in a card (an
        // application, a meeting) stays inside its border (WCAG 1.4.10).
        self.client
            .set_window_size(640, 800)
            .await
            .expect("a window at 200 % zoom");
        let outside_cards = self
            .js(
                "return [...document.querySelectorAll('.card')].flatMap((card) => {\
                 const box = card.getBoundingClientRect();\
                 return [...card.querySelectorAll('*')]\
                 .filter((e) => e.getBoundingClientRect().right > box.right + 1)\
                 .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));\
                 }).slice(0, 4);",
            )
            .await;
        self.client
            .set_window_size(1280, 900)
            .await
            .expect("the window back to normal");
        if outside_cards
            .as_array()
            .is_some_and(|found| !found.is_empty())
        {
            let url = self.current_path().await;
            self.violations
                .lock()
                .expect("violations lock")
                .push(format!(
                    "  [{label}] {url}\n    at 200 % zoom these stick out of their card: {outside_cards}"
                ));
        }
        if overflow > 0 {
            let url = self.current_path().await;
            self.violations
                .lock()
                .expect("violations lock")
                .push(format!(
                "  [{label}] {url}\n    reflow: {overflow}px wider than a 320px window: {culprits}"
            ));
        }
    }

    /// What axe finds on the page as it is now, without failing the test.
    pub async fn axe(&self, label: &str) -> Vec<String> {
        crate::axe::violations(&self.client, &self.axe_source, label).await
    }

    /// A full-page screenshot at 1280 px into `target/e2e-screenshots/<test>/`.
    pub async fn shot(&self, label: &str) {
        self.shot_at(label, DESKTOP).await;
    }

    /// A full-page screenshot of a window `width` px wide.
    pub async fn shot_at(&self, label: &str, width: u32) {
        let _ = self.client.set_window_size(width, 900).await;
        let height = self
            .js("window.scrollTo(0, 0); return Math.min(6000, document.documentElement.scrollHeight);")
            .await
            .as_u64()
            .unwrap_or(900);
        let _ = self
            .client
            .set_window_size(width, height.max(900) as u32 + 90)
            .await;
        let png = self.client.screenshot().await.expect("a screenshot");
        let _ = self.client.set_window_size(DESKTOP, 900).await;
        let number = self.shot_number.fetch_add(1, Ordering::SeqCst) + 1;
        let name: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        std::fs::write(self.shots.join(format!("{number:02}-{name}.png")), png)
            .expect("the screenshot is written");
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.current_path().await),
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    pub async fn body_text(&self) -> String {
        self.text("body").await
    }

    pub async fn current_path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.path().to_owned())
            .unwrap_or_default()
    }

    pub async fn html_lang(&self) -> String {
        self.js("return document.documentElement.lang;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("the field clears");
        field.send_keys(value).await.expect("typing works");
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("no option {value} in {css}: {e}"));
    }

    /// Clicks and waits until the next page has loaded.
    pub async fn click_and_wait(&self, css: &str) {
        let element = self.find(css).await;
        self.js("window.__e2eStale = true;").await;
        element.click().await.expect("the click lands");
        self.wait_for_new_page().await;
    }

    /// Waits until the document that was marked stale has been replaced.
    pub async fn wait_for_new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = self
                .client
                .execute(
                    "return window.__e2eStale === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(ready, Ok(Value::Bool(true))) {
                return;
            }
            assert!(Instant::now() < deadline, "no new page after 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One key press on whatever has focus, as a keyboard would.
    pub async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client
            .perform_actions(keys)
            .await
            .expect("the key press lands");
    }

    /// Types text into whatever has focus, one key at a time.
    pub async fn type_text(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".into());
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client
            .perform_actions(keys)
            .await
            .expect("typing lands");
    }

    /// A description of the focused element: its id, else tag and text.
    pub async fn focused(&self) -> String {
        self.js("const e = document.activeElement; \
             return e.id || (e.tagName.toLowerCase() + ':' + e.textContent.trim().slice(0, 40));")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A staff account with this role, logged in through the log-in form.
    pub async fn log_in_as(&self, role: Role) -> String {
        let email = format!("{}@dnz.nl", role.as_str());
        aanmeldpunt::services::staff::create(
            &self.server.services.db,
            &email,
            "Olga Organisator",
            role,
            STAFF_PASSWORD,
            "e2e",
        )
        .await
        .expect("a staff account");
        self.goto("/admin/login").await;
        self.fill("#email", &email).await;
        self.fill("#password", STAFF_PASSWORD).await;
        self.click_and_wait("form button[type=submit]").await;
        assert_eq!(self.current_path().await, "/admin", "logged in");
        email
    }

    /// Ends the browser session and fails the test on any axe violation
    /// found along the way.
    pub async fn finish(self) {
        let found = std::mem::take(&mut *self.violations.lock().expect("violations lock"));
        let _ = self.client.clone().close().await;
        assert!(
            found.is_empty(),
            "{} accessibility violation(s) (WCAG 2.2 A/AA, axe-core, reflow):\n{}",
            found.len(),
            found.join("\n")
        );
    }
}

/// `target/e2e-screenshots`, under `CARGO_TARGET_DIR` when that is set.
pub fn screenshot_root() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("e2e-screenshots")
}
