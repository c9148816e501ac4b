use std::sync::OnceLock;

use regex::Regex;
use validator::ValidateEmail;

use super::ParseError;

/// An e-mail address, trimmed and lower-cased so that one mailbox has one
/// spelling (duplicates are detected on this form).
///
/// Which addresses are accepted is one regular expression ([`Email::syntax`],
/// also the pattern the OpenAPI document publishes) and the IDNA check of
/// the domain: the HTML5 rule for the part before the `@`, and a domain of
/// two or more labels. A label is the usual a–z, 0–9 and hyphens (at most
/// 63), or holds Latin letters with accents as well (`zëist.nl`; at most 20
/// characters, so that its ASCII form fits the 63 of DNS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Latin letters with accents that a domain may hold, both cases: those of
/// Latin-1 and Latin Extended-A, less the ones whose lower case is two
/// characters or that IDNA turns into other letters (İ, Ĳ ĳ, Ŀ ŀ, ŉ, ſ).
const LATIN: &str = r"\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0100-\u012F\u0131\u0134-\u013E\u0141-\u0148\u014A-\u017E";
/// The part before the `@`, as HTML5 and the validator crate have it.
const LOCAL: &str = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}";
/// A label of an ASCII domain: 1 to 63, no hyphen at either end.
const ASCII_LABEL: &str = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

impl Email {
    /// Characters, as typed (the columns hold 254 characters).
    pub const MAX_LEN: usize = 254;

    /// The longest label with accented letters: any 20 of them make at most
    /// about 50 characters of punycode, below the 63 a label may have.
    pub const MAX_IDN_LABEL: usize = 20;

    /// The regular expression of an accepted address after trimming, in the
    /// dialect the `regex` crate, ECMAScript and Python share. A label with
    /// accents has 1 to 20 characters, no hyphen at either end and not two
    /// as its third and fourth (`xn--` and its like mark punycode).
    pub fn syntax() -> String {
        let letter = format!("[A-Za-z0-9{LATIN}]");
        let inner = format!("[A-Za-z0-9{LATIN}-]");
        let idn_label = format!(
            "{letter}(?:{inner}{{0,2}}{letter}|{inner}(?:{letter}{inner}|-{letter}){inner}{{0,{}}}{letter})?",
            Self::MAX_IDN_LABEL - 5
        );
        let label = format!("(?:{ASCII_LABEL}|{idn_label})");
        format!(r"{LOCAL}@{label}(?:\.{label})+")
    }

    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ParseError("required"));
        }
        if raw.chars().count() > Self::MAX_LEN {
            return Err(ParseError("too-long"));
        }
        // Matched before lower-casing, which turns a few signs into letters
        // (the Kelvin sign into k). The validator checks that the domain
        // converts to ASCII (IDNA); the expression keeps to what the API
        // document can describe.
        let candidate = trimmed.to_lowercase();
        if !well_formed(trimmed) || !candidate.validate_email() {
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

/// Whether `address` matches [`Email::syntax`] as a whole. The expression is
/// built from literals (compiled in the tests); were it ever not to compile,
/// no address would pass rather than every one.
fn well_formed(address: &str) -> bool {
    static SYNTAX: OnceLock<Option<Regex>> = OnceLock::new();
    SYNTAX
        .get_or_init(|| Regex::new(&format!("^(?:{})$", Email::syntax())).ok())
        .as_ref()
        .is_some_and(|syntax| syntax.is_match(address))
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

    #[test]
    fn the_expression_compiles() {
        assert!(Regex::new(&Email::syntax()).is_ok());
        assert!(well_formed("anna@utrecht.nl"));
    }

    #[test]
    fn domains_with_latin_accents_are_accepted_within_their_limits() {
        let accepted = [
            "dup@zëist.nl",
            "Dup@ZËIST.NL",
            "anna@súdwest-fryslân.nl",
            "anna@straße.de",
            "a@ë.nl",
            "a@ëë.nl",
            "a@ë-ë.nl",
            "a@ab-ë.nl",
            "a@ab-ëë.nl",
            "a@xn-ë.nl",
            "a@xn--utrcht-3ve.nl",
            "a@ab--cd.nl",
            "a@ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ.nl",
            "a@àîżłļŧźøşėťĉďēğŝġňņă.nl",
        ];
        for raw in accepted {
            assert!(Email::parse(raw).is_ok(), "{raw:?} was refused");
        }
        assert_eq!(
            Email::parse("Dup@ZËIST.NL").unwrap().as_str(),
            "dup@zëist.nl"
        );
        let refused = [
            "a@ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ.nl",
            "a@xn--zëist.nl",
            "a@ab--ë.nl",
            "a@-zëist.nl",
            "a@zëist-.nl",
            "a@utrеcht.nl",
            "a@ĳssel.nl",
            "a@İstanbul.tr",
            "a@zëist",
            "ä@zeist.nl",
            "a@zë ist.nl",
            "a@zeist.n\u{212A}",
            "a@\u{212B}lesund.no",
        ];
        for raw in refused {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn every_accented_letter_allowed_converts_to_ascii_and_lowers_to_one_letter() {
        let allowed = Regex::new(&format!("^[{LATIN}]$")).unwrap();
        let letters: Vec<char> = (0x80..0x250)
            .filter_map(char::from_u32)
            .filter(|c| allowed.is_match(&c.to_string()))
            .collect();
        assert_eq!(letters.len(), 183, "{letters:?}");
        for c in letters {
            let lower: Vec<char> = c.to_lowercase().collect();
            assert!(
                lower.len() == 1 && allowed.is_match(&lower[0].to_string()),
                "{c:?}"
            );
            for raw in [format!("a@{c}.nl"), format!("a@x{c}{c}y.nl")] {
                assert!(Email::parse(&raw).is_ok(), "{raw:?}");
            }
        }
    }

    #[test]
    fn lengths_are_counted_in_characters_as_typed() {
        let local = "a".repeat(64);
        assert!(Email::parse(&format!("{local}@utrecht.nl")).is_ok());
        assert!(Email::parse(&format!("a{local}@utrecht.nl")).is_err());
        let label = "b".repeat(63);
        assert!(Email::parse(&format!("a@{label}.nl")).is_ok());
        assert!(Email::parse(&format!("a@b{label}.nl")).is_err());
        let domain = format!("{label}.{label}.{label}.{}.nl", "c".repeat(57));
        let longest = format!("a@{domain}");
        assert_eq!(longest.chars().count(), Email::MAX_LEN);
        assert!(Email::parse(&longest).is_ok());
        assert_eq!(
            Email::parse(&format!(" {longest}")),
            Err(ParseError("too-long"))
        );
        let accented = format!("a@{}.nl", "ë".repeat(20));
        assert!(accented.len() > accented.chars().count());
        assert!(Email::parse(&accented).is_ok());
    }
}
