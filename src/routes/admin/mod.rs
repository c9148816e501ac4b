//! The back office under `/admin`: every page needs a signed-in staff
//! member with a fitting role, and every form a CSRF token.
mod accounts;
mod applications;
mod audit;
mod event_edit;
mod events;
mod login;
mod mail;
mod partnerships;

use rocket::http::{ContentType, Status};
use serde::Serialize;

use crate::auth::csrf::CsrfOnly;
use crate::auth::{CsrfToken, Staff};
use crate::domain::Lang;
use crate::error::AppError;
use crate::services::Services;

pub fn routes() -> Vec<rocket::Route> {
    let mut routes = login::routes();
    routes.extend(events::routes());
    routes.extend(events::scan_routes());
    routes.extend(event_edit::routes());
    routes.extend(mail::routes());
    routes.extend(applications::routes());
    routes.extend(audit::routes());
    routes.extend(accounts::routes());
    routes.extend(partnerships::routes());
    routes
}

/// What every back-office page template receives besides its own data.
#[derive(Serialize)]
struct AdminPage<'a, T: Serialize> {
    lang: &'static str,
    staff: &'a Staff,
    csrf: &'a str,
    #[serde(flatten)]
    data: T,
}

type Html = (Status, (ContentType, String));

fn render<T: Serialize>(
    services: &Services,
    template: &str,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    data: T,
) -> Result<Html, AppError> {
    let page = AdminPage {
        lang: lang.code(),
        staff,
        csrf: &csrf.0,
        data,
    };
    Ok((
        Status::Ok,
        (ContentType::HTML, services.views.render(template, &page)?),
    ))
}

/// A file download with a name, for the exports.
pub struct Download {
    content_type: ContentType,
    file_name: String,
    bytes: Vec<u8>,
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .header(self.content_type)
            .raw_header(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            )
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

fn download(
    table: &crate::export::Table,
    base_name: &str,
    format: &str,
) -> Result<Download, AppError> {
    match format {
        "csv" => Ok(Download {
            content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            file_name: format!("{base_name}.csv"),
            bytes: crate::export::to_csv(table).map_err(AppError::internal)?,
        }),
        "xlsx" => Ok(Download {
            content_type: ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            file_name: format!("{base_name}.xlsx"),
            bytes: crate::export::to_xlsx(table).map_err(AppError::internal)?,
        }),
        _ => Err(AppError::NotFound),
    }
}
