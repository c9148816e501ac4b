//! A pilot (proeftuin) as programme staff set it up: who may apply, how
//! many places it has and when applications are taken.
use chrono::{DateTime, Utc};

use super::event::moment;
use super::registration::FieldErrors;
use super::{BoundedText, Category, Line, ParseError, SectorCode, Slug};

/// The public sectors a pilot takes applications from: one or more of the
/// fourteen, never the market. Kept in the order of the sector list, each
/// once, so two sets with the same sectors are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotSectors(Vec<SectorCode>);

impl PilotSectors {
    /// All fourteen public sectors: the banenafspraak's Overheid and
    /// Onderwijs, what a pilot is open to unless staff narrow it.
    pub fn all_public() -> Self {
        PilotSectors(
            SectorCode::all()
                .filter(|s| s.group().is_public())
                .collect(),
        )
    }

    /// Sector codes as a form or a column gives them; at least one, each
    /// a public sector.
    pub fn parse<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, ParseError> {
        let mut wanted = Vec::new();
        for raw in codes {
            if raw.trim().is_empty() {
                continue;
            }
            let sector = SectorCode::parse(raw)?;
            if !sector.group().is_public() {
                return Err(ParseError("sector-not-public"));
            }
            wanted.push(sector);
        }
        let chosen: Vec<SectorCode> = SectorCode::all().filter(|s| wanted.contains(s)).collect();
        if chosen.is_empty() {
            return Err(ParseError("sectors-required"));
        }
        Ok(PilotSectors(chosen))
    }

    /// The stored form: codes joined by commas, `GEM,PROV`.
    pub fn to_text(&self) -> String {
        self.codes().collect::<Vec<_>>().join(",")
    }

    pub fn from_text(text: &str) -> Option<Self> {
        Self::parse(text.split(',')).ok()
    }

    pub fn contains(&self, sector: SectorCode) -> bool {
        self.0.contains(&sector)
    }

    pub fn is_all_public(&self) -> bool {
        *self == Self::all_public()
    }

    pub fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|s| s.code())
    }

    pub fn iter(&self) -> impl Iterator<Item = SectorCode> + '_ {
        self.0.iter().copied()
    }
}

/// Places in a pilot: at least one; a thousand is more than the
/// programme could ever guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Places(i32);

impl Places {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim() {
            "" => Err(ParseError("required")),
            raw => raw
                .parse::<i32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .map(Places)
                .ok_or(ParseError("places-invalid")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// A pilot form's fields, as typed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PilotInput {
    pub slug: String,
    pub title_nl: String,
    pub title_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub category: String,
    pub places: String,
    /// `YYYY-MM-DDTHH:MM` (a browser's `datetime-local`), Amsterdam time.
    pub opens: String,
    pub closes: String,
    /// Sector codes, as the form's checkboxes send them.
    pub sectors: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewPilot {
    pub slug: Slug,
    pub title_nl: Line<200>,
    pub title_en: Line<200>,
    pub description_nl: BoundedText<5000>,
    pub description_en: BoundedText<5000>,
    pub category: Category,
    pub places: Places,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub sectors: PilotSectors,
}

impl NewPilot {
    pub fn parse(input: &PilotInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        macro_rules! field {
            ($name:literal, $result:expr) => {
                match $result {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.insert($name, e);
                        None
                    }
                }
            };
        }
        let required_moment = |raw: &str| moment(raw)?.ok_or(ParseError("required"));
        let slug = field!("slug", Slug::parse(&input.slug));
        let title_nl = field!("title_nl", Line::parse(&input.title_nl));
        let title_en = field!("title_en", Line::parse(&input.title_en));
        let description_nl = field!("description_nl", BoundedText::parse(&input.description_nl));
        let description_en = field!("description_en", BoundedText::parse(&input.description_en));
        let category = field!("category", Category::parse(&input.category));
        let places = field!("places", Places::parse(&input.places));
        let opens_at = field!("opens", required_moment(&input.opens));
        let closes_at = field!("closes", required_moment(&input.closes));
        let sectors = field!(
            "sectors",
            PilotSectors::parse(input.sectors.iter().map(String::as_str))
        );
        if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
            if closes <= opens {
                errors.insert("closes", ParseError("closes-before-opens"));
            }
        }
        match (
            slug,
            title_nl,
            title_en,
            description_nl,
            description_en,
            category,
            places,
            opens_at,
            closes_at,
            sectors,
        ) {
            (
                Some(slug),
                Some(title_nl),
                Some(title_en),
                Some(description_nl),
                Some(description_en),
                Some(category),
                Some(places),
                Some(opens_at),
                Some(closes_at),
                Some(sectors),
            ) if errors.is_empty() => Ok(NewPilot {
                slug,
                title_nl,
                title_en,
                description_nl,
                description_en,
                category,
                places,
                opens_at,
                closes_at,
                sectors,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> PilotInput {
        PilotInput {
            slug: "proeftuin-catering".into(),
            title_nl: "Proeftuin catering".into(),
            title_en: "Catering pilot".into(),
            description_nl: "Banen via het cateringcontract.".into(),
            description_en: "Jobs through the catering contract.".into(),
            category: "catering".into(),
            places: "12".into(),
            opens: "2027-01-04T09:00".into(),
            closes: "2027-03-01T17:00".into(),
            sectors: vec!["PO".into(), "VO".into()],
        }
    }

    #[test]
    fn a_filled_in_form_parses_with_its_sectors_in_list_order() {
        let input = PilotInput {
            sectors: vec!["vo".into(), "PO".into(), "VO".into()],
            ..valid()
        };
        let pilot = NewPilot::parse(&input).unwrap();
        assert_eq!(pilot.sectors.to_text(), "PO,VO");
        assert_eq!(pilot.places.get(), 12);
        assert_eq!(pilot.opens_at.to_rfc3339(), "2027-01-04T08:00:00+00:00");
    }

    #[test]
    fn the_market_and_an_empty_choice_are_refused() {
        let market = PilotInput {
            sectors: vec!["GEM".into(), "OVERIG".into()],
            ..valid()
        };
        let errors = NewPilot::parse(&market).unwrap_err();
        assert_eq!(
            errors.get("sectors"),
            Some(&ParseError("sector-not-public"))
        );
        let none = PilotInput {
            sectors: Vec::new(),
            ..valid()
        };
        let errors = NewPilot::parse(&none).unwrap_err();
        assert_eq!(errors.get("sectors"), Some(&ParseError("sectors-required")));
    }

    #[test]
    fn the_period_must_close_after_it_opens_and_both_ends_are_required() {
        let backwards = PilotInput {
            closes: "2027-01-04T09:00".into(),
            ..valid()
        };
        let errors = NewPilot::parse(&backwards).unwrap_err();
        assert_eq!(
            errors.get("closes"),
            Some(&ParseError("closes-before-opens"))
        );
        let open_ended = PilotInput {
            closes: " ".into(),
            places: "0".into(),
            ..valid()
        };
        let errors = NewPilot::parse(&open_ended).unwrap_err();
        assert_eq!(errors.get("closes"), Some(&ParseError("required")));
        assert_eq!(errors.get("places"), Some(&ParseError("places-invalid")));
    }

    #[test]
    fn the_stored_form_reads_back_and_all_public_is_fourteen_sectors() {
        let all = PilotSectors::all_public();
        assert_eq!(all.codes().count(), 14);
        assert_eq!(PilotSectors::from_text(&all.to_text()), Some(all.clone()));
        assert!(all.is_all_public());
        assert_eq!(PilotSectors::from_text("GEM,BANK"), None);
    }
}
