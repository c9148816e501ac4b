//! The edge between HTTP and the app: request guards and responders that
//! every route shares (language, CSRF-checked forms, downloads, the
//! fallback that turns malformed paths into 404s). Routes use these
//! instead of reading headers, cookies or tokens themselves.
pub mod client;
pub mod csrf;
pub mod download;
pub mod json;
pub mod lang;
pub mod params;

use rocket::http::{ContentType, Status};
use rocket::Request;

use crate::config::AppConfig;

pub use csrf::{Button, CsrfForm, CsrfToken, Refused};
pub use download::{Download, ExportFormat};
pub use params::{SlugParam, TokenParam};

/// An HTML page with its status.
pub type Page = (Status, (ContentType, String));

pub fn page(status: Status, html: String) -> Page {
    (status, (ContentType::HTML, html))
}

/// A response with one more header, e.g. a page with `Retry-After`.
pub struct WithHeader<R>(pub R, pub rocket::http::Header<'static>);

impl<'r, R: rocket::response::Responder<'r, 'static>> rocket::response::Responder<'r, 'static>
    for WithHeader<R>
{
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        let mut response = self.0.respond_to(req)?;
        response.set_header(self.1);
        Ok(response)
    }
}

/// Cookies are marked Secure when the app is served over https.
pub fn secure_cookies(req: &Request<'_>) -> bool {
    req.rocket()
        .state::<AppConfig>()
        .is_some_and(|c| c.base_url.starts_with("https://"))
}

/// Any GET or POST that no route took, or whose path segment (an id, a
/// format) did not parse: Rocket forwards those with 422, which would
/// tell a visitor that something they never typed was invalid.
#[rocket::get("/<_..>", rank = 100)]
fn get_fallback() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

#[rocket::post("/<_..>", rank = 100)]
fn post_fallback() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

pub fn fallback_routes() -> Vec<rocket::Route> {
    rocket::routes![get_fallback, post_fallback]
}
