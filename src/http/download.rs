//! File downloads (the exports), named and never cached.
use rocket::http::impl_from_uri_param_identity;
use rocket::http::uri::fmt::{Formatter, Path, UriDisplay};
use rocket::http::ContentType;
use rocket::request::FromParam;

use crate::error::AppError;
use crate::export::Table;

/// The `<format>` path segment of an export; any other value is a 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl<'a> FromParam<'a> for ExportFormat {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        match param {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            other => Err(other),
        }
    }
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

impl UriDisplay<Path> for ExportFormat {
    fn fmt(&self, f: &mut Formatter<'_, Path>) -> std::fmt::Result {
        f.write_raw(self.extension())
    }
}

impl_from_uri_param_identity!([Path] ExportFormat);

/// A file download with a name.
pub struct Download {
    content_type: ContentType,
    file_name: String,
    bytes: Vec<u8>,
}

impl Download {
    pub fn of(table: &Table, base_name: &str, format: ExportFormat) -> Result<Self, AppError> {
        Ok(match format {
            ExportFormat::Csv => Download {
                content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
                file_name: format!("{base_name}.csv"),
                bytes: crate::export::to_csv(table).map_err(AppError::internal)?,
            },
            ExportFormat::Xlsx => Download {
                content_type: ContentType::new(
                    "application",
                    "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                file_name: format!("{base_name}.xlsx"),
                bytes: crate::export::to_xlsx(table).map_err(AppError::internal)?,
            },
        })
    }
}

impl Download {
    /// What is stored about a person, as a JSON file for them to keep.
    pub fn json(data: &impl serde::Serialize, file_name: &str) -> Result<Self, AppError> {
        Ok(Download {
            content_type: ContentType::JSON,
            file_name: file_name.to_owned(),
            bytes: serde_json::to_vec_pretty(data).map_err(AppError::internal)?,
        })
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        // The file name is built by us from a slug: letters, digits, dashes.
        rocket::Response::build()
            .header(self.content_type)
            .raw_header(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            )
            .raw_header("Cache-Control", "no-store")
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}
