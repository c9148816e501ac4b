//! Exports leave the app with personal data in them: each says in the file
//! who made it and when, and each is recorded in the audit log before its
//! first row goes out. Rows come from a [`RowSource`] a chunk at a time
//! (keyset reads of 1,000), so an export of 100,000 sign-ups holds one
//! chunk, never the list.
use std::future::Future;

use chrono::Utc;

use super::events::amsterdam;
use super::{audit, Services};
use crate::db::begin_write;
use crate::domain::{PageAt, Window};
use crate::error::AppError;
use crate::export::{Row, Sheet};

/// Rows an export reads per query: big enough that the queries are few,
/// small enough that one holds the database no longer than a page does.
pub const CHUNK: usize = 1000;

/// Where an export's rows come from, in order.
#[async_trait::async_trait]
pub trait RowSource: Send + 'static {
    /// The next rows, or `None` after the last.
    async fn next_chunk(&mut self) -> Result<Option<Vec<Row>>, AppError>;
}

/// The rows of the chunk at `at`, read by `read` (a keyset page of
/// [`CHUNK`] rows) and turned into cells by `row`, moving `at` on to the
/// next chunk; `None` after the last. The one loop of every export's
/// source.
pub async fn keyset_chunk<T, K, Read, Reading>(
    at: &mut Option<PageAt<K>>,
    read: Read,
    row: impl FnMut(T) -> Row,
) -> Result<Option<Vec<Row>>, AppError>
where
    Read: FnOnce(PageAt<K>) -> Reading,
    Reading: Future<Output = Result<Window<T, K>, AppError>>,
{
    let Some(here) = at.take() else {
        return Ok(None);
    };
    let chunk = read(here).await?;
    *at = chunk.next.map(PageAt::After);
    if chunk.rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(chunk.rows.into_iter().map(row).collect()))
}

/// An export ready to be written: its sheet, the first chunk (already
/// read, so a database that is down is a 503 and not a broken download)
/// and the source of the rest.
pub struct Export {
    pub sheet: Sheet,
    pub first: Vec<Row>,
    pub rest: Box<dyn RowSource>,
}

impl Export {
    /// The chunks in order: the first, then the rest until the source ends.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<Row>>, AppError> {
        if !self.first.is_empty() {
            return Ok(Some(std::mem::take(&mut self.first)));
        }
        self.rest.next_chunk().await
    }
}

/// Puts the note in `sheet`, records the export of `what` (`rows` of it,
/// as counted when it starts) and reads the first chunk.
pub async fn recorded(
    services: &Services,
    staff: &str,
    what: &str,
    rows: u64,
    mut sheet: Sheet,
    mut source: impl RowSource,
) -> Result<Export, AppError> {
    let at = amsterdam(Utc::now()).format("%Y-%m-%d %H:%M");
    sheet.note = Some(format!(
        "Export uit het aanmeldpunt: {what}, gemaakt op {at} door {staff}. Bevat \
         persoonsgegevens: bewaar het bestand niet langer dan nodig en deel het niet verder."
    ));
    let first = source.next_chunk().await?.unwrap_or_default();
    let txn = begin_write(&services.db).await?;
    let after = serde_json::json!({"rows": rows});
    audit::record(&txn, staff, "export", what, None::<&()>, Some(&after)).await?;
    txn.commit().await?;
    Ok(Export {
        sheet,
        first,
        rest: Box::new(source),
    })
}
