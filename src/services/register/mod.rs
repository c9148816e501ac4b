//! The organisation register: importing the ROO extract, DUO's lists of
//! school boards, the curated education list or a plain staff list; the
//! register the app ships with, loaded on first start; curated corrections
//! that survive re-imports; and the record of every import. An import
//! reads the whole file first and writes all of it or nothing, in one
//! transaction with bulk statements.
use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr};

use crate::domain::SectorCode;

pub mod admin;
mod classify;
mod corrections;
pub mod domains;
mod duo;
mod index;
mod parse;
mod record;
mod shipped;
mod write;

pub use classify::{cao_sector, classify, education_kind};
pub use corrections::{check as check_correction, file_corrections, FileCorrection};
pub use shipped::{load_shipped, load_shipped_if_empty, roo_extract, ShippedLoad, EDUCATION_LIST};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RegisterFormat {
    /// The flattened ROO extract (`folder,name,abbr,oin,kvk,...,current_guess`).
    Roo,
    /// DUO's open data on school boards (`;`-separated, `BEVOEGD GEZAG
    /// NUMMER`, `BEVOEGD GEZAG NAAM`, `INTERNETADRES`, ...); needs `--sector`.
    Duo,
    /// The curated education list: `id,name,abbr,sector,domains,source`.
    Curated,
    /// A plain staff list: `name,sector,kvk,domains`.
    Simple,
}

impl RegisterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterFormat::Roo => "roo",
            RegisterFormat::Duo => "duo",
            RegisterFormat::Curated => "curated",
            RegisterFormat::Simple => "simple",
        }
    }

    /// The family of entries a file of this format describes in full: a
    /// full import deactivates what it no longer lists of its own dataset,
    /// never another's.
    fn dataset(self, sector: Option<SectorCode>) -> String {
        match (self, sector) {
            (RegisterFormat::Duo, Some(sector)) => format!("duo-{}", sector.code().to_lowercase()),
            (RegisterFormat::Curated, _) => "curated-onderwijs".into(),
            (RegisterFormat::Simple, _) => "simple".into(),
            _ => "roo".into(),
        }
    }
}

/// Who imports what, and how.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// For the import record: the file's name as given.
    pub file_name: String,
    /// For the import record and the audit log.
    pub actor: String,
    /// DUO: the sector the file's boards belong to.
    pub sector: Option<SectorCode>,
    /// A file that lists only some organisations: nothing is deactivated
    /// for missing from it. Staff lists are always partial.
    pub partial: bool,
}

impl ImportOptions {
    pub fn new(file_name: impl Into<String>, actor: impl Into<String>) -> Self {
        ImportOptions {
            file_name: file_name.into(),
            actor: actor.into(),
            sector: None,
            partial: false,
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Organisations deactivated, per kind: rows the file marks as no
    /// longer current, and (full files) organisations it no longer lists.
    pub deactivated: BTreeMap<String, usize>,
    /// Organisations that reappeared under a new register id with the same
    /// organisation code, followed instead of duplicated.
    pub renamed: usize,
    /// Deactivated organisations whose successor the file names.
    pub successors: usize,
    /// Rows that are not current and match nothing active.
    pub skipped: usize,
    /// (line number, reason) of rows that could not be read.
    pub rejected: Vec<(u64, String)>,
    /// (line number, note) of rows imported with something left out.
    pub warnings: Vec<(u64, String)>,
    /// The date the file's data were taken from the register.
    pub register_date: Option<NaiveDate>,
    /// Whether missing organisations were deactivated.
    pub full: bool,
}

impl ImportReport {
    pub fn deactivated_total(&self) -> usize {
        self.deactivated.values().sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {message}; nothing was imported")]
    Malformed { line: u64, message: String },
    #[error("the file lacks the column(s) {0}; nothing was imported")]
    MissingColumns(String),
    #[error("a DUO file needs --sector PO, VO, MBO, HBO or WO; nothing was imported")]
    SectorRequired,
    #[error("the corrections file does not read: {0}")]
    Corrections(String),
    #[error("reading the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// Imports a register file in one transaction. Rows are matched to existing
/// organisations on register id, then OIN, then KvK (then, for staff lists
/// without KvK, the exact name), so a second import updates, never
/// duplicates; it is recorded in `register_imports` and the audit log.
pub async fn import(
    db: &DatabaseConnection,
    mut input: impl Read,
    format: RegisterFormat,
    options: &ImportOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<ImportReport, ImportError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let parsed = parse::parse(&bytes, format, options.sector)?;
    write::apply(db, parsed, format, options, progress).await
}
