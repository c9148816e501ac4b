//! Which sector a register entry belongs to, from the register's own words:
//! its kind (ROO folder) and, for bodies that may be private-law, its
//! `overheidswerkgever` and CAO classifications. What stays doubtful gets
//! no sector, so staff review it.

/// A sector code and what it rests on (`kind`, `cao` or `review`).
pub type Classified = (Option<&'static str>, &'static str);

/// Kinds that are the State itself or its colleges: Rijk, unless the
/// register's CAO puts them in another public sector (the Rekenkamer
/// Zeeland works under the provincial CAO).
const STATE_KINDS: [&str; 5] = [
    "ministeries",
    "agentschappen",
    "inspecties",
    "hoge-colleges",
    "adviescolleges",
];

/// Kinds that also hold private-law bodies with a public task: health
/// insurers' care offices, inspection companies, associations, foundations.
/// The kind alone says nothing about the employer.
const MIXED_KINDS: [&str; 2] = ["zbo", "rwt"];

pub fn classify(kind: &str, public_employer: Option<bool>, cao: Option<&str>) -> Classified {
    match kind {
        "gemeenten" | "gemeenschappelijke-regelingen" => (Some("GEM"), "kind"),
        "provincies" => (Some("PROV"), "kind"),
        "waterschappen" => (Some("WS"), "kind"),
        "rechterlijke-macht" => (Some("RM"), "kind"),
        "politie-om" => (Some("POL"), "kind"),
        k if STATE_KINDS.contains(&k) => match cao.and_then(cao_sector) {
            Some(sector) if sector != "RIJK" => (Some(sector), "cao"),
            _ => (Some("RIJK"), "kind"),
        },
        k if MIXED_KINDS.contains(&k) => match (public_employer, cao.and_then(cao_sector)) {
            (Some(true), Some(sector)) => (Some(sector), "cao"),
            _ => (None, "review"),
        },
        // Caribbean public bodies, unknown kinds: staff decide.
        _ => (None, "review"),
    }
}

/// The public sector whose collective agreement the register names; none
/// for a company's or a branch's own agreement.
pub fn cao_sector(cao: &str) -> Option<&'static str> {
    let cao = cao.to_uppercase();
    Some(match () {
        _ if cao == "CAO RIJK" => "RIJK",
        _ if cao == "CAO GEMEENTEN" => "GEM",
        _ if cao.contains("PROVINCIALE SECTOR") => "PROV",
        _ if cao.contains("WERKEN VOOR WATERSCHAPPEN") => "WS",
        _ if cao.contains("SECTOR POLITIE") => "POL",
        _ if cao.contains("ONDERZOEKINSTELLINGEN") => "OI",
        _ if cao.contains("BEROEPSONDERWIJS EN VOLWASSENENEDUCATIE") => "MBO",
        _ => return None,
    })
}

/// The register kind the curated education list and DUO files give their
/// entries, per sector.
pub fn education_kind(sector: &str) -> &'static str {
    match sector {
        "WO" => "universiteiten",
        "HBO" => "hogescholen",
        "MBO" => "mbo-instellingen",
        "UMC" => "umc",
        "OI" => "onderzoeksinstellingen",
        _ => "onderwijsbesturen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn government_kinds_map_to_their_sector() {
        assert_eq!(
            classify("gemeenten", Some(true), Some("CAO Gemeenten")).0,
            Some("GEM")
        );
        assert_eq!(
            classify("gemeenschappelijke-regelingen", None, None).0,
            Some("GEM")
        );
        assert_eq!(classify("provincies", None, None).0, Some("PROV"));
        assert_eq!(classify("waterschappen", None, None).0, Some("WS"));
        assert_eq!(
            classify("ministeries", Some(true), Some("CAO Rijk")).0,
            Some("RIJK")
        );
        assert_eq!(classify("rechterlijke-macht", None, None).0, Some("RM"));
        assert_eq!(classify("politie-om", None, None).0, Some("POL"));
        assert_eq!(
            classify(
                "hoge-colleges",
                Some(true),
                Some("1637 - PROVINCIALE SECTOR")
            ),
            (Some("PROV"), "cao")
        );
    }

    #[test]
    fn a_zbo_or_rwt_is_public_only_when_the_register_says_so() {
        assert_eq!(
            classify("zbo", Some(true), Some("CAO Rijk")),
            (Some("RIJK"), "cao")
        );
        assert_eq!(
            classify("zbo", Some(true), Some("Arbeidsvoorwaarden Sector Politie")).0,
            Some("POL")
        );
        // Care offices of health insurers, clubs, consultancies: no
        // classification at all.
        assert_eq!(classify("zbo", None, None), (None, "review"));
        // A public employer with a company's own agreement: doubtful.
        assert_eq!(
            classify("zbo", Some(true), Some("1989 - DNB CAO")),
            (None, "review")
        );
        // A public-sector agreement without the employer classification.
        assert_eq!(
            classify("zbo", None, Some("CAO Gemeenten")),
            (None, "review")
        );
        assert_eq!(classify("rwt", None, None), (None, "review"));
        assert_eq!(
            classify("caribisch-nederland", None, None),
            (None, "review")
        );
    }
}
