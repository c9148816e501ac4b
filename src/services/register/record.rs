//! The record of an import: a row in `register_imports` (who, when, which
//! file, what it changed) and one in the audit log, in the import's own
//! transaction.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use super::{ImportError, ImportOptions, ImportReport, RegisterFormat};
use crate::db::WriteTxn;
use crate::entities::register_import;

pub(super) async fn record(
    txn: &WriteTxn,
    format: RegisterFormat,
    options: &ImportOptions,
    dataset: &str,
    report: &ImportReport,
) -> Result<(), ImportError> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let by_kind = serde_json::to_string(&report.deactivated).unwrap_or_else(|_| "{}".into());
    register_import::ActiveModel {
        actor: Set(options.actor.clone()),
        file_name: Set(options.file_name.chars().take(300).collect()),
        format: Set(format.as_str().to_owned()),
        dataset: Set(dataset.to_owned()),
        full: Set(report.full),
        register_date: Set(report.register_date),
        added: Set(count(report.added)),
        updated: Set(count(report.updated)),
        unchanged: Set(count(report.unchanged)),
        deactivated: Set(count(report.deactivated_total())),
        renamed: Set(count(report.renamed)),
        skipped: Set(count(report.skipped)),
        rejected: Set(count(report.rejected.len())),
        deactivated_by_kind: Set(by_kind.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let after = serde_json::json!({
        "format": format.as_str(),
        "dataset": dataset,
        "full": report.full,
        "register_date": report.register_date,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "deactivated": report.deactivated,
        "renamed": report.renamed,
        "skipped": report.skipped,
        "rejected": report.rejected.len(),
    });
    crate::services::audit::record(
        txn,
        &options.actor,
        "register.import",
        &options.file_name.chars().take(200).collect::<String>(),
        None::<&()>,
        Some(&after),
    )
    .await
    .map_err(|e| match e {
        crate::error::AppError::Unavailable(db) => ImportError::Database(db),
        other => ImportError::Database(sea_orm::DbErr::Custom(other.to_string())),
    })
}
