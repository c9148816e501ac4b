use super::registration::FieldErrors;
use super::{BoundedText, Email, Lang, Line, OptionalLine, ParseError, SectorCode};

/// Raw pilot application fields from the form or the API.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub organisation: String,
    /// The register entry picked in the search field, if any.
    pub organisation_id: String,
    pub sector: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub current_suppliers: String,
    pub market_partner: String,
    pub motivation: String,
    pub expected_jobs: String,
}

#[derive(Debug, Clone)]
pub struct NewApplication {
    pub organisation: Line<300>,
    pub organisation_id: Option<uuid::Uuid>,
    pub sector: SectorCode,
    pub contact_name: Line<200>,
    pub email: Email,
    pub phone: Option<String>,
    pub current_suppliers: BoundedText<2000>,
    pub market_partner: OptionalLine<300>,
    pub motivation: BoundedText<4000>,
    pub expected_jobs: u16,
    pub lang: Lang,
}

fn phone(raw: &str) -> Result<Option<String>, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let allowed = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    if !allowed || !(8..=15).contains(&digits) || trimmed.len() > 30 {
        return Err(ParseError("phone-invalid"));
    }
    Ok(Some(trimmed.to_owned()))
}

fn expected_jobs(raw: &str) -> Result<u16, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ParseError("required"));
    }
    trimmed
        .parse::<u16>()
        .ok()
        .filter(|n| *n <= 1000)
        .ok_or(ParseError("jobs-invalid"))
}

impl NewApplication {
    pub fn parse(input: &ApplicationInput, lang: Lang) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        macro_rules! field {
            ($name:literal, $result:expr) => {
                match $result {
                    Ok(value) => Some(value),
                    Err(e) => {
                        errors.insert($name, e);
                        None
                    }
                }
            };
        }
        let organisation = field!("organisation", Line::parse(&input.organisation));
        let organisation_id = field!(
            "organisation",
            match input.organisation_id.trim() {
                "" | "none" => Ok(None),
                raw => uuid::Uuid::parse_str(raw)
                    .map(Some)
                    .map_err(|_| ParseError("organisation-unknown")),
            }
        );
        let sector = field!("sector", SectorCode::parse(&input.sector));
        let contact_name = field!("contact_name", Line::parse(&input.contact_name));
        let email = field!("email", Email::parse(&input.email));
        let phone = field!("phone", phone(&input.phone));
        let current_suppliers = field!(
            "current_suppliers",
            BoundedText::parse(&input.current_suppliers)
        );
        let market_partner = field!("market_partner", OptionalLine::parse(&input.market_partner));
        let motivation = field!("motivation", BoundedText::parse(&input.motivation));
        let expected_jobs = field!("expected_jobs", expected_jobs(&input.expected_jobs));
        match (
            organisation,
            organisation_id,
            sector,
            contact_name,
            email,
            phone,
            current_suppliers,
            market_partner,
            motivation,
            expected_jobs,
        ) {
            (
                Some(organisation),
                Some(organisation_id),
                Some(sector),
                Some(contact_name),
                Some(email),
                Some(phone),
                Some(current_suppliers),
                Some(market_partner),
                Some(motivation),
                Some(expected_jobs),
            ) => Ok(Self {
                organisation,
                organisation_id,
                sector,
                contact_name,
                email,
                phone,
                current_suppliers,
                market_partner,
                motivation,
                expected_jobs,
                lang,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ApplicationInput {
        ApplicationInput {
            organisation: "Gemeente Utrecht".into(),
            sector: "GEM".into(),
            contact_name: "Anna de Vries".into(),
            email: "anna@utrecht.nl".into(),
            current_suppliers: "Schoonmaak BV, contract tot 2027".into(),
            motivation: "We willen banen creëren.".into(),
            expected_jobs: "4".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_application_parses() {
        let parsed = NewApplication::parse(&valid(), Lang::Nl).unwrap();
        assert_eq!(parsed.expected_jobs, 4);
        assert_eq!(parsed.organisation_id, None);
    }

    #[test]
    fn phone_jobs_and_organisation_id_are_checked() {
        let input = ApplicationInput {
            phone: "call me".into(),
            expected_jobs: "-3".into(),
            organisation_id: "not-a-uuid".into(),
            ..valid()
        };
        let errors = NewApplication::parse(&input, Lang::Nl).unwrap_err();
        assert_eq!(errors.get("phone"), Some(&ParseError("phone-invalid")));
        assert_eq!(
            errors.get("expected_jobs"),
            Some(&ParseError("jobs-invalid"))
        );
        assert_eq!(
            errors.get("organisation"),
            Some(&ParseError("organisation-unknown"))
        );
        assert!(phone("+31 (0)30 286 00 00").unwrap().is_some());
    }
}
