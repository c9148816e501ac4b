//! The organisation register: importing the ROO extract (or a plain staff
//! list) and looking organisations up. An import either reads the whole file
//! or writes nothing.
use std::collections::HashMap;
use std::io::Read;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::domain::SectorCode;
use crate::entities::organisation::{self, OrganisationSource};
use crate::entities::organisation_domain;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegisterFormat {
    /// The flattened ROO extract (`folder,name,abbr,oin,kvk,...,current_guess`).
    Roo,
    /// A plain staff list: `name,sector,kvk,domains`.
    Simple,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows that are not current (`current_guess` other than `ja`).
    pub skipped: usize,
    /// (line number, reason) of rows that could not be read.
    pub rejected: Vec<(u64, String)>,
    /// (line number, note) of rows imported with something left out.
    pub warnings: Vec<(u64, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}; nothing was imported")]
    Malformed { line: u64, message: String },
    #[error("the file lacks the column(s) {0}; nothing was imported")]
    MissingColumns(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// Kind (ROO folder) -> sector, as shared/domain/DOMAIN.md lays down. Kinds
/// not listed, `rwt` among them, get no sector: staff review them.
pub fn sector_for_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "gemeenten" | "gemeenschappelijke-regelingen" => "GEM",
        "provincies" => "PROV",
        "waterschappen" => "WS",
        "ministeries" | "agentschappen" | "zbo" | "inspecties" | "hoge-colleges"
        | "adviescolleges" => "RIJK",
        "rechterlijke-macht" => "RM",
        "politie-om" => "POL",
        _ => return None,
    })
}

/// One organisation as the file describes it.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    name: String,
    abbreviation: Option<String>,
    kind: String,
    sector: Option<SectorCode>,
    oin: Option<String>,
    kvk: Option<String>,
    organisation_code: Option<String>,
    register_id: Option<String>,
    website_domain: Option<String>,
    domains: Vec<String>,
    source: OrganisationSource,
    current: bool,
}

const ROO_COLUMNS: [&str; 10] = [
    "folder",
    "name",
    "abbr",
    "oin",
    "kvk",
    "organisatiecode",
    "website_domain",
    "email_domains",
    "current_guess",
    "polder_id",
];
const SIMPLE_COLUMNS: [&str; 4] = ["name", "sector", "kvk", "domains"];

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn digits(value: Option<String>, len: usize, what: &str) -> Result<Option<String>, String> {
    match value {
        Some(v) if v.len() != len || !v.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("{what} must be {len} digits, not {v:?}"))
        }
        other => Ok(other),
    }
}

/// OINs are 20 characters; the register holds a few with a letter prefix.
fn oin(value: Option<String>) -> Result<Option<String>, String> {
    match value {
        Some(v) if v.len() != 20 || !v.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Err(format!("the OIN must be 20 characters, not {v:?}"))
        }
        other => Ok(other),
    }
}

/// Splits a domain list; what is not a domain is left out and named in the
/// returned warnings, since one bad domain should not cost the organisation.
fn domains(raw: Option<&str>, warnings: &mut Vec<String>) -> Vec<String> {
    let mut list = Vec::new();
    for domain in raw.unwrap_or_default().split([';', ' ', '|']) {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        let valid = domain.contains('.')
            && domain.chars().count() <= 200
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !valid {
            warnings.push(format!("{domain:?} is not a domain and was left out"));
        } else if !list.contains(&domain) {
            list.push(domain);
        }
    }
    list
}

/// Column sizes of the organisations table; a longer value rejects the row
/// instead of failing the whole import in the database.
const LIMITS: [(&str, usize); 7] = [
    ("name", 300),
    ("abbr", 200),
    ("folder", 60),
    ("organisatiecode", 60),
    ("polder_id", 300),
    ("website_domain", 200),
    ("email_domains", 200 * 20),
];

fn check_lengths(get: &dyn Fn(&str) -> Option<String>) -> Result<(), String> {
    for (column, max) in LIMITS {
        if get(column).is_some_and(|v| v.chars().count() > max) {
            return Err(format!("{column} is longer than {max} characters"));
        }
    }
    Ok(())
}

fn read_entry(
    format: RegisterFormat,
    get: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Entry, String> {
    check_lengths(get)?;
    let name = get("name").ok_or("the name is empty")?;
    let kvk = digits(get("kvk"), 8, "the KvK number")?;
    match format {
        RegisterFormat::Roo => {
            let kind = get("folder").ok_or("the kind (folder) is empty")?;
            let website = get("website_domain").map(|d| d.to_lowercase());
            let mut all_domains = domains(get("email_domains").as_deref(), warnings);
            if let Some(site) = &website {
                for d in domains(Some(site), warnings) {
                    if !all_domains.contains(&d) {
                        all_domains.push(d);
                    }
                }
            }
            Ok(Entry {
                sector: sector_for_kind(&kind).and_then(|code| SectorCode::parse(code).ok()),
                abbreviation: get("abbr"),
                oin: oin(get("oin"))?,
                kvk,
                organisation_code: get("organisatiecode"),
                register_id: get("polder_id"),
                website_domain: website,
                domains: all_domains,
                source: OrganisationSource::Register,
                current: get("current_guess").as_deref() == Some("ja"),
                kind,
                name,
            })
        }
        RegisterFormat::Simple => {
            let sector = get("sector").ok_or("the sector is empty")?;
            let sector = SectorCode::parse(&sector)
                .map_err(|_| format!("{sector:?} is not a sector code"))?;
            Ok(Entry {
                name,
                abbreviation: None,
                kind: "staff".into(),
                sector: Some(sector),
                oin: None,
                kvk,
                organisation_code: None,
                register_id: None,
                website_domain: None,
                domains: domains(get("domains").as_deref(), warnings),
                source: OrganisationSource::Staff,
                current: true,
            })
        }
    }
}

/// Reads the whole file before writing anything; a structural fault (bad
/// CSV, missing columns, invalid UTF-8) refuses the file.
/// Readable rows, rejected rows and warnings, each with its line number.
struct Parsed {
    entries: Vec<(u64, Entry)>,
    rejected: Vec<(u64, String)>,
    warnings: Vec<(u64, String)>,
}

fn parse(input: impl Read, format: RegisterFormat) -> Result<Parsed, ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let malformed = |e: csv::Error| ImportError::Malformed {
        line: e.position().map(|p| p.line()).unwrap_or(1),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(malformed)?.clone();
    let wanted: &[&str] = match format {
        RegisterFormat::Roo => &ROO_COLUMNS,
        RegisterFormat::Simple => &SIMPLE_COLUMNS,
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h.trim() == *c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let mut parsed = Parsed {
        entries: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |column: &str| non_empty(index.get(column).and_then(|&i| record.get(i)));
        let mut warnings = Vec::new();
        match read_entry(format, &get, &mut warnings) {
            Ok(entry) => parsed.entries.push((line, entry)),
            Err(reason) => parsed.rejected.push((line, reason)),
        }
        parsed
            .warnings
            .extend(warnings.into_iter().map(|w| (line, w)));
    }
    Ok(parsed)
}

/// Imports a register file in one transaction. Rows are matched to existing
/// organisations on register id, then OIN, then KvK (then, for staff lists
/// without KvK, the exact name), so a second import updates, never duplicates.
pub async fn import(
    db: &DatabaseConnection,
    input: impl Read,
    format: RegisterFormat,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ImportReport, ImportError> {
    let Parsed {
        entries,
        rejected,
        warnings,
    } = parse(input, format)?;
    let mut report = ImportReport {
        rejected,
        warnings,
        ..Default::default()
    };
    let txn = crate::db::begin_write(db).await?;
    let existing = organisation::Entity::find().all(&txn).await?;
    let mut index = KeyIndex::default();
    for org in &existing {
        index.add(org);
    }
    // One read of all domains instead of one query per organisation.
    let mut domains_of: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in organisation_domain::Entity::find().all(&txn).await? {
        domains_of
            .entry(row.organisation_id)
            .or_default()
            .push(row.domain);
    }
    let mut by_id: HashMap<Uuid, organisation::Model> =
        existing.into_iter().map(|o| (o.id, o)).collect();
    let total = entries.len();
    for (done, (_line, entry)) in entries.into_iter().enumerate() {
        let found = index.find(&entry).and_then(|id| by_id.get(&id)).cloned();
        let now = Utc::now();
        match (found, entry.current) {
            (None, false) => report.skipped += 1,
            (Some(org), false) => {
                report.skipped += 1;
                if org.active {
                    let mut active: organisation::ActiveModel = org.into();
                    active.active = Set(false);
                    active.updated_at = Set(now);
                    active.update(&txn).await?;
                }
            }
            (None, true) => {
                let id = Uuid::new_v4();
                let model = organisation::ActiveModel {
                    id: Set(id),
                    created_at: Set(now),
                    ..fields(&entry, now)
                }
                .insert(&txn)
                .await?;
                replace_domains(&txn, id, &entry.domains).await?;
                index.add(&model);
                by_id.insert(id, model);
                report.added += 1;
            }
            (Some(org), true) => {
                let current_domains = domains_of
                    .get(&org.id)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if same(&org, &entry) && same_set(current_domains, &entry.domains) {
                    report.unchanged += 1;
                } else {
                    let id = org.id;
                    let mut active = fields(&entry, now);
                    active.id = sea_orm::ActiveValue::Unchanged(id);
                    let model = active.update(&txn).await?;
                    replace_domains(&txn, id, &entry.domains).await?;
                    index.add(&model);
                    by_id.insert(id, model);
                    report.updated += 1;
                }
            }
        }
        progress(done + 1, total);
    }
    txn.commit().await?;
    Ok(report)
}

fn fields(entry: &Entry, now: chrono::DateTime<Utc>) -> organisation::ActiveModel {
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
        ..Default::default()
    }
}

fn same(org: &organisation::Model, entry: &Entry) -> bool {
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
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|d| b.contains(d))
}

async fn replace_domains(
    txn: &sea_orm::DatabaseTransaction,
    id: Uuid,
    domains: &[String],
) -> Result<(), DbErr> {
    organisation_domain::Entity::delete_many()
        .filter(organisation_domain::Column::OrganisationId.eq(id))
        .exec(txn)
        .await?;
    if domains.is_empty() {
        return Ok(());
    }
    organisation_domain::Entity::insert_many(domains.iter().map(|d| {
        organisation_domain::ActiveModel {
            domain: Set(d.clone()),
            organisation_id: Set(id),
        }
    }))
    .exec_without_returning(txn)
    .await
    .map(drop)
}

/// Existing organisations by each key an import row may carry.
#[derive(Default)]
struct KeyIndex {
    register_id: HashMap<String, Uuid>,
    oin: HashMap<String, Uuid>,
    kvk: HashMap<String, Uuid>,
    staff_name: HashMap<String, Uuid>,
}

impl KeyIndex {
    fn add(&mut self, org: &organisation::Model) {
        if let Some(k) = &org.register_id {
            self.register_id.insert(k.clone(), org.id);
        }
        if let Some(k) = &org.oin {
            self.oin.insert(k.clone(), org.id);
        }
        if let Some(k) = &org.kvk {
            self.kvk.entry(k.clone()).or_insert(org.id);
        }
        if org.source == OrganisationSource::Staff {
            self.staff_name.insert(org.name.to_lowercase(), org.id);
        }
    }

    fn find(&self, entry: &Entry) -> Option<Uuid> {
        let by = |map: &HashMap<String, Uuid>, key: &Option<String>| {
            key.as_ref().and_then(|k| map.get(k)).copied()
        };
        if entry.register_id.is_some() {
            // A register row with an id is that row: its KvK may be shared
            // by several organisations (all ministries have the State's).
            // Several register rows may share an OIN, so no fallback here.
            return by(&self.register_id, &entry.register_id);
        }
        by(&self.oin, &entry.oin)
            .or_else(|| by(&self.kvk, &entry.kvk))
            .or_else(|| self.staff_name.get(&entry.name.to_lowercase()).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_sectors_and_rwt_to_none() {
        assert_eq!(sector_for_kind("gemeenten"), Some("GEM"));
        assert_eq!(sector_for_kind("zbo"), Some("RIJK"));
        assert_eq!(sector_for_kind("politie-om"), Some("POL"));
        assert_eq!(sector_for_kind("rwt"), None);
    }

    #[test]
    fn domains_are_split_lowered_and_checked() {
        let mut warnings = Vec::new();
        let list = domains(
            Some("Utrecht.nl; @utrecht.nl;ns.utrecht.nl;münster.de"),
            &mut warnings,
        );
        assert_eq!(list, vec!["utrecht.nl", "ns.utrecht.nl", "münster.de"]);
        assert!(warnings.is_empty());
        assert!(domains(Some("x.nl-=-site"), &mut warnings).is_empty());
        assert_eq!(warnings.len(), 1);
    }
}
