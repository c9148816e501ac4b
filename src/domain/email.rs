use validator::ValidateEmail;

use super::ParseError;

/// An e-mail address, trimmed and lower-cased so that one mailbox has one
/// spelling (duplicates are detected on this form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let candidate = raw.trim().to_lowercase();
        if candidate.is_empty() {
            return Err(ParseError("required"));
        }
        if candidate.len() > Self::MAX_LEN {
            return Err(ParseError("too-long"));
        }
        // validator accepts dotless domains ("a@localhost"); real sign-ups
        // come from organisations with a public domain.
        let has_dotted_domain = candidate
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        // An address literal (`a@[127.0.0.1]`) names a machine, not an
        // organisation, and would route mail past every domain check.
        let literal = candidate.contains('[') || candidate.contains(']');
        if !candidate.validate_email() || !has_dotted_domain || literal {
            return Err(ParseError("email-invalid"));
        }
        Ok(Self(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_normalised() {
        let email = Email::parse("  Jan.Jansen@Utrecht.NL ").unwrap();
        assert_eq!(email.as_str(), "jan.jansen@utrecht.nl");
        assert_eq!(email.domain(), "utrecht.nl");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "  ",
            "jan",
            "jan@",
            "@utrecht.nl",
            "jan@localhost",
            "a b@c.nl",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn overlong_addresses_are_refused() {
        let raw = format!("{}@example.nl", "a".repeat(250));
        assert_eq!(Email::parse(&raw), Err(ParseError("too-long")));
    }
}
