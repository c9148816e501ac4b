//! Curated corrections of register entries: the file in the repository
//! (`register/corrections.csv`, each row with its reason and source) and
//! the ones staff make in the back office. Both are applied after every
//! import, so a re-import never undoes them.
use crate::domain::mail_domain;
use crate::domain::{CorrectionAction, DomainSource, SectorCode};

use super::parse::Entry;

/// The corrections file, compiled into the app.
pub const FILE: &str = include_str!("../../../register/corrections.csv");

/// One row of the corrections file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileCorrection {
    pub register_id: String,
    /// The entry's name, to read the file by; checked against the register.
    pub name: String,
    pub action: CorrectionAction,
    pub value: String,
    pub reason: String,
    pub source: String,
}

/// The rows of the corrections file; a row that does not read is an error
/// (a unit test keeps the file readable).
pub fn file_corrections() -> Result<Vec<FileCorrection>, String> {
    let mut reader = csv::Reader::from_reader(FILE.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or_default().to_owned();
        let action = CorrectionAction::from_name(&field(2))
            .ok_or_else(|| format!("line {line}: unknown action {:?}", field(2)))?;
        let row = FileCorrection {
            register_id: field(0),
            name: field(1),
            action,
            value: field(3),
            reason: field(4),
            source: field(5),
        };
        check(action, &row.value).map_err(|e| format!("line {line}: {e}"))?;
        if row.register_id.is_empty() || row.reason.is_empty() || row.source.is_empty() {
            return Err(format!(
                "line {line}: every correction needs an id, a reason and a source"
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Whether a correction's value is one the action accepts: a domain that
/// can prove employment (never free mail), a sector code or `review`, a
/// name.
pub fn check(action: CorrectionAction, value: &str) -> Result<(), &'static str> {
    match action {
        CorrectionAction::AddDomain => match mail_domain::proof_check(value) {
            Ok(()) => Ok(()),
            Err(mail_domain::NoProof::FreeMail) => Err("domain-free-mail"),
            Err(_) => Err("domain-invalid"),
        },
        CorrectionAction::RemoveDomain if mail_domain::is_well_formed(value) => Ok(()),
        CorrectionAction::RemoveDomain => Err("domain-invalid"),
        CorrectionAction::Sector if value == "review" || SectorCode::parse(value).is_ok() => Ok(()),
        CorrectionAction::Sector => Err("sector-unknown"),
        CorrectionAction::Alias if !value.trim().is_empty() && value.chars().count() <= 300 => {
            Ok(())
        }
        CorrectionAction::Alias => Err("required"),
    }
}

/// Applies one correction to what the file says about an entry.
pub(super) fn apply(
    entry: &mut Entry,
    action: CorrectionAction,
    value: &str,
    origin: DomainSource,
) {
    let basis = match origin {
        DomainSource::Staff => "staff",
        _ => "correction",
    };
    match action {
        CorrectionAction::AddDomain => {
            if !entry.domains.iter().any(|(d, _)| d == value) {
                entry.domains.push((value.to_owned(), origin));
            }
        }
        CorrectionAction::RemoveDomain => entry.domains.retain(|(d, _)| d != value),
        CorrectionAction::Sector => {
            entry.sector = SectorCode::parse(value).ok();
            entry.sector_basis = basis;
        }
        CorrectionAction::Alias => {
            if !entry.aliases.iter().any(|a| a == value) {
                entry.aliases.push(value.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corrections_file_reads_and_every_row_has_a_reason_and_a_source() {
        let rows = file_corrections().unwrap();
        assert!(rows.len() >= 5, "{rows:?}");
        for (id, domain) in [
            ("org:min-ocw", "minocw.nl"),
            ("org:politie", "politie.nl"),
            ("org:agentschap-belastingdienst", "belastingdienst.nl"),
        ] {
            assert!(
                rows.iter().any(|r| r.register_id == id
                    && r.action == CorrectionAction::AddDomain
                    && r.value == domain),
                "{id} {domain}"
            );
        }
    }

    #[test]
    fn a_correction_never_adds_a_free_mail_domain() {
        assert_eq!(
            check(CorrectionAction::AddDomain, "gmail.com"),
            Err("domain-free-mail")
        );
        assert_eq!(
            check(CorrectionAction::AddDomain, "utrecht.nl.example"),
            Err("domain-invalid")
        );
        assert_eq!(check(CorrectionAction::AddDomain, "minocw.nl"), Ok(()));
        assert_eq!(check(CorrectionAction::Sector, "review"), Ok(()));
        assert_eq!(
            check(CorrectionAction::Sector, "BANK"),
            Err("sector-unknown")
        );
    }
}
