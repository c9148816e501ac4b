//! Staff accounts: argon2 password hashes, a private session cookie, roles
//! as request guards, and CSRF tokens for every back-office form.
pub mod csrf;
pub mod password;
pub mod session;

pub use csrf::CsrfToken;
pub use session::{Role, Staff};
