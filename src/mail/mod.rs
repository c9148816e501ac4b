//! E-mail: rendered into the outbox inside the causing transaction
//! ([`outbox`]), sent later by the [`worker`] through a [`Mailer`].
pub mod ics;
pub mod links;
pub mod mailer;
pub mod outbox;
pub mod qr;
pub mod render_thread;
pub mod worker;

pub use mailer::{Mailer, SentMail};
pub use outbox::OutgoingEmail;
