use crate::http::params::SlugParam;
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;

use super::{render_with, Page};
use crate::auth::{Organiser, Staff};
use crate::domain::{EventInput, FieldErrors, Lang, NewEvent};
use crate::error::{field_messages, AppError};
use crate::http::{CsrfForm, CsrfToken};
use crate::i18n::{text, text_with_numbers};
use crate::services::event_admin::{self, Notify, Updated};
use crate::services::registrations::{meeting_changes, ChangeLine, Meeting, Reach};
use crate::services::Services;

#[derive(Debug, Default, rocket::FromForm)]
struct EventForm {
    #[field(default = String::new())]
    slug: String,
    #[field(default = String::new())]
    title_nl: String,
    #[field(default = String::new())]
    title_en: String,
    #[field(default = String::new())]
    description_nl: String,
    #[field(default = String::new())]
    description_en: String,
    #[field(default = String::new())]
    location: String,
    #[field(default = String::new())]
    date: String,
    #[field(default = String::new())]
    start_time: String,
    #[field(default = String::new())]
    end_time: String,
    #[field(default = String::new())]
    capacity: String,
    #[field(default = false)]
    waitlist: bool,
    #[field(default = false)]
    public_sector_only: bool,
    #[field(default = String::new())]
    reminder_days: String,
    #[field(default = String::new())]
    registration_opens: String,
    #[field(default = String::new())]
    registration_closes: String,
    #[field(default = String::new())]
    confirmation_note_nl: String,
    #[field(default = String::new())]
    confirmation_note_en: String,
    /// The organiser's answer on the page that asks whether to tell the
    /// people of a moved meeting: `everyone`, `nobody`, or `edit` (back
    /// to the form); absent on the form itself.
    notify: Option<String>,
}

impl EventForm {
    fn input(&self) -> EventInput {
        EventInput {
            slug: self.slug.clone(),
            title_nl: self.title_nl.clone(),
            title_en: self.title_en.clone(),
            description_nl: self.description_nl.clone(),
            description_en: self.description_en.clone(),
            location: self.location.clone(),
            date: self.date.clone(),
            start_time: self.start_time.clone(),
            end_time: self.end_time.clone(),
            capacity: self.capacity.clone(),
            waitlist: self.waitlist,
            public_sector_only: self.public_sector_only,
            reminder_days: self.reminder_days.clone(),
            registration_opens: self.registration_opens.clone(),
            registration_closes: self.registration_closes.clone(),
            confirmation_note_nl: self.confirmation_note_nl.clone(),
            confirmation_note_en: self.confirmation_note_en.clone(),
        }
    }
}

#[derive(Serialize)]
struct FormPage {
    /// `None` for a new event.
    editing: Option<String>,
    form: EventInput,
    errors: BTreeMap<&'static str, String>,
    /// What the form should know about a field's value (a time that
    /// occurs twice that day), per field.
    notes: BTreeMap<&'static str, String>,
    notice: Option<String>,
    /// What the form is for, when that is not obvious (a copy).
    info: Option<String>,
}

impl FormPage {
    fn new(
        lang: Lang,
        editing: Option<String>,
        form: EventInput,
        errors: &FieldErrors,
        notice: Option<String>,
    ) -> Self {
        let notes = form
            .times_that_occur_twice()
            .into_iter()
            .map(|field| (field, text(lang, "field-note-time-occurs-twice")))
            .collect();
        FormPage {
            editing,
            form,
            errors: field_messages(errors, lang),
            notes,
            notice,
            info: None,
        }
    }
}

fn form_page(
    services: &Services,
    status: Status,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    page: FormPage,
) -> Result<Page, AppError> {
    render_with(
        services,
        status,
        "admin/event_form.html.tera",
        lang,
        staff,
        csrf,
        page,
    )
}

#[rocket::get("/admin/events/new")]
fn new_form(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let blank = EventInput {
        waitlist: true,
        reminder_days: "2".into(),
        ..Default::default()
    };
    form_page(
        services,
        Status::Ok,
        lang,
        &staff,
        &csrf,
        FormPage::new(lang, None, blank, &FieldErrors::new(), None),
    )
}

/// Saves a new event (`editing` is `None`) or an edit, or shows the form
/// again, filled in, with what is wrong.
async fn save(
    services: &Services,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    editing: Option<&str>,
    form: &EventForm,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let input = form.input();
    let shown = |errors: &FieldErrors, notice: Option<String>| {
        FormPage::new(
            lang,
            editing.map(str::to_owned),
            input.clone(),
            errors,
            notice,
        )
    };
    let new = match NewEvent::parse(&input) {
        Ok(new) => new,
        Err(errors) => {
            let page = shown(&errors, None);
            return form_page(
                services,
                Status::UnprocessableEntity,
                lang,
                staff,
                csrf,
                page,
            )
            .map(Err);
        }
    };
    let notify = match form.notify.as_deref() {
        Some("everyone") => Notify::Everyone,
        Some("nobody") => Notify::Nobody,
        Some("edit") => {
            let page = shown(&FieldErrors::new(), None);
            return form_page(services, Status::Ok, lang, staff, csrf, page).map(Err);
        }
        _ => Notify::Ask,
    };
    let saved = match editing {
        None => event_admin::create(services, new, &staff.email)
            .await
            .map(|slug| Updated::Saved {
                slug,
                notified: false,
            }),
        Some(slug) => event_admin::update(services, slug, new, &staff.email, notify).await,
    };
    match saved {
        Ok(Updated::Saved { slug, notified }) => {
            let key = match (notify, notified) {
                (_, true) => "saved-event-notified",
                (Notify::Nobody, _) => "saved-event-quietly",
                _ => "saved-event",
            };
            Ok(Ok(super::saved(Redirect::to(uri!(edit_form(slug))), key)))
        }
        Ok(Updated::Ask {
            reach,
            before,
            after,
        }) => {
            let slug = editing.unwrap_or_default().to_owned();
            let page = MovePage::new(lang, slug, input.clone(), reach, &before, &after);
            render_with(
                services,
                Status::Ok,
                "admin/event_move.html.tera",
                lang,
                staff,
                csrf,
                page,
            )
            .map(Err)
        }
        Err(e @ AppError::Conflict(_)) => {
            let page = shown(&FieldErrors::new(), Some(e.message(lang)));
            form_page(services, e.status(), lang, staff, csrf, page).map(Err)
        }
        Err(e) => Err(e),
    }
}

/// A new meeting with every setting of `slug` but its date and
/// registration period, for series such as a yearly partner day. It is
/// the new-event form, filled in: saving makes a draft as usual.
#[rocket::get("/admin/events/<slug>/copy")]
async fn copy_form(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    let source = event_admin::edit_input(services, &slug).await?;
    let copy = EventInput {
        slug: format!("{}-kopie", source.slug),
        date: String::new(),
        registration_opens: String::new(),
        registration_closes: String::new(),
        ..source
    };
    let mut page = FormPage::new(lang, None, copy, &FieldErrors::new(), None);
    page.info = Some(text(lang, "admin-copy-notice"));
    form_page(services, Status::Ok, lang, &staff, &csrf, page)
}

/// The question before a move that mails people: what changes, who is
/// told, and the form's fields again to post with the answer.
#[derive(Serialize)]
struct MovePage {
    title: String,
    editing: String,
    form: EventInput,
    changes: Vec<ChangeLine>,
    consequence: String,
}

impl MovePage {
    fn new(
        lang: Lang,
        editing: String,
        form: EventInput,
        reach: Reach,
        before: &Meeting,
        after: &Meeting,
    ) -> Self {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        MovePage {
            title: format!("{}: {}", text(lang, "admin-move-title"), form.title_nl),
            editing,
            changes: meeting_changes(before, after, lang),
            consequence: text_with_numbers(
                lang,
                "admin-move-consequence",
                &[
                    ("confirmed", count(reach.confirmed)),
                    ("waitlisted", count(reach.waitlisted)),
                ],
            ),
            form,
        }
    }
}

#[rocket::post("/admin/events/new", data = "<form>")]
async fn create(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    form: CsrfForm<EventForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    save(services, lang, &staff, &csrf, None, &form).await
}

#[rocket::get("/admin/events/<slug>/edit")]
async fn edit_form(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    let input = event_admin::edit_input(services, &slug).await?;
    let page = FormPage::new(
        lang,
        Some(slug.as_str().to_owned()),
        input,
        &FieldErrors::new(),
        None,
    );
    form_page(services, Status::Ok, lang, &staff, &csrf, page)
}

#[rocket::post("/admin/events/<slug>/edit", data = "<form>")]
async fn update(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<EventForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    save(services, lang, &staff, &csrf, Some(&slug), &form).await
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_form, copy_form, create, edit_form, update]
}
