//! Organisers write to a meeting's people: compose, preview (with how many
//! it reaches), send through the outbox; the meeting lists what was sent.
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;

use super::{render_with, Page};
use crate::auth::Organiser;
use crate::domain::{Audience, FieldErrors, Lang, MessageDraft};
use crate::error::{field_messages, AppError};
use crate::http::params::SlugParam;
use crate::http::{CsrfForm, CsrfToken};
use crate::services::event_messages::{self, SentMessage};
use crate::services::events::{self, EventView};
use crate::services::Services;

#[derive(Debug, Default, Clone, rocket::FromForm, Serialize)]
struct MessageForm {
    #[field(default = String::new())]
    audience: String,
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    body: String,
}

#[derive(Serialize)]
struct AudienceChoice {
    name: Audience,
    count: usize,
}

#[derive(Serialize)]
struct MessagesPage {
    event: EventView,
    audiences: Vec<AudienceChoice>,
    form: MessageForm,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    /// Set on the preview: how many the message will reach.
    preview: Option<usize>,
    sent: Vec<SentMessage>,
}

struct Shown {
    status: Status,
    form: MessageForm,
    errors: FieldErrors,
    notice: Option<String>,
    preview: bool,
}

impl Shown {
    fn compose(form: MessageForm) -> Self {
        Shown {
            status: Status::Ok,
            form,
            errors: FieldErrors::new(),
            notice: None,
            preview: false,
        }
    }
}

async fn page(
    services: &Services,
    lang: Lang,
    staff: &Organiser,
    csrf: &CsrfToken,
    slug: &str,
    shown: Shown,
) -> Result<Page, AppError> {
    let event = events::by_slug_for_staff(&services.db, slug, lang).await?;
    let sizes = event_messages::audience_sizes(services, event.id).await?;
    let preview = match shown.preview {
        true => sizes
            .iter()
            .find(|(a, _)| a.as_str() == shown.form.audience)
            .map(|(_, n)| *n),
        false => None,
    };
    let sent = event_messages::sent(services, event.id).await?;
    let data = MessagesPage {
        event,
        audiences: sizes
            .into_iter()
            .map(|(name, count)| AudienceChoice { name, count })
            .collect(),
        form: shown.form,
        errors: field_messages(&shown.errors, lang),
        notice: shown.notice,
        preview,
        sent,
    };
    render_with(
        services,
        shown.status,
        "admin/messages.html.tera",
        lang,
        staff,
        csrf,
        data,
    )
}

#[rocket::get("/admin/events/<slug>/messages")]
async fn compose(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    let blank = MessageForm {
        audience: Audience::Confirmed.as_str().to_owned(),
        ..MessageForm::default()
    };
    page(services, lang, &staff, &csrf, &slug, Shown::compose(blank)).await
}

/// The message as it will read and how many it reaches, before anything
/// is sent; or the form again with what is wrong.
#[rocket::post("/admin/events/<slug>/messages/preview", data = "<form>")]
async fn preview(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<MessageForm>,
) -> Result<Page, AppError> {
    let CsrfForm(form) = form;
    let shown = match MessageDraft::parse(&form.audience, &form.subject, &form.body) {
        Ok(_) => Shown {
            preview: true,
            ..Shown::compose(form)
        },
        Err(errors) => Shown {
            status: Status::UnprocessableEntity,
            errors,
            ..Shown::compose(form)
        },
    };
    page(services, lang, &staff, &csrf, &slug, shown).await
}

/// Back from the preview to the form, filled in.
#[rocket::post("/admin/events/<slug>/messages/edit", data = "<form>")]
async fn edit(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<MessageForm>,
) -> Result<Page, AppError> {
    let CsrfForm(form) = form;
    page(services, lang, &staff, &csrf, &slug, Shown::compose(form)).await
}

#[rocket::post("/admin/events/<slug>/messages", data = "<form>")]
async fn send(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<MessageForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let CsrfForm(form) = form;
    let refused = match MessageDraft::parse(&form.audience, &form.subject, &form.body) {
        Ok(draft) => match event_messages::send(services, &slug, &draft, &staff.email).await {
            Ok(_) => {
                let to = Redirect::to(uri!(compose(&slug)));
                return Ok(Ok(super::saved(to, "saved-message")));
            }
            Err(err @ AppError::Conflict(_)) => Shown {
                status: err.status(),
                notice: Some(err.message(lang)),
                ..Shown::compose(form)
            },
            Err(err) => return Err(err),
        },
        Err(errors) => Shown {
            status: Status::UnprocessableEntity,
            errors,
            ..Shown::compose(form)
        },
    };
    page(services, lang, &staff, &csrf, &slug, refused)
        .await
        .map(Err)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![compose, preview, edit, send]
}
