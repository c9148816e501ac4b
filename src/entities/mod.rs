//! sea-orm entities: the rows as stored. They are not form or API types.
pub mod access_token;
pub mod event;
pub mod outbox;
pub mod registration;
