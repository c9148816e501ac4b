//! File downloads (the exports), named and never cached.
use std::future::Future;
use std::io;
use std::pin::Pin;

use rocket::http::impl_from_uri_param_identity;
use rocket::http::uri::fmt::{Formatter, Path, UriDisplay};
use rocket::http::ContentType;
use rocket::request::FromParam;

use bytes::Bytes;
use futures_util::Stream;
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
    Stream(ExportBody),
}

/// An export's bytes as they are written; an error ends it early.
pub type ExportBody = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// What the writing task hands the body: bytes, then the end, or a
/// failure. A writer that stops without saying either (it panicked) is a
/// failure too.
enum Piece {
    Data(Bytes),
    End,
    Failed,
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
/// halfway ends the body with an error, which breaks the transfer off:
/// never a shorter file that looks whole.
pub fn export_chunks(export: Export, format: ExportFormat) -> ExportBody {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    match format {
        ExportFormat::Csv => tokio::spawn(finish(write_csv(export, tx.clone()), tx)),
        ExportFormat::Xlsx => tokio::spawn(finish(write_xlsx(export, tx.clone()), tx)),
    };
    Box::pin(futures_util::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        match rx.recv().await {
            Some(Piece::Data(bytes)) => Some((Ok(bytes), Some(rx))),
            Some(Piece::End) => None,
            Some(Piece::Failed) | None => Some((Err(io::Error::other("export failed")), None)),
        }
    }))
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

type Chunks = mpsc::Sender<Piece>;

async fn send(tx: &Chunks, bytes: Vec<u8>) -> Result<(), Stopped> {
    tx.send(Piece::Data(Bytes::from(bytes)))
        .await
        .map_err(|_| Stopped::ClientLeft)
}

/// The client left while the work went on: stop reading for nobody.
fn still_wanted(tx: &Chunks) -> Result<(), Stopped> {
    match tx.is_closed() {
        true => Err(Stopped::ClientLeft),
        false => Ok(()),
    }
}

async fn finish(writing: impl Future<Output = Result<(), Stopped>>, tx: Chunks) {
    match writing.await {
        Ok(()) => {
            let _ = tx.send(Piece::End).await;
        }
        Err(Stopped::ClientLeft) => {}
        Err(Stopped::Failed(e)) => {
            e.log();
            let _ = tx.send(Piece::Failed).await;
        }
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
        still_wanted(&tx)?;
        out = blocking(move || out.push(&rows).map(|()| out)).await?;
    }
    still_wanted(&tx)?;
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
            Body::Stream(chunks) => response.streamed_body(StreamReader::new(chunks)),
        };
        response.ok()
    }
}
