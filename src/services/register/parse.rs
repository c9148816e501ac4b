//! Reading a register file into entries, before anything is written. A
//! structural fault (broken CSV, missing columns, an unreadable encoding)
//! refuses the whole file; a bad row is rejected with its line number; a
//! bad value that the row can do without is left out with a warning.
use std::collections::HashMap;

use chrono::NaiveDate;

use super::classify::{classify, education_kind};
use super::{duo, ImportError, RegisterFormat};
use crate::domain::mail_domain::{self, NoProof};
use crate::domain::{DomainSource, SectorCode};
use crate::entities::organisation::OrganisationSource;

/// One organisation as the file (and the corrections) describe it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub register_id: Option<String>,
    pub name: String,
    pub abbreviation: Option<String>,
    pub kind: String,
    pub sector: Option<SectorCode>,
    pub sector_basis: &'static str,
    pub public_employer: Option<bool>,
    pub cao: Option<String>,
    pub oin: Option<String>,
    pub kvk: Option<String>,
    pub organisation_code: Option<String>,
    pub website_domain: Option<String>,
    pub domains: Vec<(String, DomainSource)>,
    pub aliases: Vec<String>,
    pub source: OrganisationSource,
    pub current: bool,
    /// The register id of the entry that succeeds this one.
    pub successor: Option<String>,
}

/// Readable rows, rejected rows and warnings, each with its line number.
pub(super) struct Parsed {
    pub entries: Vec<(u64, Entry)>,
    pub rejected: Vec<(u64, String)>,
    pub warnings: Vec<(u64, String)>,
    /// The newest `roo_retrieved` date in the file.
    pub register_date: Option<NaiveDate>,
}

/// A row's value by column name: trimmed, empty as none.
pub(super) type Get<'a> = dyn Fn(&str) -> Option<String> + 'a;

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
const CURATED_COLUMNS: [&str; 6] = ["id", "name", "abbr", "sector", "domains", "source"];

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

pub(super) fn parse(
    bytes: &[u8],
    format: RegisterFormat,
    sector: Option<SectorCode>,
) -> Result<Parsed, ImportError> {
    let text = decode(bytes, format)?;
    let delimiter = if format == RegisterFormat::Duo {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let malformed = |e: csv::Error| ImportError::Malformed {
        line: e.position().map(|p| p.line()).unwrap_or(1),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(malformed)?.clone();
    // DUO writes its headers in capitals; everyone else in lower case.
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_lowercase(), i))
        .collect();
    let wanted: &[&str] = match format {
        RegisterFormat::Roo => &ROO_COLUMNS,
        RegisterFormat::Simple => &SIMPLE_COLUMNS,
        RegisterFormat::Curated => &CURATED_COLUMNS,
        RegisterFormat::Duo => &duo::COLUMNS,
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|c| !index.contains_key(&c.to_lowercase()))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }
    if format == RegisterFormat::Duo && sector.is_none() {
        return Err(ImportError::SectorRequired);
    }
    let mut parsed = Parsed {
        entries: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
        register_date: None,
    };
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |column: &str| {
            index
                .get(&column.to_lowercase())
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(date) = get("roo_retrieved").and_then(|d| d.parse::<NaiveDate>().ok()) {
            parsed.register_date = parsed.register_date.max(Some(date));
        }
        let mut warnings = Vec::new();
        let read = match format {
            RegisterFormat::Roo => roo(&get, &mut warnings),
            RegisterFormat::Simple => simple(&get, &mut warnings),
            RegisterFormat::Curated => curated(&get, &mut warnings),
            RegisterFormat::Duo => match sector {
                Some(sector) => duo::entry(&get, sector, &mut warnings),
                None => Err("no sector".into()),
            },
        };
        match read {
            Ok(Some(entry)) => parsed.entries.push((line, entry)),
            Ok(None) => {}
            Err(reason) => parsed.rejected.push((line, reason)),
        }
        parsed
            .warnings
            .extend(warnings.into_iter().map(|w| (line, w)));
    }
    Ok(parsed)
}

/// UTF-8 (a byte-order mark is dropped); DUO's files may also come in
/// Windows-1252, which any byte sequence decodes as. Windows line ends
/// become `\n`: the csv reader numbers lines one short after a `\r\n`
/// header, and rejected rows must name the right line.
fn decode(bytes: &[u8], format: RegisterFormat) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.replace("\r\n", "\n")),
        Err(_) if format == RegisterFormat::Duo => Ok(encoding_rs::WINDOWS_1252
            .decode(bytes)
            .0
            .replace("\r\n", "\n")),
        Err(e) => Err(ImportError::Malformed {
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64,
            message: "the file is not UTF-8".into(),
        }),
    }
}

fn check_lengths(get: &Get<'_>) -> Result<(), String> {
    for (column, max) in LIMITS {
        if get(column).is_some_and(|v| v.chars().count() > max) {
            return Err(format!("{column} is longer than {max} characters"));
        }
    }
    Ok(())
}

pub(super) fn digits(
    value: Option<String>,
    len: usize,
    what: &str,
) -> Result<Option<String>, String> {
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

/// Splits a domain list. What is not a domain, and every free-mail or
/// platform domain (they prove nothing), is left out with a warning: one
/// bad domain should not cost the organisation its entry.
pub(super) fn domains(raw: Option<&str>, warnings: &mut Vec<String>) -> Vec<String> {
    let mut list = Vec::new();
    for domain in raw.unwrap_or_default().split([';', ' ', '|', ',']) {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            continue;
        }
        match mail_domain::proof_check(&domain) {
            Err(NoProof::Malformed) => {
                warnings.push(format!("{domain:?} is not a domain and was left out"))
            }
            Err(NoProof::FreeMail) => warnings.push(format!(
                "{domain} is a free-mail or platform domain and was left out"
            )),
            // Kept: a foreign body's own domain ("schüttorf.de") harms
            // nobody, since look-alikes never prove anything.
            Ok(()) | Err(NoProof::LookAlike) if !list.contains(&domain) => list.push(domain),
            _ => {}
        }
    }
    list
}

fn register_domains(list: Vec<String>) -> Vec<(String, DomainSource)> {
    list.into_iter()
        .map(|d| (d, DomainSource::Register))
        .collect()
}

/// The gm/pv/ws code: the `organisatiecode` column, or the end of the TOOI
/// identifier.
fn organisation_code(get: &Get<'_>) -> Option<String> {
    get("organisatiecode").or_else(|| {
        get("tooi").and_then(|uri| {
            uri.rsplit('/')
                .next()
                .filter(|code| !code.is_empty() && code.len() <= 60)
                .map(str::to_owned)
        })
    })
}

fn roo(get: &Get<'_>, warnings: &mut Vec<String>) -> Result<Option<Entry>, String> {
    check_lengths(get)?;
    let name = get("name").ok_or("the name is empty")?;
    let kvk = digits(get("kvk"), 8, "the KvK number")?;
    let kind = get("folder").ok_or("the kind (folder) is empty")?;
    let website = get("website_domain").map(|d| d.to_lowercase());
    let mut all = domains(get("email_domains").as_deref(), warnings);
    if let Some(site) = &website {
        for d in domains(Some(site), warnings) {
            if !all.contains(&d) {
                all.push(d);
            }
        }
    }
    let public_employer = get("overheidswerkgever").map(|v| v.eq_ignore_ascii_case("ja"));
    let cao = get("cao").filter(|c| c.chars().count() <= 200);
    let (sector, basis) = classify(&kind, public_employer, cao.as_deref());
    Ok(Some(Entry {
        register_id: get("polder_id"),
        sector: sector.and_then(|code| SectorCode::parse(code).ok()),
        sector_basis: basis,
        public_employer,
        cao,
        abbreviation: get("abbr"),
        oin: oin(get("oin"))?,
        kvk,
        organisation_code: organisation_code(get),
        website_domain: website,
        domains: register_domains(all),
        aliases: Vec::new(),
        source: OrganisationSource::Register,
        current: get("current_guess").as_deref() == Some("ja"),
        successor: get("successor_id").or_else(|| get("opvolger")),
        kind,
        name,
    }))
}

fn simple(get: &Get<'_>, warnings: &mut Vec<String>) -> Result<Option<Entry>, String> {
    check_lengths(get)?;
    let name = get("name").ok_or("the name is empty")?;
    let kvk = digits(get("kvk"), 8, "the KvK number")?;
    let sector = get("sector").ok_or("the sector is empty")?;
    let sector =
        SectorCode::parse(&sector).map_err(|_| format!("{sector:?} is not a sector code"))?;
    Ok(Some(Entry {
        name,
        kind: "staff".into(),
        sector: Some(sector),
        sector_basis: "staff",
        kvk,
        domains: register_domains(domains(get("domains").as_deref(), warnings)),
        source: OrganisationSource::Staff,
        ..blank()
    }))
}

/// The curated list of public universities, hogescholen, MBO colleges and
/// UMCs (`register/onderwijs.csv`): every row names its source.
fn curated(get: &Get<'_>, warnings: &mut Vec<String>) -> Result<Option<Entry>, String> {
    check_lengths(get)?;
    let id = get("id").ok_or("the id is empty")?;
    let name = get("name").ok_or("the name is empty")?;
    get("source").ok_or("the source is empty: every curated row names where it comes from")?;
    let sector = get("sector").ok_or("the sector is empty")?;
    let sector = SectorCode::parse(&sector)
        .ok()
        .filter(|s| s.group() == crate::domain::SectorGroup::Onderwijs)
        .ok_or_else(|| format!("{sector:?} is not an education sector"))?;
    let list = domains(get("domains").as_deref(), warnings);
    Ok(Some(Entry {
        register_id: Some(format!("curated:{id}")),
        abbreviation: get("abbr"),
        kind: education_kind(sector.code()).into(),
        sector: Some(sector),
        sector_basis: "curated",
        website_domain: list.first().cloned(),
        domains: register_domains(list),
        name,
        ..blank()
    }))
}

pub(super) fn blank() -> Entry {
    Entry {
        register_id: None,
        name: String::new(),
        abbreviation: None,
        kind: String::new(),
        sector: None,
        sector_basis: "review",
        public_employer: None,
        cao: None,
        oin: None,
        kvk: None,
        organisation_code: None,
        website_domain: None,
        domains: Vec::new(),
        aliases: Vec::new(),
        source: OrganisationSource::Register,
        current: true,
        successor: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn free_mail_and_platform_domains_are_left_out_with_a_warning() {
        let mut warnings = Vec::new();
        let list = domains(
            Some("outlook.com;deassociatedegree.nl;linkedin.com;gmail.com"),
            &mut warnings,
        );
        assert_eq!(list, vec!["deassociatedegree.nl"]);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("outlook.com"));
    }

    /// Every row of the shipped education list is read whole: it names its
    /// source, has a domain, and no domain points at two institutions, nor
    /// at an organisation of the shipped ROO extract (a shared domain would
    /// make the e-mail address stop identifying the employer).
    #[test]
    fn the_shipped_education_list_reads_whole_with_one_institution_per_domain() {
        let csv = super::super::EDUCATION_LIST;
        let parsed = parse(csv.as_bytes(), RegisterFormat::Curated, None).unwrap();
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let mut raw = csv::Reader::from_reader(csv.as_bytes());
        let sources: Vec<String> = raw
            .records()
            .map(|r| r.unwrap().get(5).unwrap_or_default().trim().to_owned())
            .collect();
        assert_eq!(parsed.entries.len(), sources.len(), "every row is an entry");
        assert!(
            sources.iter().all(|s| s.len() > 20),
            "every row names a source"
        );

        let mut ids = std::collections::HashSet::new();
        let mut owner: HashMap<String, String> = HashMap::new();
        let mut per_sector: HashMap<&str, usize> = HashMap::new();
        for (line, entry) in &parsed.entries {
            let id = entry.register_id.clone().unwrap();
            assert!(ids.insert(id.clone()), "line {line}: id {id} twice");
            assert!(!entry.domains.is_empty(), "line {line}: {id} has no domain");
            for (domain, _) in &entry.domains {
                if let Some(other) = owner.insert(domain.clone(), id.clone()) {
                    panic!("{domain} belongs to both {other} and {id}");
                }
            }
            *per_sector.entry(entry.sector.unwrap().code()).or_default() += 1;
        }
        // The 14 public universities less the RUG (in the extract, see
        // corrections.csv) plus the four bekostigde levensbeschouwelijke
        // universities; the seven umc's of the NFU; the 36 bekostigde
        // hogescholen (DUO lists exactly 36); the MBO colleges found so far.
        let expected = [("WO", 17), ("UMC", 7), ("HBO", 36), ("MBO", 53)];
        for (sector, count) in expected {
            assert_eq!(per_sector.get(sector), Some(&count), "{sector}");
        }

        let roo = super::super::roo_extract().unwrap();
        let extract = parse(roo.as_bytes(), RegisterFormat::Roo, None).unwrap();
        for (_, entry) in &extract.entries {
            for (domain, _) in &entry.domains {
                assert!(
                    !owner.contains_key(domain),
                    "{domain} is in the education list ({}) and the extract ({})",
                    owner[domain],
                    entry.name
                );
            }
        }
    }

    #[test]
    fn windows_1252_is_read_for_duo_files_only() {
        let latin = b"BEVOEGD GEZAG NAAM\nS\xfadwest\n";
        assert!(decode(latin, RegisterFormat::Duo)
            .unwrap()
            .contains("Súdwest"));
        assert!(decode(latin, RegisterFormat::Roo).is_err());
        let bom = "\u{feff}name\nx\n";
        assert_eq!(
            decode(bom.as_bytes(), RegisterFormat::Roo).unwrap(),
            "name\nx\n"
        );
    }
}
