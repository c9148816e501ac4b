use std::collections::BTreeMap;

use super::{Email, Lang, Line, OptionalLine, OptionalText, ParseError, SectorCode, SubmissionKey};

/// Raw sign-up fields as they arrive from the HTML form or the JSON API.
#[derive(Debug, Clone, Default)]
pub struct RegistrationInput {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub job_title: String,
    pub remarks: String,
}

/// Field name -> translation code of what is wrong with it.
pub type FieldErrors = BTreeMap<&'static str, ParseError>;

/// A sign-up whose every field is known to be well formed.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub name: Line<200>,
    pub email: Email,
    pub organisation: Line<200>,
    pub sector: SectorCode,
    pub job_title: OptionalLine<200>,
    pub remarks: OptionalText<2000>,
    pub lang: Lang,
    /// Set by the caller when the submission carries one.
    pub submission_key: Option<SubmissionKey>,
}

impl NewRegistration {
    /// Parses every field and reports all problems at once, so a form can
    /// show each message next to its field.
    pub fn parse(input: &RegistrationInput, lang: Lang) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut field = |name: &'static str, result: Result<(), ParseError>| {
            if let Err(e) = result {
                errors.insert(name, e);
            }
        };
        let name = Line::parse(&input.name);
        field("name", name.as_ref().map(drop).map_err(|e| *e));
        let email = Email::parse(&input.email);
        field("email", email.as_ref().map(drop).map_err(|e| *e));
        let organisation = Line::parse(&input.organisation);
        field(
            "organisation",
            organisation.as_ref().map(drop).map_err(|e| *e),
        );
        let sector = SectorCode::parse(&input.sector);
        field("sector", sector.map(drop));
        let job_title = OptionalLine::parse(&input.job_title);
        field("job_title", job_title.as_ref().map(drop).map_err(|e| *e));
        let remarks = OptionalText::parse(&input.remarks);
        field("remarks", remarks.as_ref().map(drop).map_err(|e| *e));

        match (name, email, organisation, sector, job_title, remarks) {
            (Ok(name), Ok(email), Ok(organisation), Ok(sector), Ok(job_title), Ok(remarks)) => {
                Ok(Self {
                    name,
                    email,
                    organisation,
                    sector,
                    job_title,
                    remarks,
                    lang,
                    submission_key: None,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn with_submission_key(self, submission_key: Option<SubmissionKey>) -> Self {
        Self {
            submission_key,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RegistrationInput {
        RegistrationInput {
            name: "Anna de Vries".into(),
            email: "anna@utrecht.nl".into(),
            organisation: "Gemeente Utrecht".into(),
            sector: "GEM".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_sign_up_parses() {
        let parsed = NewRegistration::parse(&valid(), Lang::Nl).unwrap();
        assert_eq!(parsed.sector.code(), "GEM");
        assert_eq!(parsed.job_title.into_inner(), None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = RegistrationInput {
            email: "not-an-address".into(),
            sector: "XX".into(),
            ..Default::default()
        };
        let errors = NewRegistration::parse(&input, Lang::Nl).unwrap_err();
        assert_eq!(errors.get("name"), Some(&ParseError("required")));
        assert_eq!(errors.get("email"), Some(&ParseError("email-invalid")));
        assert_eq!(errors.get("organisation"), Some(&ParseError("required")));
        assert_eq!(errors.get("sector"), Some(&ParseError("sector-unknown")));
        assert!(!errors.contains_key("remarks"));
    }
}
