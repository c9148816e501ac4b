//! The register in the back office: how old it is, what was imported and
//! corrected, one organisation with its domains, and the corrections staff
//! make. A correction is stored (so every later import applies it again),
//! applied at once and audited; adding a domain first shows which open
//! applications it would change.
use chrono::{DateTime, Months, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::corrections::{check, file_corrections};
use crate::domain::{
    CorrectionAction, DomainSource, NameKey, PageAt, ParseError, SectorCode, Window, PAGE_SIZE,
};
use crate::entities::{
    organisation, organisation_correction, organisation_domain, organisation_name, register_import,
};
use crate::error::AppError;
use crate::services::paging::by_unique_column;
use crate::services::{audit, events::amsterdam};

/// The register counts as out of date this long after its data were taken.
pub const STALE_AFTER_MONTHS: u32 = 6;

#[derive(Debug, Serialize)]
pub struct ImportRow {
    pub at: String,
    pub actor: String,
    pub file_name: String,
    pub format: String,
    pub full: bool,
    pub register_date: Option<String>,
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub deactivated: i32,
    /// "gemeenten: 3, zbo: 1"
    pub deactivated_by_kind: String,
    pub renamed: i32,
    pub skipped: i32,
    pub rejected: i32,
}

#[derive(Debug, Serialize)]
pub struct CorrectionRow {
    pub organisation: String,
    pub organisation_id: Option<Uuid>,
    pub action: CorrectionAction,
    pub value: String,
    pub reason: String,
    /// The file row's source, or the staff member and date.
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    /// The date the newest ROO import's data were taken from the register.
    pub register_date: Option<String>,
    /// Older than [`STALE_AFTER_MONTHS`], or never imported.
    pub stale: bool,
    pub stale_after_months: u32,
    pub active_by_kind: Vec<(String, i64)>,
    pub imports: Window<ImportRow, i64>,
    pub file_corrections: Vec<CorrectionRow>,
    pub staff_corrections: Vec<CorrectionRow>,
}

fn local(at: DateTime<Utc>) -> String {
    amsterdam(at).format("%Y-%m-%d %H:%M").to_string()
}

/// The date of the register the app works with: the newest ROO import's.
pub async fn register_date(db: &impl ConnectionTrait) -> Result<Option<NaiveDate>, AppError> {
    Ok(register_import::Entity::find()
        .filter(register_import::Column::Dataset.eq("roo"))
        .filter(register_import::Column::RegisterDate.is_not_null())
        .order_by_desc(register_import::Column::Id)
        .one(db)
        .await?
        .and_then(|i| i.register_date))
}

pub fn is_stale(date: Option<NaiveDate>, today: NaiveDate) -> bool {
    date.and_then(|d| d.checked_add_months(Months::new(STALE_AFTER_MONTHS)))
        .is_none_or(|limit| limit < today)
}

/// The register's state, with the page of imports at `imports_at`.
pub async fn overview(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    imports_at: &PageAt<i64>,
) -> Result<Overview, AppError> {
    let date = register_date(db).await?;
    let active_by_kind: Vec<(String, i64)> = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Kind)
        .column_as(organisation::Column::Id.count(), "n")
        .filter(organisation::Column::Active.eq(true))
        .group_by(organisation::Column::Kind)
        .order_by_asc(organisation::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let staff_corrections = staff_corrections(db, None).await?;
    Ok(Overview {
        register_date: date.map(|d| d.format("%Y-%m-%d").to_string()),
        stale: is_stale(date, amsterdam(now).date_naive()),
        stale_after_months: STALE_AFTER_MONTHS,
        active_by_kind,
        imports: imports(db, imports_at).await?,
        file_corrections: file_correction_rows(db, None).await?,
        staff_corrections,
    })
}

/// A page of the imports, newest first.
pub async fn imports(
    db: &impl ConnectionTrait,
    at: &PageAt<i64>,
) -> Result<Window<ImportRow, i64>, AppError> {
    let rows = by_unique_column(
        register_import::Entity::find(),
        register_import::Column::Id,
        Order::Desc,
        at,
        PAGE_SIZE,
    )
    .all(db)
    .await?;
    Ok(Window::from_rows(rows, at, PAGE_SIZE, |i| i.id).map(import_row))
}

fn import_row(i: register_import::Model) -> ImportRow {
    let by_kind: std::collections::BTreeMap<String, usize> =
        serde_json::from_str(&i.deactivated_by_kind).unwrap_or_default();
    ImportRow {
        at: local(i.created_at),
        actor: i.actor,
        file_name: i.file_name,
        format: i.format,
        full: i.full,
        register_date: i.register_date.map(|d| d.format("%Y-%m-%d").to_string()),
        added: i.added,
        updated: i.updated,
        unchanged: i.unchanged,
        deactivated: i.deactivated,
        deactivated_by_kind: by_kind
            .iter()
            .map(|(kind, n)| format!("{kind}: {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        renamed: i.renamed,
        skipped: i.skipped,
        rejected: i.rejected,
    }
}

async fn file_correction_rows(
    db: &impl ConnectionTrait,
    only: Option<&str>,
) -> Result<Vec<CorrectionRow>, AppError> {
    let rows = file_corrections().map_err(|e| AppError::internal(std::io::Error::other(e)))?;
    let ids: Vec<String> = rows.iter().map(|r| r.register_id.clone()).collect();
    let found: std::collections::HashMap<String, Uuid> = organisation::Entity::find()
        .filter(organisation::Column::RegisterId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| o.register_id.map(|r| (r, o.id)))
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| only.is_none_or(|id| id == r.register_id))
        .map(|r| CorrectionRow {
            organisation_id: found.get(&r.register_id).copied(),
            organisation: r.name,
            action: r.action,
            value: r.value,
            reason: r.reason,
            source: r.source,
        })
        .collect())
}

async fn staff_corrections(
    db: &impl ConnectionTrait,
    only: Option<Uuid>,
) -> Result<Vec<CorrectionRow>, AppError> {
    let mut query =
        organisation_correction::Entity::find().order_by_desc(organisation_correction::Column::Id);
    if let Some(id) = only {
        query = query.filter(organisation_correction::Column::OrganisationId.eq(id));
    }
    let rows = query.all(db).await?;
    let names: std::collections::HashMap<Uuid, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().map(|r| r.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| CorrectionRow {
            organisation: names.get(&r.organisation_id).cloned().unwrap_or_default(),
            organisation_id: Some(r.organisation_id),
            action: r.action,
            value: r.value,
            reason: r.reason,
            source: format!("{}, {}", r.actor, local(r.created_at)),
        })
        .collect())
}

#[derive(Debug, Serialize)]
pub struct DomainRow {
    pub domain: String,
    pub source: DomainSource,
}

#[derive(Debug, Serialize)]
pub struct OrganisationDetail {
    pub id: Uuid,
    pub name: String,
    pub abbreviation: Option<String>,
    pub kind: String,
    pub sector: Option<&'static str>,
    pub sector_basis: Option<String>,
    pub public_employer: Option<bool>,
    pub cao: Option<String>,
    pub register_id: Option<String>,
    pub dataset: Option<String>,
    pub active: bool,
    pub successor: Option<(Uuid, String)>,
    pub domains: Vec<DomainRow>,
    pub corrections: Vec<CorrectionRow>,
}

pub async fn organisation(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<OrganisationDetail, AppError> {
    let org = organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let domains = organisation_domain::Entity::find()
        .filter(organisation_domain::Column::OrganisationId.eq(id))
        .order_by_asc(organisation_domain::Column::Domain)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DomainRow {
            domain: d.domain,
            source: d.source,
        })
        .collect();
    let successor = match org.successor_id {
        Some(s) => organisation::Entity::find_by_id(s)
            .one(db)
            .await?
            .map(|o| (o.id, o.name)),
        None => None,
    };
    let mut corrections = match &org.register_id {
        Some(register_id) => file_correction_rows(db, Some(register_id)).await?,
        None => Vec::new(),
    };
    corrections.extend(staff_corrections(db, Some(id)).await?);
    Ok(OrganisationDetail {
        id: org.id,
        name: org.name,
        abbreviation: org.abbreviation,
        kind: org.kind,
        sector: org.sector.map(|s| s.code()),
        sector_basis: org.sector_basis,
        public_employer: org.public_employer,
        cao: org.cao,
        register_id: org.register_id,
        dataset: org.dataset,
        active: org.active,
        successor,
        domains,
        corrections,
    })
}

/// A staff correction's value and reason, checked field by field.
pub(super) fn checked(
    action: CorrectionAction,
    value: &str,
    reason: &str,
) -> Result<(String, String), AppError> {
    let value = match action {
        CorrectionAction::AddDomain | CorrectionAction::RemoveDomain => {
            value.trim().trim_start_matches('@').to_lowercase()
        }
        CorrectionAction::Sector => value.trim().to_uppercase().replace("REVIEW", "review"),
        CorrectionAction::Alias => value.trim().to_owned(),
    };
    let mut errors = crate::domain::FieldErrors::new();
    if let Err(code) = check(action, &value) {
        errors.insert("value", ParseError(code));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        errors.insert("reason", ParseError("required"));
    } else if reason.chars().count() > 1000 {
        errors.insert("reason", ParseError("too-long"));
    }
    if errors.is_empty() {
        Ok((value, reason.to_owned()))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Stores a staff correction and applies it to the organisation now.
pub(super) async fn store_and_apply(
    txn: &crate::db::WriteTxn,
    org: &organisation::Model,
    action: CorrectionAction,
    value: &str,
    reason: &str,
    staff: &str,
) -> Result<(), AppError> {
    organisation_correction::ActiveModel {
        organisation_id: Set(org.id),
        action: Set(action),
        value: Set(value.to_owned()),
        reason: Set(reason.to_owned()),
        actor: Set(staff.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    match action {
        CorrectionAction::AddDomain => {
            organisation_domain::ActiveModel {
                domain: Set(value.to_owned()),
                organisation_id: Set(org.id),
                source: Set(DomainSource::Staff),
            }
            .insert(txn)
            .await?;
        }
        CorrectionAction::RemoveDomain => {
            organisation_domain::Entity::delete_by_id((value.to_owned(), org.id))
                .exec(txn)
                .await?;
        }
        CorrectionAction::Sector => {
            let mut active: organisation::ActiveModel = org.clone().into();
            active.sector = Set(SectorCode::parse(value).ok());
            active.sector_basis = Set(Some("staff".into()));
            active.updated_at = Set(Utc::now());
            active.update(txn).await?;
        }
        CorrectionAction::Alias => {
            let key = NameKey::of(value).key;
            let known = organisation_name::Entity::find_by_id((key.clone(), org.id))
                .one(txn)
                .await?;
            if known.is_none() && !key.is_empty() {
                organisation_name::ActiveModel {
                    name_key: Set(key),
                    organisation_id: Set(org.id),
                }
                .insert(txn)
                .await?;
            }
        }
    }
    audit::record(
        txn,
        staff,
        &format!("organisation.{}", action.as_str()),
        &format!("organisation {}", org.id),
        None::<&()>,
        Some(&serde_json::json!({"organisation": org.name, "value": value, "reason": reason})),
    )
    .await
}
