//! Searching the back-office lists: a typed search, folded so that case and
//! accents do not matter, and matched as the literal text it is. `%` and
//! `_` in a search are characters someone typed, never wildcards.
use unicode_normalization::UnicodeNormalization;

use super::text::OptionalLine;
use super::ParseError;

/// Separates the parts of a sign-up's search key; a search cannot contain
/// it (control characters are refused), so no match spans two parts.
const PART: char = '\u{1f}';

/// Text as the search compares it: without accents, in lower case, with
/// runs of white space as one space. Punctuation stays: it is searchable.
pub fn fold_for_search(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// What a sign-up is found and sorted by: its name first, so the key
/// orders the door list as people read names, then address and
/// organisation.
pub fn sign_up_search_key(name: &str, email: &str, organisation: &str) -> String {
    search_key([name, email, organisation])
}

/// What a partnership is found by: its buyer, then its supplier.
pub fn partnership_search_key(buyer: &str, supplier: &str) -> String {
    search_key([buyer, supplier])
}

fn search_key<const N: usize>(parts: [&str; N]) -> String {
    parts.map(fold_for_search).join(&PART.to_string())
}

/// A search as typed into a list's search box: one line of at most 200
/// characters, folded, and empty when there is nothing to look for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search(String);

impl Search {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let typed = OptionalLine::<200>::parse(raw)?;
        Ok(Search(
            typed.as_deref().map(fold_for_search).unwrap_or_default(),
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A `LIKE` pattern (escape character `\`) for keys containing it.
    pub fn anywhere(&self) -> String {
        format!("%{}%", escape_like(&self.0))
    }

    /// A `LIKE` pattern for a sign-up key whose organisation contains it:
    /// the organisation is the part after the second separator.
    pub fn in_organisation(&self) -> String {
        format!("%{PART}%{PART}%{}%", escape_like(&self.0))
    }
}

/// The escape character of every `LIKE` pattern built here.
pub const LIKE_ESCAPE: char = '\\';

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_do_not_matter_but_punctuation_does() {
        assert_eq!(fold_for_search("  Émile   DE Vriës "), "emile de vries");
        assert_eq!(fold_for_search("j_de.vries@x.nl"), "j_de.vries@x.nl");
        assert_eq!(Search::parse("ÉMILE").unwrap().anywhere(), "%emile%");
    }

    #[test]
    fn wildcards_are_escaped_to_literal_characters() {
        let pattern = |raw: &str| Search::parse(raw).unwrap().anywhere();
        assert_eq!(pattern("_"), r"%\_%");
        assert_eq!(pattern("100%"), r"%100\%%");
        assert_eq!(pattern(r"a\b"), r"%a\\b%");
        assert!(Search::parse("   ").unwrap().is_empty());
    }

    #[test]
    fn a_search_cannot_span_two_parts_of_a_key() {
        let key = sign_up_search_key("Anna", "anna@x.nl", "Gemeente Zwolle");
        assert_eq!(key, "anna\u{1f}anna@x.nl\u{1f}gemeente zwolle");
        assert_eq!(
            Search::parse("a\u{1f}b"),
            Err(ParseError("control-characters"))
        );
        assert_eq!(
            Search::parse("Zwolle").unwrap().in_organisation(),
            "%\u{1f}%\u{1f}%zwolle%"
        );
    }
}
