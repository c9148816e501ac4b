//! Thin adapters from HTTP to the services: pages under `/`, JSON under
//! `/api/v1`. No SQL here.
mod admin;
pub(crate) mod api_docs;
mod api_events;
mod api_partnerships;
mod api_pilots;
mod api_sectors;
mod catchers;
mod events;
mod forms;
mod health;
mod manage;
mod pilots;
pub mod protection;

pub use catchers::catchers;

pub fn pages() -> Vec<rocket::Route> {
    let mut routes = events::routes();
    routes.extend(manage::routes());
    routes.extend(pilots::routes());
    routes.extend(admin::routes());
    routes.extend(health::routes());
    routes
}

pub fn api() -> Vec<rocket::Route> {
    let mut routes = api_events::routes();
    routes.extend(api_sectors::routes());
    routes.extend(api_pilots::routes());
    routes.extend(api_partnerships::routes());
    routes.extend(api_docs::routes());
    routes
}

/// Turns Rocket's JSON guard failure into our error kinds: too large 413,
/// well-formed but wrong shape (unknown field, wrong type) 422, otherwise 400.
pub(crate) fn json_body<T>(
    body: Result<rocket::serde::json::Json<T>, rocket::serde::json::Error<'_>>,
) -> Result<T, crate::error::AppError> {
    use crate::error::AppError;
    use rocket::serde::json::Error;
    match body {
        Ok(json) => Ok(json.into_inner()),
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(AppError::PayloadTooLarge)
        }
        Err(Error::Io(e)) => Err(AppError::BadRequest(e.to_string())),
        Err(Error::Parse(_, e)) if e.classify() == serde_json::error::Category::Data => {
            Err(AppError::InvalidBody(e.to_string()))
        }
        Err(Error::Parse(_, e)) => Err(AppError::BadRequest(e.to_string())),
    }
}
