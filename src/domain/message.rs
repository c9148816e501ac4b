//! An organiser's message to a meeting's people, as typed: plain text,
//! escaped wherever it is shown, never HTML.
use super::registration::FieldErrors;
use super::text::{BoundedText, Line};
use super::{Audience, ParseError};

#[derive(Debug, Clone)]
pub struct MessageDraft {
    pub audience: Audience,
    pub subject: Line<200>,
    pub body: BoundedText<5000>,
}

impl MessageDraft {
    pub fn parse(audience: &str, subject: &str, body: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let audience = Audience::from_name(audience.trim());
        if audience.is_none() {
            errors.insert("audience", ParseError("audience-invalid"));
        }
        let subject = Line::parse(subject)
            .map_err(|e| errors.insert("subject", e))
            .ok();
        let body = BoundedText::parse(body)
            .map_err(|e| errors.insert("body", e))
            .ok();
        match (audience, subject, body) {
            (Some(audience), Some(subject), Some(body)) => Ok(MessageDraft {
                audience,
                subject,
                body,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_needs_an_audience_a_subject_and_a_text() {
        let draft = MessageDraft::parse("confirmed", " Andere zaal ", "Zaal 2.14.").unwrap();
        assert_eq!(draft.audience, Audience::Confirmed);
        assert_eq!(draft.subject.as_str(), "Andere zaal");
        let errors = MessageDraft::parse("cancelled", "", "").unwrap_err();
        assert_eq!(
            errors.get("audience"),
            Some(&ParseError("audience-invalid"))
        );
        assert_eq!(errors.get("subject"), Some(&ParseError("required")));
        assert_eq!(errors.get("body"), Some(&ParseError("required")));
        let line_break = MessageDraft::parse("everyone", "Een\nBcc: x", "Tekst").unwrap_err();
        assert!(
            line_break.contains_key("subject"),
            "no header through a subject"
        );
    }
}
