//! Exports leave the app with personal data in them: each says in the file
//! who made it and when, and each is recorded in the audit log.
use chrono::Utc;

use super::events::amsterdam;
use super::{audit, Services};
use crate::db::begin_write;
use crate::error::AppError;
use crate::export::Table;

/// Puts the note in `table` and records the export of `what`.
pub async fn recorded(
    services: &Services,
    staff: &str,
    what: &str,
    mut table: Table,
) -> Result<Table, AppError> {
    let at = amsterdam(Utc::now()).format("%Y-%m-%d %H:%M");
    table.note = Some(format!(
        "Export uit het aanmeldpunt: {what}, gemaakt op {at} door {staff}. Bevat \
         persoonsgegevens: bewaar het bestand niet langer dan nodig en deel het niet verder."
    ));
    let txn = begin_write(&services.db).await?;
    let after = serde_json::json!({"rows": table.rows.len()});
    audit::record(&txn, staff, "export", what, None::<&()>, Some(&after)).await?;
    txn.commit().await?;
    Ok(table)
}
