//! Staff accounts: argon2 password hashes, the session cookie, and the role
//! table with one request guard per capability.
pub mod password;
pub mod roles;
pub mod session;

pub use roles::{Admin, Capability, Organiser, Programme, Reader};
pub use session::Staff;
