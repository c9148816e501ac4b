//! The edge between HTTP and the app: request guards and responders that
//! every route shares (language, CSRF-checked forms, downloads, the
//! fallback that turns malformed paths into 404s). Routes use these
//! instead of reading headers, cookies or tokens themselves.
pub mod client;
pub mod compress;
pub mod csrf;
pub mod download;
pub mod json;
pub mod lang;
pub mod next;
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

/// A form shown again after a refusal (an HTML page), with `Retry-After`
/// when the refusal was a rate limit. Kept small: it is the error side of
/// the routes' results.
pub struct FormPage {
    status: Status,
    html: String,
    retry_after: Option<u64>,
}

impl FormPage {
    pub fn retrying_after(page: Page, retry_after: Option<u64>) -> Self {
        let (status, (_, html)) = page;
        FormPage {
            status,
            html,
            retry_after,
        }
    }
}

impl From<Page> for FormPage {
    fn from(page: Page) -> Self {
        FormPage::retrying_after(page, None)
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for FormPage {
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        let mut response = page(self.status, self.html).respond_to(req)?;
        if let Some(wait) = self.retry_after {
            response.set_header(rocket::http::Header::new("Retry-After", wait.to_string()));
        }
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

/// Browsers ask for `/favicon.ico` whatever the page says.
#[rocket::get("/favicon.ico")]
fn favicon() -> (ContentType, &'static [u8]) {
    (
        ContentType::Icon,
        include_bytes!("../../static/favicon.ico"),
    )
}

pub fn fallback_routes() -> Vec<rocket::Route> {
    rocket::routes![get_fallback, post_fallback, favicon]
}
