//! Organisation names as people type them. Two spellings of one name fold
//! to the same [`NameKey`]: case, diacritics, typographic apostrophes,
//! punctuation, hyphens and spaces do not count, and a kind word in front
//! ("Gemeente", "Gem.", "Provincie", "Waterschap", "Hoogheemraadschap",
//! "Ministerie van", "Min.") is taken off and kept as a hint.
use unicode_normalization::UnicodeNormalization;

/// The kind a typed name announces with its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindHint {
    Gemeente,
    Provincie,
    Waterschap,
    Ministerie,
}

impl KindHint {
    /// The register kind (ROO folder) the hint stands for.
    pub fn register_kind(self) -> &'static str {
        match self {
            KindHint::Gemeente => "gemeenten",
            KindHint::Provincie => "provincies",
            KindHint::Waterschap => "waterschappen",
            KindHint::Ministerie => "ministeries",
        }
    }
}

impl KindHint {
    /// The kind a typed name points to: its first word ("Provincie
    /// Utrecht"), or the whole of it when only a kind word was typed
    /// ("Provincie").
    pub fn announced_by(raw: &str) -> Option<KindHint> {
        let key = NameKey::of(raw);
        key.kind.or_else(|| {
            KIND_WORDS
                .iter()
                .find(|(word, _)| *word == key.key)
                .map(|(_, hint)| *hint)
        })
    }
}

/// Kind words as they fold, longest first so "hoogheemraadschap van"
/// is taken before "hoogheemraadschap".
const KIND_WORDS: [(&str, KindHint); 8] = [
    ("gemeente", KindHint::Gemeente),
    ("gem", KindHint::Gemeente),
    ("provincie", KindHint::Provincie),
    ("prov", KindHint::Provincie),
    ("waterschap", KindHint::Waterschap),
    ("hoogheemraadschap", KindHint::Waterschap),
    ("ministerie", KindHint::Ministerie),
    ("min", KindHint::Ministerie),
];

/// Frisian water board: "Wetterskip Fryslân" is the register's spelling.
const FRISIAN_WATERSCHAP: &str = "wetterskip";

/// A name folded for comparison, with the kind its first word announced.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NameKey {
    pub key: String,
    pub kind: Option<KindHint>,
}

impl NameKey {
    pub fn of(raw: &str) -> NameKey {
        let folded = fold(raw);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let mut kind = None;
        let mut rest: &[&str] = &words;
        if let Some((first, tail)) = words.split_first() {
            let hint = KIND_WORDS
                .iter()
                .find(|(word, _)| word == first)
                .map(|(_, hint)| *hint)
                .or((*first == FRISIAN_WATERSCHAP).then_some(KindHint::Waterschap));
            // A kind word alone is no name ("Gemeente" stays "gemeente").
            if let (Some(hint), false) = (hint, tail.is_empty()) {
                kind = Some(hint);
                rest = tail;
                if rest.len() > 1 && rest[0] == "van" {
                    rest = &rest[1..];
                }
            }
        }
        NameKey {
            key: rest.join(" "),
            kind,
        }
    }
}

/// Lower case, without diacritics (NFKD, marks dropped; "ĳ" becomes "ij"),
/// apostrophes of any kind dropped, every other character that is not a
/// letter or digit a space, runs of spaces one.
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut space = true;
    for c in raw.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) || is_apostrophe(c) {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | 'ʻ' | '′' | '＇' | '‛'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> (String, Option<KindHint>) {
        let k = NameKey::of(raw);
        (k.key, k.kind)
    }

    #[test]
    fn case_diacritics_punctuation_and_spaces_fold_away() {
        assert_eq!(fold("Súdwest-Fryslân"), "sudwest fryslan");
        assert_eq!(fold("Sudwest Fryslan"), "sudwest fryslan");
        assert_eq!(fold("  Etten   Leur "), "etten leur");
        assert_eq!(fold("Financiën"), "financien");
        assert_eq!(
            fold("Landbouw, Visserij, Voedselzekerheid en Natuur"),
            "landbouw visserij voedselzekerheid en natuur"
        );
        assert_eq!(fold("IJsselstein"), fold("Ĳsselstein"));
    }

    #[test]
    fn every_apostrophe_is_the_same_apostrophe() {
        for spelling in [
            "'s-Hertogenbosch",
            "’s-Hertogenbosch",
            "‘s Hertogenbosch",
            "`s-hertogenbosch",
            "s-Hertogenbosch",
        ] {
            assert_eq!(fold(spelling), "s hertogenbosch", "{spelling}");
        }
    }

    #[test]
    fn kind_words_come_off_and_stay_as_a_hint() {
        use KindHint::*;
        assert_eq!(key("Gemeente Utrecht"), ("utrecht".into(), Some(Gemeente)));
        assert_eq!(key("Gem. Utrecht"), ("utrecht".into(), Some(Gemeente)));
        assert_eq!(key("Utrecht"), ("utrecht".into(), None));
        assert_eq!(
            key("Provincie Fryslân"),
            ("fryslan".into(), Some(Provincie))
        );
        assert_eq!(
            key("Ministerie van Algemene Zaken"),
            ("algemene zaken".into(), Some(Ministerie))
        );
        assert_eq!(key("Min. van BZK"), ("bzk".into(), Some(Ministerie)));
        assert_eq!(
            key("Hoogheemraadschap van Rijnland"),
            ("rijnland".into(), Some(Waterschap))
        );
        assert_eq!(
            key("Hoogheemraadschap Rijnland"),
            ("rijnland".into(), Some(Waterschap))
        );
        assert_eq!(
            key("Waterschap Aa en Maas"),
            ("aa en maas".into(), Some(Waterschap))
        );
        assert_eq!(
            key("Wetterskip Fryslân"),
            ("fryslan".into(), Some(Waterschap))
        );
    }

    #[test]
    fn a_kind_word_is_a_whole_word_and_never_the_whole_name() {
        assert_eq!(key("Gemert-Bakel"), ("gemert bakel".into(), None));
        assert_eq!(
            key("Gemeentelijke Gezondheidsdienst"),
            ("gemeentelijke gezondheidsdienst".into(), None)
        );
        assert_eq!(key("Gemeente"), ("gemeente".into(), None));
        assert_eq!(key("Minister"), ("minister".into(), None));
        // "van" goes only when a name follows it.
        assert_eq!(
            key("Gemeente Van"),
            ("van".into(), Some(KindHint::Gemeente))
        );
    }
}
