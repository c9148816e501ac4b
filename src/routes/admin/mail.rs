use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use super::{page_at, query_value, render, Page, Pages};
use crate::auth::Organiser;
use crate::domain::{Email, Lang};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::services::mail_log::{self, MailFilter, MailRow};
use crate::services::Services;

/// The mail log's filters and page, as the query string carries them.
#[derive(Debug, Default, Clone, rocket::FromForm, Serialize)]
pub(super) struct MailQuery {
    failed: bool,
    /// One recipient's mails.
    #[field(default = String::new())]
    to: String,
    after: Option<String>,
    before: Option<String>,
}

impl MailQuery {
    fn filter(&self) -> Result<MailFilter, AppError> {
        let recipient = match self.to.trim() {
            "" => None,
            typed => Some(
                Email::parse(typed)
                    .map_err(|e| AppError::Validation([("to", e)].into()))?
                    .as_str()
                    .to_owned(),
            ),
        };
        Ok(MailFilter {
            failed_only: self.failed,
            recipient,
        })
    }

    /// The log's address with these filters, at `after` or `before`.
    fn link(&self, after: Option<i64>, before: Option<i64>) -> String {
        let mut link = format!("/admin/mail?to={}", query_value(self.to.trim()));
        if self.failed {
            link.push_str("&failed=true");
        }
        match (after, before) {
            (Some(key), _) => link + &format!("&after={key}"),
            (None, Some(key)) => link + &format!("&before={key}"),
            (None, None) => link,
        }
    }
}

#[derive(Serialize)]
struct MailPage {
    mails: Vec<MailRow>,
    filter: MailQuery,
    pages: Pages,
}

#[rocket::get("/admin/mail?<query..>")]
async fn log(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    query: MailQuery,
) -> Result<Page, AppError> {
    let at = page_at(query.after.as_deref(), query.before.as_deref())?;
    let window = mail_log::list(services, &query.filter()?, &at).await?;
    let link = |after, before| query.link(after, before);
    let pages = Pages::around(&at, &window, link);
    render(
        services,
        "admin/mail.html.tera",
        lang,
        &staff,
        &csrf,
        MailPage {
            mails: window.rows,
            filter: query,
            pages,
        },
    )
}

#[rocket::post("/admin/mail/<id>/resend", data = "<_form>")]
async fn resend(
    services: &State<Services>,
    staff: Organiser,
    id: i64,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    mail_log::resend(services, id, &staff.email).await?;
    Ok(Redirect::to(uri!("/admin/mail")))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![log, resend]
}
