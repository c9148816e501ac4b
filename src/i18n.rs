//! Translations: every text a person reads lives in `locales/<lang>/*.ftl`.
//! Templates call `t(key=..., lang=...)`; Rust code calls [`text`].
use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{langid, LanguageIdentifier, Loader};

use crate::domain::Lang;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        // Isolation marks around placeables would end up inside mails and
        // attribute values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn langid(lang: Lang) -> LanguageIdentifier {
    match lang {
        Lang::Nl => langid!("nl"),
        Lang::En => langid!("en"),
    }
}

/// The text behind `key` in `lang`.
pub fn text(lang: Lang, key: &str) -> String {
    LOCALES.lookup(&langid(lang), key)
}

/// The text behind `key`, or `None` where no language has it.
pub fn try_text(lang: Lang, key: &str) -> Option<String> {
    LOCALES.try_lookup(&langid(lang), key)
}

/// The text behind `key` with `$count` as a number, so the text can
/// choose between one and many.
pub fn count_text(lang: Lang, key: &str, count: u64) -> String {
    let args = HashMap::from([(Cow::Borrowed("count"), FluentValue::from(count))]);
    LOCALES.lookup_with_args(&langid(lang), key, &args)
}

/// The text behind `key` with numbers as named arguments, so the text can
/// choose between one and many for each.
pub fn text_with_numbers(lang: Lang, key: &str, args: &[(&'static str, i64)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(*value)))
        .collect();
    LOCALES.lookup_with_args(&langid(lang), key, &args)
}

/// The text behind `key` with named arguments filled in.
pub fn text_with(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone())))
        .collect();
    LOCALES.lookup_with_args(&langid(lang), key, &args)
}

/// Registers `t(key=..., lang=...)` on a Tera instance.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function(
        "t",
        fluent_templates::FluentLoader::new(&*LOCALES).with_default_lang(langid!("nl")),
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn message_ids(lang: &str) -> BTreeSet<String> {
        let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut ids = BTreeSet::new();
        for entry in std::fs::read_dir(dir).expect("locale folder") {
            let source = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl file");
            for line in source.lines() {
                let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
                if let (true, Some((id, _))) = (starts_message, line.split_once('=')) {
                    ids.insert(id.trim().to_owned());
                }
            }
        }
        ids
    }

    #[test]
    fn every_key_exists_in_dutch_and_english() {
        let nl = message_ids("nl");
        let en = message_ids("en");
        assert!(nl.len() > 50, "the Dutch texts were not found");
        let missing_en: Vec<_> = nl.difference(&en).collect();
        let missing_nl: Vec<_> = en.difference(&nl).collect();
        assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
        assert!(missing_nl.is_empty(), "missing in Dutch: {missing_nl:?}");
    }

    fn template_keys(dir: &std::path::Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("templates folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                template_keys(&path, found);
            } else if let Ok(source) = std::fs::read_to_string(&path) {
                // Literal keys only: t(key="...") or t(key='...'); built keys
                // ("status-" ~ x) are covered by the pages' own tests.
                for quote in ['"', '\''] {
                    let pattern = format!("t(key={quote}");
                    for (start, _) in source.match_indices(&pattern) {
                        let rest = &source[start + pattern.len()..];
                        if let Some(end) = rest.find(quote) {
                            let key = &rest[..end];
                            let closed = rest[end + 1..].trim_start().starts_with([',', ')']);
                            if closed && !key.ends_with('-') {
                                found.insert(key.to_owned());
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_key_a_template_uses_exists() {
        let mut used = BTreeSet::new();
        template_keys(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut used,
        );
        assert!(used.len() > 100, "template keys were not found");
        let nl = message_ids("nl");
        let missing: Vec<_> = used.difference(&nl).collect();
        assert!(
            missing.is_empty(),
            "used in templates but not translated: {missing:?}"
        );
    }

    #[test]
    fn arguments_are_filled_in() {
        let line = text_with(Lang::En, "thanks-waitlisted", &[("position", "3".into())]);
        assert!(line.contains('3'), "{line}");
    }
}
