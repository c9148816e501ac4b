//! The back office under `/admin`: every route takes the capability guard
//! of the role table (`auth::roles`), and every form the CSRF form guard.
mod accounts;
mod applications;
mod audit;
mod dashboard;
mod door;
mod event_edit;
mod event_status;
mod events;
mod login;
mod login_code;
mod mail;
mod me;
mod messages;
mod partnerships;
mod password_reset;
mod pilots;
mod register;
mod two_factor;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use serde::Serialize;

use crate::auth::roles::allows;
use crate::auth::{Capability, Staff};
use crate::domain::Lang;
use crate::error::AppError;
use crate::http::{page, CsrfToken, Page};
use crate::services::Services;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = login::routes();
    routes.extend(login_code::routes());
    routes.extend(password_reset::routes());
    routes.extend(two_factor::routes());
    routes.extend(events::routes());
    routes.extend(door::routes());
    routes.extend(event_edit::routes());
    routes.extend(event_status::routes());
    routes.extend(mail::routes());
    routes.extend(messages::routes());
    routes.extend(applications::routes());
    routes.extend(audit::routes());
    routes.extend(accounts::routes());
    routes.extend(partnerships::routes());
    routes.extend(pilots::routes());
    routes.extend(me::routes());
    routes.extend(register::routes());
    routes
}

/// What every back-office page template receives besides its own data.
#[derive(Serialize)]
struct AdminPage<'a, T: Serialize> {
    lang: &'static str,
    staff: &'a Staff,
    /// What the staff member may do, so pages offer only that.
    can: Can,
    csrf: &'a str,
    #[serde(flatten)]
    data: T,
}

#[derive(Serialize)]
struct Can {
    organise: bool,
    programme: bool,
    administer: bool,
}

impl Can {
    fn of(staff: &Staff) -> Self {
        Can {
            organise: allows(staff.role, Capability::Organise),
            programme: allows(staff.role, Capability::RunProgramme),
            administer: allows(staff.role, Capability::Administer),
        }
    }
}

/// The links around one page of a long list; each keeps the list's
/// filters. Rendered by `templates/admin/pages.html.tera`.
#[derive(Serialize, Default)]
struct Pages {
    first: Option<String>,
    previous: Option<String>,
    next: Option<String>,
}

impl Pages {
    /// The links around `window`, read at `at`; `link(after, before)` is
    /// the list's address at that place.
    fn around<T, K: Clone + PartialEq>(
        at: &crate::domain::PageAt<K>,
        window: &crate::domain::Window<T, K>,
        link: impl Fn(Option<K>, Option<K>) -> String,
    ) -> Self {
        Pages {
            first: (*at != crate::domain::PageAt::First).then(|| link(None, None)),
            previous: window.previous.clone().map(|key| link(None, Some(key))),
            next: window.next.clone().map(|key| link(Some(key), None)),
        }
    }
}

/// The place in a long list that a query's `after` and `before` name; one
/// that is not a place is refused (422) on the `after` field.
fn page_at<K: std::str::FromStr>(
    after: Option<&str>,
    before: Option<&str>,
) -> Result<crate::domain::PageAt<K>, AppError> {
    crate::domain::PageAt::parse(after, before)
        .map_err(|e| AppError::Validation([("after", e)].into()))
}

/// `text` as one value of a query string.
fn query_value(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, KEEP).to_string()
}

/// A redirect after a save; the next page says `key`'s text ("Opgeslagen").
fn saved(to: Redirect, key: &'static str) -> Flash<Redirect> {
    Flash::success(to, key)
}

fn render<T: Serialize>(
    services: &Services,
    template: &str,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    data: T,
) -> Result<Page, AppError> {
    render_with(services, Status::Ok, template, lang, staff, csrf, data)
}

fn render_with<T: Serialize>(
    services: &Services,
    status: Status,
    template: &str,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    data: T,
) -> Result<Page, AppError> {
    let context = AdminPage {
        lang: lang.code(),
        can: Can::of(staff),
        staff,
        csrf: &csrf.0,
        data,
    };
    Ok(page(status, services.views.render(template, &context)?))
}
