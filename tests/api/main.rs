//! The one integration test binary: every test spawns the app on a fresh
//! database (see `helpers`).
// A test or benchmark that meets the unexpected stops there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod helpers;

mod admin;
mod admin_events;
mod batches;
mod browse;
mod cancel;
mod concurrency;
mod crash;
mod duo;
mod eligibility;
mod fuzz_bodies;
mod launch;
mod mail;
mod openapi;
mod partnerships;
mod pilots;
mod places;
mod privacy;
mod protection;
mod register;
mod register_admin;
mod seat_counters;
mod shipped_register;
mod sign_up_api;
mod sign_up_form;
mod smtp;
