//! Headless Chromium through chromedriver, one of each per test: started on
//! a free port, killed (with the browser it started) when dropped.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where axe-core lands after `npm ci --prefix e2e`.
pub fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e/node_modules/axe-core/axe.min.js")
}

/// Whether this machine can run the browser tests. Without them the tests
/// skip with a loud message, unless `E2E_REQUIRED=1` (CI), when they fail.
pub fn available(test: &str) -> bool {
    let mut missing = Vec::new();
    for (path, what) in [
        (PathBuf::from(CHROMIUM), "Debian package `chromium`"),
        (
            PathBuf::from(CHROMEDRIVER),
            "Debian package `chromium-driver`",
        ),
        (axe_path(), "axe-core: run `npm ci --prefix e2e`"),
    ] {
        if !path.exists() {
            missing.push(format!("{} ({what})", path.display()));
        }
    }
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !! browser tests SKIPPED (first: `{test}`): missing {}\n\
         !! install: apt-get install chromium chromium-driver && npm ci --prefix e2e\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
        missing.join(", ")
    );
    if std::env::var("E2E_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("E2E_REQUIRED=1 but the browser tests cannot run:{message}");
    }
    // Straight to stderr, once: the test harness hides eprintln! output
    // of passing tests, and this must be seen.
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        use std::io::Write;
        let _ = std::io::stderr().write_all(message.as_bytes());
    });
    false
}

/// A port nobody listens on right now (the listener is closed again).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// Waits until something accepts connections on the port.
pub async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "{what} did not start on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// chromedriver in a process group of its own, so that dropping it also
/// ends the Chromium it launched, even when a test panics half-way.
pub struct Chromedriver {
    child: Child,
    pub url: String,
    pub profile: tempfile::TempDir,
}

impl Chromedriver {
    pub async fn start() -> Self {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let profile = tempfile::tempdir().expect("a temporary Chromium profile");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                profile.path().join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        wait_for_port(port, "chromedriver").await;
        Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        }
    }

    /// A new browser session: headless, no network beyond 127.0.0.1 needed,
    /// a fresh profile, and Dutch as the browser's language (as for most
    /// of the app's users).
    pub async fn session(&self, javascript: bool) -> Client {
        let user_data = self.profile.path().join("profile");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--lang=nl-NL",
                    format!("--user-data-dir={}", user_data.display()),
                ],
                "prefs": {
                    "intl.accept_languages": "nl-NL,nl",
                    // 2 blocks the pages' scripts; WebDriver's own still run.
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps);
        match builder.connect(&self.url).await {
            Ok(client) => client,
            Err(e) => panic!(
                "no Chromium session: {e}\nchromedriver log: {}",
                std::fs::read_to_string(self.profile.path().join("chromedriver.log"))
                    .unwrap_or_default()
                    .lines()
                    .rev()
                    .take(30)
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
