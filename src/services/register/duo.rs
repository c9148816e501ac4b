//! DUO's open data on school boards (*bevoegde gezagen*, CC0): the files
//! `besturenbo.csv`, `besturenvo.csv`, `besturenmbo.csv` and the board file
//! of higher education, `;`-separated, in UTF-8 with a byte-order mark or in
//! Windows-1252, columns found by their header whatever else the file holds.
//! A board becomes an organisation of the sector given on the command line,
//! keyed on its board number, with the domain of its website.
use super::classify::education_kind;
use super::parse::{blank, digits, domains, Entry, Get};
use crate::domain::{DomainSource, SectorCode};

/// The columns the import needs; every other column is ignored.
pub(super) const COLUMNS: [&str; 2] = ["BEVOEGD GEZAG NUMMER", "BEVOEGD GEZAG NAAM"];

pub(super) fn entry(
    get: &Get<'_>,
    sector: SectorCode,
    warnings: &mut Vec<String>,
) -> Result<Option<Entry>, String> {
    // The higher-education file lists hbo and wo boards together.
    if let Some(kind) = get("SOORT HO") {
        let wanted = sector.code().eq_ignore_ascii_case(&kind);
        if matches!(sector.code(), "HBO" | "WO") && !wanted {
            return Ok(None);
        }
    }
    let number = get("BEVOEGD GEZAG NUMMER").ok_or("the board number is empty")?;
    if !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 10 {
        return Err(format!("the board number must be digits, not {number:?}"));
    }
    let name = get("BEVOEGD GEZAG NAAM").ok_or("the board name is empty")?;
    if name.chars().count() > 300 {
        return Err("the board name is longer than 300 characters".into());
    }
    let kvk = match kvk(get("KVK-NUMMER")) {
        Ok(kvk) => kvk,
        Err(note) => {
            warnings.push(note);
            None
        }
    };
    let website = get("INTERNETADRES").and_then(|raw| {
        let domain = website_domain(&raw);
        if domain.is_none() {
            warnings.push(format!("{raw:?} is not a website address and was left out"));
        }
        domain
    });
    let list = domains(website.as_deref(), warnings);
    Ok(Some(Entry {
        register_id: Some(format!("duo:{}", number.trim_start_matches('0'))),
        name,
        kind: education_kind(sector.code()).into(),
        sector: Some(sector),
        sector_basis: "duo",
        kvk,
        website_domain: list.first().cloned(),
        domains: list
            .into_iter()
            .map(|d| (d, DomainSource::Register))
            .collect(),
        ..blank()
    }))
}

/// DUO sometimes drops the leading zero of a KvK number.
fn kvk(raw: Option<String>) -> Result<Option<String>, String> {
    match raw {
        Some(v) if (6..8).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Some(format!("{v:0>8}")))
        }
        other => digits(other, 8, "the KvK number").map_err(|e| format!("{e}; left out")),
    }
}

/// `www.school.nl`, `http://www.school.nl/`, `https://school.nl/over-ons`
/// -> `school.nl`.
pub(super) fn website_domain(raw: &str) -> Option<String> {
    let raw = raw.trim().to_lowercase();
    let without_scheme = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .unwrap_or(&raw);
    let host = without_scheme
        .split(['/', '?', '#', ':'])
        .next()
        .unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    crate::domain::mail_domain::is_well_formed(host).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_become_bare_domains() {
        assert_eq!(
            website_domain("www.codarts.nl").as_deref(),
            Some("codarts.nl")
        );
        assert_eq!(
            website_domain("HTTP://WWW.Sooz.nl/").as_deref(),
            Some("sooz.nl")
        );
        assert_eq!(
            website_domain("https://scholen.nl/over?x=1").as_deref(),
            Some("scholen.nl")
        );
        assert_eq!(website_domain("geen website"), None);
    }

    #[test]
    fn short_kvk_numbers_get_their_leading_zero_back() {
        assert_eq!(kvk(Some("1234567".into())), Ok(Some("01234567".into())));
        assert_eq!(kvk(Some("41126801".into())), Ok(Some("41126801".into())));
        assert!(kvk(Some("12-34".into())).is_err());
        assert_eq!(kvk(None), Ok(None));
    }
}
