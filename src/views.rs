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
        Ok(Self(Arc::new(tera)))
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, tera::Error> {
        self.0.render(name, &Context::from_serialize(context)?)
    }
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
