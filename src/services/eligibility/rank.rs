//! The order in which the application form offers register entries that
//! resemble a typed name: what the applicant most likely meant first.
use super::OrganisationHit;
use crate::domain::{KindHint, NameKey, SectorCode};

/// Sorts `hits` for someone who typed `typed` and chose `sector`:
/// 1. the name (or abbreviation) exactly as typed, folded;
/// 2. the kind the typed word announces ("Provincie ..." → provinces);
/// 3. the sector chosen on the form;
/// 4. entries the register files under a public sector, before those it
///    does not (foreign bodies such as the Belgian provinces, private-law
///    bodies, the Caribbean public bodies);
/// 5. names that start as typed; then shorter names, then by name.
pub fn rank(hits: &mut [OrganisationHit], typed: &str, sector: SectorCode) {
    let wanted = NameKey::of(typed).key;
    let hint = KindHint::announced_by(typed);
    let typed_lower = typed.trim().to_lowercase();
    hits.sort_by_cached_key(|hit| {
        let key = NameKey::of(&hit.name).key;
        let exact = (!wanted.is_empty() && key == wanted)
            || hit
                .abbreviation
                .as_deref()
                .is_some_and(|a| a.to_lowercase() == typed_lower);
        let kind_differs = hint.is_some_and(|h| h.register_kind() != hit.kind);
        (
            !exact,
            kind_differs,
            hit.sector != Some(sector.code()),
            hit.sector.is_none(),
            !key.starts_with(&wanted),
            hit.name.chars().count(),
            hit.name.clone(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(name: &str, kind: &str, sector: Option<&'static str>) -> OrganisationHit {
        OrganisationHit {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            abbreviation: None,
            kind: kind.into(),
            sector,
        }
    }

    fn names(hits: &[OrganisationHit]) -> Vec<&str> {
        hits.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn the_word_provincie_offers_the_dutch_provinces_before_belgian_ones() {
        let mut hits = vec![
            hit("Provincie Luik", "rwt", None),
            hit("Provincie Limburg (BE)", "rwt", None),
            hit("Provincie Zuid-Holland", "provincies", Some("PROV")),
            hit("Provincie Utrecht", "provincies", Some("PROV")),
            hit(
                "Vereniging Huis van de Nederlandse provincies (HNP)",
                "rwt",
                None,
            ),
        ];
        rank(&mut hits, "Provincie", SectorCode::parse("PROV").unwrap());
        assert_eq!(
            names(&hits)[..2],
            ["Provincie Utrecht", "Provincie Zuid-Holland"]
        );
        assert_eq!(hits.last().unwrap().kind, "rwt");
    }

    #[test]
    fn the_exact_name_comes_first_then_the_chosen_sector() {
        let mut hits = vec![
            hit(
                "Gemeenschappelijke regeling Utrecht",
                "gemeenschappelijke-regelingen",
                Some("GEM"),
            ),
            hit("Hogeschool Utrecht", "hogescholen", Some("HBO")),
            hit("Gemeente Utrecht", "gemeenten", Some("GEM")),
            hit("Provincie Utrecht", "provincies", Some("PROV")),
        ];
        rank(&mut hits, "Utrecht", SectorCode::parse("HBO").unwrap());
        assert_eq!(
            names(&hits),
            [
                "Gemeente Utrecht",
                "Provincie Utrecht",
                "Hogeschool Utrecht",
                "Gemeenschappelijke regeling Utrecht"
            ],
            "the two named Utrecht, then the sector chosen"
        );
    }
}
