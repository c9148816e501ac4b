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
        crate::i18n::register(&mut tera);
        Ok(Self(Arc::new(tera)))
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, tera::Error> {
        self.0.render(name, &Context::from_serialize(context)?)
    }
}
