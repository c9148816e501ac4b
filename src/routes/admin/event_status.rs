//! The overview's buttons that change where a meeting stands: publish,
//! close and reopen registration, and call off (after a page that says
//! who will be mailed, with room for the organiser's message).
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FromParam;
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};

use super::Page;
use crate::auth::Organiser;
use crate::domain::{EventStatus, FieldErrors, Lang, OptionalText};
use crate::error::{field_messages, AppError};
use crate::http::params::SlugParam;
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::i18n::{text, text_with_numbers};
use crate::routes::confirm::{Confirm, MessageField};
use crate::services::event_admin::{self, Change};
use crate::services::Services;

/// The buttons that change nothing but where the event stands; any other
/// word is a 404 (calling off has its own form).
struct ChangeParam(Change);

impl<'a> FromParam<'a> for ChangeParam {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        match param {
            "publish" => Ok(ChangeParam(Change::Publish)),
            "close" => Ok(ChangeParam(Change::CloseRegistration)),
            "reopen" => Ok(ChangeParam(Change::ReopenRegistration)),
            other => Err(other),
        }
    }
}

/// Calling a meeting off mails everyone who signed up and cannot be
/// undone: first a page that says so, with how many people it reaches.
#[rocket::get("/admin/events/<slug>/cancel")]
async fn confirm_call_off(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    call_off_page(services, lang, &staff, &csrf, &slug, "", None).await
}

/// The call-off page, with the message as typed and what is wrong with it.
async fn call_off_page(
    services: &Services,
    lang: Lang,
    staff: &Organiser,
    csrf: &CsrfToken,
    slug: &str,
    typed: &str,
    error: Option<String>,
) -> Result<Page, AppError> {
    let event = event_admin::row(services, slug).await?;
    if event.status == EventStatus::Cancelled {
        return Err(AppError::Conflict("error-event-cancelled"));
    }
    let status = match error {
        Some(_) => Status::UnprocessableEntity,
        None => Status::Ok,
    };
    let confirm = Confirm {
        title: format!("{}: {}", text(lang, "admin-call-off-title"), event.title),
        facts: vec![
            (text(lang, "admin-call-off-meeting"), event.title.clone()),
            (text(lang, "event-when"), event.starts.clone()),
        ],
        consequence: text_with_numbers(
            lang,
            "admin-call-off-consequence",
            &[
                ("confirmed", event.confirmed),
                ("waitlisted", event.waitlisted),
            ],
        ),
        message: Some(MessageField {
            label: text(lang, "admin-call-off-message"),
            hint: text(lang, "admin-call-off-message-hint"),
            value: typed.to_owned(),
            error,
        }),
        button: text(lang, "admin-call-off-confirm"),
        action: format!("/admin/events/{}/cancel", event.slug),
        back: uri!(super::events::overview).to_string(),
    };
    super::render_with(
        services,
        status,
        "admin/confirm.html.tera",
        lang,
        staff,
        csrf,
        confirm,
    )
}

#[derive(FromForm)]
struct CallOffForm {
    #[field(default = String::new())]
    message: String,
}

#[rocket::post("/admin/events/<slug>/cancel", data = "<form>")]
async fn call_off(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<CallOffForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let message = match OptionalText::<2000>::parse(&form.message) {
        Ok(message) => message.into_inner(),
        Err(error) => {
            let mut errors = FieldErrors::new();
            errors.insert("message", error);
            let error = field_messages(&errors, lang).remove("message");
            return call_off_page(services, lang, &staff, &csrf, &slug, &form.message, error)
                .await
                .map(Err);
        }
    };
    event_admin::change(services, &slug, Change::CallOff { message }, &staff.email).await?;
    Ok(Ok(super::saved(
        Redirect::to(uri!(super::events::overview)),
        "saved-call-off",
    )))
}

#[rocket::post("/admin/events/<slug>/<change>", data = "<_form>", rank = 2)]
async fn change(
    services: &State<Services>,
    staff: Organiser,
    slug: SlugParam<'_>,
    change: ChangeParam,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    let saved = match change.0 {
        Change::Publish => "saved-published",
        Change::CloseRegistration => "saved-registration-closed",
        _ => "saved-registration-reopened",
    };
    event_admin::change(services, &slug, change.0, &staff.email).await?;
    Ok(super::saved(
        Redirect::to(uri!(super::events::overview)),
        saved,
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![confirm_call_off, call_off, change]
}
