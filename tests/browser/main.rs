//! End-to-end tests in headless Chromium: the app on a real port of
//! 127.0.0.1, driven through chromedriver (fantoccini), every page checked
//! with axe-core against WCAG 2.1 A and AA and screenshotted into
//! `target/e2e-screenshots/<test>/`.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` and
//! `npm ci --prefix e2e` (axe-core). Without them each test prints a loud
//! message and passes, so a plain `cargo test` works on any machine;
//! `E2E_REQUIRED=1` (CI) turns that into a failure.
//!
//! Each test has its own app, database, chromedriver and browser, so they
//! run in parallel like the other tests.
// A test or benchmark that meets the unexpected stops there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod axe;
mod driver;
mod page;
mod seed;
mod server;

mod admin_pages;
mod back_office;
mod door;
mod forms;
mod keyboard;
mod languages;
mod mails;
mod no_javascript;
mod pilots;
mod public_pages;
mod register;
mod sign_up;
