use serde::Serialize;

use super::ParseError;

/// The two public groups of the banenafspraak, plus everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectorGroup {
    Overheid,
    Onderwijs,
    Other,
}

impl SectorGroup {
    /// Pilots and `public_sector` events are for these groups only.
    pub fn is_public(self) -> bool {
        matches!(self, SectorGroup::Overheid | SectorGroup::Onderwijs)
    }
}

/// One of the 14 public sectors of the banenafspraak (shared/domain/DOMAIN.md)
/// or `OVERIG` for market companies and everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SectorCode(&'static SectorInfo);

#[derive(Debug, PartialEq, Eq, Hash)]
struct SectorInfo {
    code: &'static str,
    name_nl: &'static str,
    name_en: &'static str,
    group: SectorGroup,
}

const fn sector(
    code: &'static str,
    name_nl: &'static str,
    name_en: &'static str,
    group: SectorGroup,
) -> SectorInfo {
    SectorInfo {
        code,
        name_nl,
        name_en,
        group,
    }
}

use SectorGroup::{Onderwijs, Other, Overheid};

static SECTORS: [SectorInfo; 15] = [
    sector(
        "RIJK",
        "Rijk (ministeries, agentschappen, zbo's)",
        "Central government (ministries, agencies, ZBOs)",
        Overheid,
    ),
    sector("RM", "Rechterlijke macht", "Judiciary", Overheid),
    sector("POL", "Politie", "Police", Overheid),
    sector("DEF", "Defensie", "Defence", Overheid),
    sector("GEM", "Gemeenten", "Municipalities", Overheid),
    sector("PROV", "Provincies", "Provinces", Overheid),
    sector("WS", "Waterschappen", "Water authorities", Overheid),
    sector(
        "PO",
        "Primair onderwijs (incl. speciaal onderwijs)",
        "Primary education (incl. special education)",
        Onderwijs,
    ),
    sector(
        "VO",
        "Voortgezet onderwijs",
        "Secondary education",
        Onderwijs,
    ),
    sector(
        "MBO",
        "Middelbaar beroepsonderwijs",
        "Vocational education (MBO)",
        Onderwijs,
    ),
    sector(
        "HBO",
        "Hoger beroepsonderwijs",
        "Universities of applied sciences",
        Onderwijs,
    ),
    sector("WO", "Universiteiten", "Research universities", Onderwijs),
    sector(
        "UMC",
        "Universitair medische centra",
        "University medical centres",
        Onderwijs,
    ),
    sector(
        "OI",
        "Onderzoeksinstellingen",
        "Research institutes",
        Onderwijs,
    ),
    sector(
        "OVERIG",
        "Overig / marktpartij",
        "Other / market company",
        Other,
    ),
];

impl SectorCode {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let wanted = raw.trim();
        if wanted.is_empty() {
            return Err(ParseError("required"));
        }
        SECTORS
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(wanted))
            .map(SectorCode)
            .ok_or(ParseError("sector-unknown"))
    }

    pub fn all() -> impl Iterator<Item = SectorCode> {
        SECTORS.iter().map(SectorCode)
    }

    pub fn code(self) -> &'static str {
        self.0.code
    }

    pub fn name(self, lang: super::Lang) -> &'static str {
        match lang {
            super::Lang::Nl => self.0.name_nl,
            super::Lang::En => self.0.name_en,
        }
    }

    pub fn group(self) -> SectorGroup {
        self.0.group
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_fourteen_public_sectors_and_one_other() {
        let public = SectorCode::all().filter(|s| s.group().is_public()).count();
        assert_eq!(public, 14);
        assert_eq!(SectorCode::all().count(), 15);
    }

    #[test]
    fn codes_parse_case_insensitively() {
        assert_eq!(SectorCode::parse(" gem ").unwrap().code(), "GEM");
        assert_eq!(
            SectorCode::parse("UMC").unwrap().group(),
            SectorGroup::Onderwijs
        );
        assert_eq!(
            SectorCode::parse("OVERIG").unwrap().group(),
            SectorGroup::Other
        );
        assert_eq!(SectorCode::parse("BANK"), Err(ParseError("sector-unknown")));
    }
}
