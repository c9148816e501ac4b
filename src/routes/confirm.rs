//! The page before an action that cannot be undone (cancelling, calling
//! off, erasing): what will happen and to how many people, a red button
//! that posts the action, and a way back. Works without JavaScript.
use rocket::http::Status;
use serde::Serialize;

use crate::domain::Lang;
use crate::error::AppError;
use crate::http::{page, CsrfToken, Page};
use crate::services::Services;

/// What one confirmation page says, already in the reader's language.
#[derive(Serialize)]
pub struct Confirm {
    pub title: String,
    /// Label and value of what the action is about (name, meeting, ...).
    pub facts: Vec<(String, String)>,
    pub consequence: String,
    /// A text the person may add, sent with what the button does.
    pub message: Option<MessageField>,
    pub button: String,
    /// Where the button posts.
    pub action: String,
    /// Where "No, go back" leads.
    pub back: String,
}

/// The one optional text field of a confirmation page (`message`).
#[derive(Serialize)]
pub struct MessageField {
    pub label: String,
    pub hint: String,
    /// As typed, when the page is shown again.
    pub value: String,
    pub error: Option<String>,
}

#[derive(Serialize)]
struct PublicConfirm<'a> {
    lang: &'static str,
    csrf: &'a str,
    #[serde(flatten)]
    confirm: Confirm,
}

/// The public confirmation page (`confirm.html.tera`).
pub fn public_page(
    services: &Services,
    lang: Lang,
    csrf: &CsrfToken,
    confirm: Confirm,
) -> Result<Page, AppError> {
    let context = PublicConfirm {
        lang: lang.code(),
        csrf: &csrf.0,
        confirm,
    };
    Ok(page(
        Status::Ok,
        services.views.render("confirm.html.tera", &context)?,
    ))
}
