use super::ParseError;

/// Required free text (a name, an organisation) trimmed, non-empty, within
/// `MAX` characters and free of control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText<const MAX: usize>(String);

impl<const MAX: usize> BoundedText<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match OptionalText::<MAX>::parse(raw)?.0 {
            Some(text) => Ok(Self(text)),
            None => Err(ParseError("required")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Optional free text: blank means absent. Line breaks are allowed (remarks),
/// other control characters are not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptionalText<const MAX: usize>(Option<String>);

impl<const MAX: usize> OptionalText<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(Self(None));
        }
        if trimmed.chars().count() > MAX {
            return Err(ParseError("too-long"));
        }
        if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ParseError("control-characters"));
        }
        Ok(Self(Some(trimmed.to_owned())))
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(BoundedText::<5>::parse("  Anna ").unwrap().as_str(), "Anna");
        assert_eq!(BoundedText::<5>::parse("   "), Err(ParseError("required")));
        assert_eq!(
            BoundedText::<5>::parse("Annabel"),
            Err(ParseError("too-long"))
        );
        assert_eq!(
            BoundedText::<5>::parse("a\u{0}b"),
            Err(ParseError("control-characters"))
        );
    }

    #[test]
    fn optional_text_treats_blank_as_absent() {
        assert_eq!(OptionalText::<10>::parse(" ").unwrap().into_inner(), None);
        assert_eq!(
            OptionalText::<10>::parse("rolstoel\n")
                .unwrap()
                .into_inner(),
            Some("rolstoel".to_owned())
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(BoundedText::<4>::parse("Zoë!").is_ok());
    }
}
