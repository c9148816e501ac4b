//! The key that makes a submission idempotent: the sign-up form carries a
//! fresh one in a hidden field, API clients send it as `Idempotency-Key`.
//! The same key twice means the same submission (a double click, a retry
//! after a lost answer), never a second sign-up.
use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionKey(String);

impl SubmissionKey {
    /// 16 to 64 characters of `A-Z a-z 0-9 - _`: room for a UUID in any
    /// spelling, and nothing that needs escaping anywhere.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if (16..=64).contains(&raw.len()) && raw.chars().all(allowed) {
            Ok(SubmissionKey(raw.to_owned()))
        } else {
            Err(ParseError("submission-key-invalid"))
        }
    }

    /// A new random key for a form about to be shown.
    pub fn generate() -> Self {
        SubmissionKey(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_uuids_and_refuses_short_long_or_odd_keys() {
        let generated = SubmissionKey::generate();
        assert_eq!(
            SubmissionKey::parse(generated.as_str()).as_ref(),
            Ok(&generated)
        );
        assert!(SubmissionKey::parse("0b7a2f0e-8d4c-4c1e-9a57-3c2d1e0f9b8a").is_ok());
        assert!(SubmissionKey::parse("").is_err());
        assert!(SubmissionKey::parse("short").is_err());
        assert!(SubmissionKey::parse(&"a".repeat(65)).is_err());
        assert!(SubmissionKey::parse("abcdefghijklmnop<script>").is_err());
        assert!(SubmissionKey::parse("abcdefghijklmnöpqr").is_err());
    }
}
