//! Thin adapters from HTTP to the services: pages under `/`, JSON under
//! `/api/v1`. No SQL here.
mod admin;
pub(crate) mod api_docs;
mod api_events;
mod api_partnerships;
mod api_pilots;
mod api_sectors;
mod calendar;
mod catchers;
mod confirm;
mod events;
mod forms;
mod health;
pub(crate) mod manage;
mod pilots;
pub mod protection;

pub use catchers::catchers;

pub fn pages() -> Vec<rocket::Route> {
    let mut routes = events::routes();
    routes.extend(calendar::routes());
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
