//! Turning a parsed file into the register: what is new is inserted in
//! bulk, what changed is updated, what the file no longer lists (full
//! files) or marks as gone is deactivated, all in one transaction that
//! also records the import.
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::corrections::{self, FileCorrection};
use super::index::KeyIndex;
use super::parse::{Entry, Parsed};
use super::record::record;
use super::{ImportError, ImportOptions, ImportReport, RegisterFormat};
use crate::db::WriteTxn;
use crate::domain::{DomainSource, NameKey};
use crate::entities::{
    organisation, organisation_correction, organisation_domain, organisation_name,
};

/// Parameters per statement: under SQLite's limit (32,766) and
/// PostgreSQL's (65,535). Few large statements instead of many small ones,
/// so the first load of the register costs few round trips.
const PARAMETERS: usize = 30_000;
/// Rows per INSERT of a table with `columns` columns.
const fn rows_per_insert(columns: usize) -> usize {
    PARAMETERS / columns
}

/// What the import will write.
#[derive(Default)]
struct Plan {
    inserts: Vec<organisation::ActiveModel>,
    updates: Vec<organisation::ActiveModel>,
    deactivate: Vec<Uuid>,
    /// Organisations whose domains and names are written anew.
    rewritten: Vec<Uuid>,
    domains: Vec<organisation_domain::ActiveModel>,
    names: Vec<organisation_name::ActiveModel>,
    /// (deactivated organisation, successor's register id)
    successors: Vec<(Uuid, String)>,
}

pub(super) async fn apply(
    db: &sea_orm::DatabaseConnection,
    parsed: Parsed,
    format: RegisterFormat,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ImportReport, ImportError> {
    let dataset = format.dataset(options.sector);
    let full = format != RegisterFormat::Simple && !options.partial;
    let file_corrections = corrections::file_corrections().map_err(ImportError::Corrections)?;
    let mut report = ImportReport {
        rejected: parsed.rejected,
        warnings: parsed.warnings,
        register_date: parsed.register_date,
        full,
        ..Default::default()
    };
    let txn = crate::db::begin_write(db).await?;
    let existing = organisation::Entity::find().all(&txn).await?;
    let mut index = KeyIndex::default();
    for org in &existing {
        index.add(org);
    }
    let domains_of = current_domains(&txn).await?;
    let names_of = current_names(&txn).await?;
    let staff = staff_corrections(&txn).await?;
    let by_id: HashMap<Uuid, &organisation::Model> = existing.iter().map(|o| (o.id, o)).collect();
    let current_ids: HashSet<String> = parsed
        .entries
        .iter()
        .filter(|(_, e)| e.current)
        .filter_map(|(_, e)| e.register_id.clone())
        .collect();

    let mut plan = Plan::default();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut matched: HashSet<Uuid> = HashSet::new();
    let now = Utc::now();
    let total = parsed.entries.len();
    for (done, (line, mut entry)) in parsed.entries.into_iter().enumerate() {
        progress(done, total);
        if let Some(id) = &entry.register_id {
            if let Some(first) = seen_ids.insert(id.clone(), line) {
                report
                    .rejected
                    .push((line, format!("the id {id} is also on line {first}")));
                continue;
            }
        }
        correct_from_file(&mut entry, &file_corrections);
        let mut found = index.find(&entry);
        let mut renamed = false;
        if found.is_none() && entry.current && entry.register_id.is_some() {
            found = index.renamed(&entry, &dataset, &current_ids);
            renamed = found.is_some();
        }
        let org = found.and_then(|id| by_id.get(&id).copied());
        if let Some(org) = org {
            if matched.contains(&org.id) {
                continue;
            }
            matched.insert(org.id);
            for correction in staff.get(&org.id).into_iter().flatten() {
                corrections::apply(
                    &mut entry,
                    correction.action,
                    &correction.value,
                    DomainSource::Staff,
                );
            }
            if other_duo_list(org, &dataset) {
                report.unchanged += 1;
                report.warnings.push((
                    line,
                    format!(
                        "{} is also on the list {}; kept there",
                        org.name,
                        org.dataset.as_deref().unwrap_or("")
                    ),
                ));
                continue;
            }
        }
        match (org, entry.current) {
            (None, false) => report.skipped += 1,
            (Some(org), false) => {
                if org.active {
                    plan.deactivate.push(org.id);
                    *report.deactivated.entry(org.kind.clone()).or_default() += 1;
                } else {
                    report.skipped += 1;
                }
                if let Some(successor) = entry.successor.clone() {
                    plan.successors.push((org.id, successor));
                }
            }
            (None, true) => {
                let id = Uuid::new_v4();
                let mut model = fields(&entry, &dataset, now);
                model.id = Set(id);
                model.created_at = Set(now);
                plan.inserts.push(model);
                plan.write_domains_and_names(id, &entry);
                report.added += 1;
            }
            (Some(org), true) => {
                let domains = domains_of.get(&org.id).cloned().unwrap_or_default();
                let names = names_of.get(&org.id).cloned().unwrap_or_default();
                let same_domains = domains == entry.domains.iter().cloned().collect();
                if same(org, &entry, &dataset) && same_domains && names == name_keys(&entry) {
                    report.unchanged += 1;
                } else {
                    let mut model = fields(&entry, &dataset, now);
                    model.id = sea_orm::ActiveValue::Unchanged(org.id);
                    plan.updates.push(model);
                    plan.write_domains_and_names(org.id, &entry);
                    report.updated += 1;
                    report.renamed += usize::from(renamed);
                }
            }
        }
    }
    if full {
        for org in &existing {
            if org.active && org.dataset.as_deref() == Some(&dataset) && !matched.contains(&org.id)
            {
                plan.deactivate.push(org.id);
                *report.deactivated.entry(org.kind.clone()).or_default() += 1;
            }
        }
    }
    progress(total, total);
    let inserted: Vec<(String, Uuid)> = plan
        .inserts
        .iter()
        .filter_map(|m| match (&m.register_id, &m.id) {
            (Set(Some(register_id)), Set(id)) => Some((register_id.clone(), *id)),
            _ => None,
        })
        .collect();
    plan.execute(&txn, now).await?;
    report.successors = link_successors(&txn, &plan.successors, &index, &inserted).await?;
    record(&txn, format, options, &dataset, &report).await?;
    txn.commit().await?;
    Ok(report)
}

fn correct_from_file(entry: &mut Entry, file: &[FileCorrection]) {
    let Some(id) = entry.register_id.clone() else {
        return;
    };
    for row in file.iter().filter(|row| row.register_id == id) {
        corrections::apply(entry, row.action, &row.value, DomainSource::Correction);
    }
}

/// A school board that runs schools of several sectors is on several DUO
/// lists; it stays with the list that brought it in while that one lists it.
fn other_duo_list(org: &organisation::Model, dataset: &str) -> bool {
    org.active
        && dataset.starts_with("duo-")
        && org
            .dataset
            .as_deref()
            .is_some_and(|d| d.starts_with("duo-") && d != dataset)
}

impl Plan {
    fn write_domains_and_names(&mut self, id: Uuid, entry: &Entry) {
        self.rewritten.push(id);
        for (domain, source) in &entry.domains {
            self.domains.push(organisation_domain::ActiveModel {
                domain: Set(domain.clone()),
                organisation_id: Set(id),
                source: Set(*source),
            });
        }
        for key in name_keys(entry) {
            self.names.push(organisation_name::ActiveModel {
                name_key: Set(key),
                organisation_id: Set(id),
            });
        }
    }

    async fn execute(
        &mut self,
        txn: &WriteTxn,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), ImportError> {
        for chunk in std::mem::take(&mut self.inserts).chunks(rows_per_insert(20)) {
            organisation::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        for model in std::mem::take(&mut self.updates) {
            model.update(txn).await?;
        }
        for chunk in self.deactivate.chunks(rows_per_insert(1)) {
            organisation::Entity::update_many()
                .col_expr(organisation::Column::Active, false.into())
                .col_expr(organisation::Column::UpdatedAt, now.into())
                .filter(organisation::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
        for chunk in self.rewritten.chunks(rows_per_insert(1)) {
            let ids = chunk.iter().copied();
            organisation_domain::Entity::delete_many()
                .filter(organisation_domain::Column::OrganisationId.is_in(ids.clone()))
                .exec(txn)
                .await?;
            organisation_name::Entity::delete_many()
                .filter(organisation_name::Column::OrganisationId.is_in(ids))
                .exec(txn)
                .await?;
        }
        for chunk in std::mem::take(&mut self.domains).chunks(rows_per_insert(3)) {
            organisation_domain::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        for chunk in std::mem::take(&mut self.names).chunks(rows_per_insert(2)) {
            organisation_name::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        Ok(())
    }
}

/// The keys an entry is found by: its name, abbreviation and aliases.
pub(super) fn name_keys(entry: &Entry) -> BTreeSet<String> {
    std::iter::once(entry.name.as_str())
        .chain(entry.abbreviation.as_deref())
        .chain(entry.aliases.iter().map(String::as_str))
        .map(|name| NameKey::of(name).key.chars().take(300).collect::<String>())
        .filter(|key| !key.is_empty())
        .collect()
}

fn fields(entry: &Entry, dataset: &str, now: chrono::DateTime<Utc>) -> organisation::ActiveModel {
    organisation::ActiveModel {
        name: Set(entry.name.clone()),
        abbreviation: Set(entry.abbreviation.clone()),
        kind: Set(entry.kind.clone()),
        sector: Set(entry.sector),
        oin: Set(entry.oin.clone()),
        kvk: Set(entry.kvk.clone()),
        organisation_code: Set(entry.organisation_code.clone()),
        register_id: Set(entry.register_id.clone()),
        website_domain: Set(entry.website_domain.clone()),
        source: Set(entry.source),
        active: Set(true),
        updated_at: Set(now),
        dataset: Set(dataset_of(entry, dataset)),
        public_employer: Set(entry.public_employer),
        cao: Set(entry.cao.clone()),
        sector_basis: Set(Some(entry.sector_basis.to_owned())),
        successor_id: Set(None),
        ..Default::default()
    }
}

/// Staff lists describe no dataset of their own.
fn dataset_of(entry: &Entry, dataset: &str) -> Option<String> {
    (entry.source != organisation::OrganisationSource::Staff).then(|| dataset.to_owned())
}

fn same(org: &organisation::Model, entry: &Entry, dataset: &str) -> bool {
    org.active
        && org.name == entry.name
        && org.abbreviation == entry.abbreviation
        && org.kind == entry.kind
        && org.sector == entry.sector
        && org.oin == entry.oin
        && org.kvk == entry.kvk
        && org.organisation_code == entry.organisation_code
        && org.register_id == entry.register_id
        && org.website_domain == entry.website_domain
        && org.source == entry.source
        && org.dataset == dataset_of(entry, dataset)
        && org.public_employer == entry.public_employer
        && org.cao == entry.cao
        && org.sector_basis.as_deref() == Some(entry.sector_basis)
        && org.successor_id.is_none()
}

async fn current_domains(
    txn: &WriteTxn,
) -> Result<HashMap<Uuid, BTreeSet<(String, DomainSource)>>, ImportError> {
    let mut map: HashMap<Uuid, BTreeSet<(String, DomainSource)>> = HashMap::new();
    for row in organisation_domain::Entity::find().all(txn).await? {
        map.entry(row.organisation_id)
            .or_default()
            .insert((row.domain, row.source));
    }
    Ok(map)
}

async fn current_names(txn: &WriteTxn) -> Result<HashMap<Uuid, BTreeSet<String>>, ImportError> {
    let mut map: HashMap<Uuid, BTreeSet<String>> = HashMap::new();
    for row in organisation_name::Entity::find().all(txn).await? {
        map.entry(row.organisation_id)
            .or_default()
            .insert(row.name_key);
    }
    Ok(map)
}

async fn staff_corrections(
    txn: &WriteTxn,
) -> Result<HashMap<Uuid, Vec<organisation_correction::Model>>, ImportError> {
    let mut map: HashMap<Uuid, Vec<organisation_correction::Model>> = HashMap::new();
    for row in organisation_correction::Entity::find()
        .order_by_asc(organisation_correction::Column::Id)
        .all(txn)
        .await?
    {
        map.entry(row.organisation_id).or_default().push(row);
    }
    Ok(map)
}

async fn link_successors(
    txn: &WriteTxn,
    successors: &[(Uuid, String)],
    index: &KeyIndex,
    inserted: &[(String, Uuid)],
) -> Result<usize, ImportError> {
    let mut linked = 0;
    for (old, register_id) in successors {
        let new = index.by_register_id(register_id).or_else(|| {
            inserted
                .iter()
                .find(|(r, _)| r == register_id)
                .map(|(_, id)| *id)
        });
        if let Some(new) = new.filter(|new| new != old) {
            organisation::Entity::update_many()
                .col_expr(organisation::Column::SuccessorId, Some(new).into())
                .filter(organisation::Column::Id.eq(*old))
                .exec(txn)
                .await?;
            linked += 1;
        }
    }
    Ok(linked)
}
