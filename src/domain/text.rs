//! Free text, trimmed and bounded. Two kinds: a *line* (a name, an
//! organisation, a title, a place) holds no control characters at all, so
//! it cannot break a mail header, a calendar property or a CSV row; a
//! *text* (remarks, a motivation, a description) may hold line breaks and
//! tabs. Neither holds NUL, which PostgreSQL refuses in text.
use super::ParseError;

/// Whether `c` may stand in a single line: no control characters, no
/// Unicode line or paragraph separators, no bidirectional overrides (which
/// can make a name read differently from what it is).
fn fits_a_line(c: char) -> bool {
    !(c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// Whether `c` may stand in multi-line text: as a line, plus line breaks
/// and tabs.
fn fits_a_text(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t') || fits_a_line(c)
}

fn optional(
    raw: &str,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<Option<String>, ParseError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(ParseError("too-long"));
    }
    if !trimmed.chars().all(allowed) {
        return Err(ParseError("control-characters"));
    }
    Ok(Some(trimmed.to_owned()))
}

/// Required text of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<const MAX: usize>(String);

impl<const MAX: usize> Line<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        optional(raw, MAX, fits_a_line)?
            .map(Self)
            .ok_or(ParseError("required"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Optional text of one line: blank means absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptionalLine<const MAX: usize>(Option<String>);

impl<const MAX: usize> OptionalLine<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        optional(raw, MAX, fits_a_line).map(Self)
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// Required text that may span lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedText<const MAX: usize>(String);

impl<const MAX: usize> BoundedText<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        optional(raw, MAX, fits_a_text)?
            .map(Self)
            .ok_or(ParseError("required"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Optional text that may span lines: blank means absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptionalText<const MAX: usize>(Option<String>);

impl<const MAX: usize> OptionalText<MAX> {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        optional(raw, MAX, fits_a_text).map(Self)
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }

    pub fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// What a person types into a search field: one line of at most 200
/// characters; anything else searches for nothing.
pub fn search_text(raw: &str) -> String {
    match OptionalLine::<200>::parse(raw) {
        Ok(OptionalLine(Some(text))) => text,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(Line::<5>::parse("  Anna ").unwrap().as_str(), "Anna");
        assert_eq!(Line::<5>::parse("   "), Err(ParseError("required")));
        assert_eq!(Line::<5>::parse("Annabel"), Err(ParseError("too-long")));
        assert_eq!(
            BoundedText::<5>::parse("a\u{0}b"),
            Err(ParseError("control-characters"))
        );
    }

    #[test]
    fn a_line_refuses_line_breaks_and_overrides_where_text_keeps_them() {
        for hostile in [
            "Anna\r\nATTENDEE:mailto:x@evil.example",
            "Anna\nDTSTART:19700101T000000Z",
            "Anna\tde Vries",
            "Anna\u{2028}de Vries",
            "\u{202E}seirV ed annA",
        ] {
            assert_eq!(
                Line::<200>::parse(hostile),
                Err(ParseError("control-characters")),
                "{hostile:?}"
            );
        }
        assert!(BoundedText::<200>::parse("Rolstoel\r\nen een tolk").is_ok());
        assert_eq!(
            OptionalText::<10>::parse("rolstoel\n")
                .unwrap()
                .into_inner(),
            Some("rolstoel".to_owned())
        );
    }

    #[test]
    fn optional_text_treats_blank_as_absent() {
        assert_eq!(OptionalText::<10>::parse(" ").unwrap().into_inner(), None);
        assert_eq!(OptionalLine::<10>::parse("").unwrap().into_inner(), None);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(Line::<4>::parse("Zoë!").is_ok());
    }

    #[test]
    fn a_search_is_one_bounded_line_or_nothing() {
        assert_eq!(search_text(" anna "), "anna");
        assert_eq!(search_text("a\u{0}b"), "");
        assert_eq!(search_text(&"x".repeat(201)), "");
    }
}
