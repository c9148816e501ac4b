//! File downloads (the exports), named and never cached.
use std::future::Future;
use std::io;

use rocket::http::impl_from_uri_param_identity;
use rocket::http::uri::fmt::{Formatter, Path, UriDisplay};
use rocket::http::ContentType;
use rocket::request::FromParam;

use bytes::Bytes;
use rust_xlsxwriter::XlsxError;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_util::io::StreamReader;

use crate::error::AppError;
use crate::export::XlsxOut;
use crate::services::exports::Export;

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

/// A file download with a name: bytes at hand, or an export written
/// while it is sent.
pub struct Download {
    content_type: ContentType,
    file_name: String,
    body: Body,
}

enum Body {
    Bytes(Vec<u8>),
    Stream(mpsc::Receiver<io::Result<Bytes>>),
}

/// Chunks written ahead of the client: enough to keep the connection busy,
/// few enough that a slow client holds little memory.
const CHUNKS_AHEAD: usize = 4;

impl Download {
    /// Sends `export` as [`export_chunks`] writes it.
    pub fn export(export: Export, base_name: &str, format: ExportFormat) -> Self {
        let content_type = match format {
            ExportFormat::Csv => ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            ExportFormat::Xlsx => ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        };
        Download {
            content_type,
            file_name: format!("{base_name}.{}", format.extension()),
            body: Body::Stream(export_chunks(export, format)),
        }
    }
}

/// Writes `export` in a task of its own while its chunks are taken, so
/// memory holds a few chunks whatever its length. A read that fails
/// halfway ends with an error, which breaks the transfer off: never a
/// shorter file that looks whole.
pub fn export_chunks(export: Export, format: ExportFormat) -> mpsc::Receiver<io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    match format {
        ExportFormat::Csv => tokio::spawn(send_failure(write_csv(export, tx.clone()), tx)),
        ExportFormat::Xlsx => tokio::spawn(send_failure(write_xlsx(export, tx.clone()), tx)),
    };
    rx
}

/// Why an export stopped: the client left (nothing to tell anyone), or
/// something failed (logged, and the transfer is broken off).
enum Stopped {
    ClientLeft,
    Failed(AppError),
}

impl From<AppError> for Stopped {
    fn from(e: AppError) -> Self {
        Stopped::Failed(e)
    }
}

type Chunks = mpsc::Sender<io::Result<Bytes>>;

async fn send(tx: &Chunks, bytes: Vec<u8>) -> Result<(), Stopped> {
    tx.send(Ok(Bytes::from(bytes)))
        .await
        .map_err(|_| Stopped::ClientLeft)
}

async fn send_failure(writing: impl Future<Output = Result<(), Stopped>>, tx: Chunks) {
    if let Err(Stopped::Failed(e)) = writing.await {
        e.log();
        let _ = tx.send(Err(io::Error::other("export failed"))).await;
    }
}

async fn write_csv(mut export: Export, tx: Chunks) -> Result<(), Stopped> {
    send(
        &tx,
        crate::export::csv_head(&export.sheet).map_err(AppError::internal)?,
    )
    .await?;
    while let Some(rows) = export.next_chunk().await? {
        send(
            &tx,
            crate::export::csv_rows(&rows).map_err(AppError::internal)?,
        )
        .await?;
    }
    Ok(())
}

/// The workbook is built on the blocking pool a chunk at a time (the
/// writer is synchronous and compresses), then sent from its temporary
/// file.
async fn write_xlsx(mut export: Export, tx: Chunks) -> Result<(), Stopped> {
    let mut out = XlsxOut::new(&export.sheet).map_err(AppError::internal)?;
    while let Some(rows) = export.next_chunk().await? {
        out = blocking(move || out.push(&rows).map(|()| out)).await?;
    }
    let file = blocking(move || out.finish()).await?;
    let mut file = tokio::fs::File::from_std(file);
    loop {
        let mut buffer = vec![0; 64 * 1024];
        let read = file.read(&mut buffer).await.map_err(AppError::internal)?;
        if read == 0 {
            return Ok(());
        }
        buffer.truncate(read);
        send(&tx, buffer).await?;
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, XlsxError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

impl Download {
    /// What is stored about a person, as a JSON file for them to keep.
    pub fn json(data: &impl serde::Serialize, file_name: &str) -> Result<Self, AppError> {
        Ok(Download {
            content_type: ContentType::JSON,
            file_name: file_name.to_owned(),
            body: Body::Bytes(serde_json::to_vec_pretty(data).map_err(AppError::internal)?),
        })
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        // The file name is built by us from a slug: letters, digits, dashes.
        let mut response = rocket::Response::build();
        response
            .header(self.content_type)
            .raw_header(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            )
            .raw_header("Cache-Control", "no-store");
        match self.body {
            Body::Bytes(bytes) => response.sized_body(bytes.len(), std::io::Cursor::new(bytes)),
            Body::Stream(chunks) => {
                let chunks = futures_util::stream::unfold(chunks, |mut chunks| async move {
                    chunks.recv().await.map(|chunk| (chunk, chunks))
                });
                response.streamed_body(StreamReader::new(chunks))
            }
        };
        response.ok()
    }
}
