//! sea-orm entities: the rows as stored. They are not form or API types.
pub mod access_token;
pub mod application_transition;
pub mod audit_log;
mod columns;
pub mod event;
pub mod event_seats;
pub mod organisation;
pub mod organisation_domain;
pub mod outbox;
pub mod partnership;
pub mod partnership_stage_change;
pub mod partnership_target;
pub mod pilot;
pub mod pilot_application;
pub mod rate_limit;
pub mod registration;
pub mod staff_session;
pub mod staff_user;
