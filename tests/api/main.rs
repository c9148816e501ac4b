//! The one integration test binary: every test spawns the app on a fresh
//! database (see `helpers`).
// A test or benchmark that meets the unexpected stops there, loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod dump;
mod helpers;

mod accounts;
mod admin;
mod admin_events;
mod assets;
mod back_office_refusals;
mod batches;
mod browse;
mod calendar;
mod calendar_feed;
mod cancel;
mod concurrency;
mod crash;
mod door;
mod duo;
mod eligibility;
mod erasure;
mod event_messages;
mod event_status;
mod export_stream;
mod follow_up_mails;
mod fuzz_bodies;
mod hostile;
mod launch;
mod list_paging;
mod log_in;
mod logs;
mod mail;
mod meeting_change;
mod nodelay;
mod openapi;
mod outage;
mod partnerships;
mod personal_data;
mod pilot_admin;
mod pilots;
mod places;
mod privacy;
mod protection;
mod purge_command;
mod register;
mod register_admin;
mod roles;
mod seat_counters;
mod sessions;
mod shipped_register;
mod sign_up_api;
mod sign_up_form;
mod slow_clients;
mod smtp;
mod smtp_slow;
mod two_factor;
