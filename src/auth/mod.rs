//! Staff accounts: argon2 password hashes, the session cookie, and the role
//! table with one request guard per capability, and the second factor.
pub mod password;
pub mod roles;
pub mod session;
pub mod two_factor;

pub use roles::{Admin, Capability, Organiser, Programme, Reader};
pub use session::Staff;
