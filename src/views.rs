//! One Tera instance for pages and mails: autoescaping on, strict about
//! undefined variables, with the `t` translation function.
use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Tera};

#[derive(Clone)]
pub struct Views(Arc<Tera>);

impl Views {
    pub fn load(template_dir: &str) -> Result<Self, tera::Error> {
        let mut tera = Tera::new(&format!("{template_dir}/**/*.tera"))?;
        // Mail subjects and text bodies are not HTML: only .html is escaped.
        tera.autoescape_on(vec![".html.tera"]);
        tera.set_escape_fn(escape_html);
        crate::i18n::register(&mut tera);
        tera.register_filter("decimal", decimal_filter);
        let stylesheet = tera::Value::String(stylesheet_url());
        tera.register_function(
            "stylesheet",
            move |_: &std::collections::HashMap<String, tera::Value>| Ok(stylesheet.clone()),
        );
        Ok(Self(Arc::new(tera)))
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, tera::Error> {
        self.0.render(name, &Context::from_serialize(context)?)
    }
}

/// The stylesheet's address with a version taken from its content, so it
/// can be cached for a year (`routes::protection`) and a new release is
/// fetched at once.
pub fn stylesheet_url() -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(include_bytes!("../static/style.css"));
    let version: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("/static/style.css?v={version}")
}

/// `{{ x | decimal(lang=lang, places=1) }}`: a number (or a number in
/// text) as the reader writes it, "12,5" in Dutch.
fn decimal_filter(
    value: &tera::Value,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let number = match value {
        tera::Value::Number(n) => n.as_f64(),
        tera::Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
    .ok_or_else(|| tera::Error::msg(format!("decimal: {value} is not a number")))?;
    let lang = args
        .get("lang")
        .and_then(|l| l.as_str())
        .and_then(crate::domain::Lang::from_code)
        .unwrap_or(crate::domain::Lang::Nl);
    let places = args.get("places").and_then(|p| p.as_u64()).unwrap_or(1);
    Ok(tera::Value::String(crate::format::decimal(
        number,
        usize::try_from(places).unwrap_or(1),
        lang,
    )))
}

/// Escapes what HTML needs escaped and nothing more, so links in mails stay
/// readable (Tera's default also escapes `/`).
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_is_escaped_but_slashes_are_not() {
        assert_eq!(
            super::escape_html(r#"<script>"x" & 'y' https://a/b"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27; https://a/b"
        );
    }
}
