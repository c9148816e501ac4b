use std::collections::BTreeMap;

use rocket::form::Form;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;

use super::{render, CsrfOnly, Html};
use crate::auth::{csrf, CsrfToken, Role, Staff};
use crate::domain::{EventInput, FieldErrors, Lang, NewEvent};
use crate::error::{field_messages, AppError};
use crate::services::event_admin::{self, Change};
use crate::services::Services;

#[derive(Debug, Default, rocket::FromForm)]
struct EventForm {
    #[field(default = String::new())]
    csrf: String,
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
        }
    }
}

#[derive(Serialize)]
struct FormPage {
    /// `None` for a new event.
    editing: Option<String>,
    form: EventInput,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
}

impl FormPage {
    fn new(
        lang: Lang,
        editing: Option<String>,
        form: EventInput,
        errors: &FieldErrors,
        notice: Option<String>,
    ) -> Self {
        FormPage {
            editing,
            form,
            errors: field_messages(errors, lang),
            notice,
        }
    }
}

fn form_page(
    services: &Services,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    page: FormPage,
) -> Result<Html, AppError> {
    render(
        services,
        "admin/event_form.html.tera",
        lang,
        staff,
        csrf,
        page,
    )
}

fn with_status(html: Html, status: Status) -> Html {
    (status, html.1)
}

#[rocket::get("/admin/events/new")]
fn new_form(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
) -> Result<Html, AppError> {
    staff.require(&[Role::Organiser])?;
    let blank = EventInput {
        waitlist: true,
        reminder_days: "2".into(),
        ..Default::default()
    };
    form_page(
        services,
        lang,
        &staff,
        &csrf,
        FormPage::new(lang, None, blank, &FieldErrors::new(), None),
    )
}

#[rocket::post("/admin/events/new", data = "<form>")]
async fn create(
    services: &State<Services>,
    lang: Lang,
    jar: &CookieJar<'_>,
    staff: Staff,
    csrf_token: CsrfToken,
    form: Form<EventForm>,
) -> Result<Result<Redirect, Html>, AppError> {
    staff.require(&[Role::Organiser])?;
    csrf::verify(jar, &form.csrf)?;
    let input = form.input();
    let new = match NewEvent::parse(&input) {
        Ok(new) => new,
        Err(errors) => {
            let page = form_page(
                services,
                lang,
                &staff,
                &csrf_token,
                FormPage::new(lang, None, input, &errors, None),
            )?;
            return Ok(Err(with_status(page, Status::UnprocessableEntity)));
        }
    };
    match event_admin::create(services, new, &staff.email).await {
        Ok(created) => Ok(Ok(Redirect::to(format!(
            "/admin/events/{}/edit",
            created.slug
        )))),
        Err(e @ AppError::Conflict(_)) => {
            let page = form_page(
                services,
                lang,
                &staff,
                &csrf_token,
                FormPage::new(
                    lang,
                    None,
                    input,
                    &FieldErrors::new(),
                    Some(e.message(lang)),
                ),
            )?;
            Ok(Err(with_status(page, e.status())))
        }
        Err(e) => Err(e),
    }
}

#[rocket::get("/admin/events/<slug>/edit")]
async fn edit_form(
    services: &State<Services>,
    lang: Lang,
    staff: Staff,
    csrf: CsrfToken,
    slug: &str,
) -> Result<Html, AppError> {
    staff.require(&[Role::Organiser])?;
    let event = event_admin::find(services, slug).await?;
    let input = event_admin::input_of(&event);
    form_page(
        services,
        lang,
        &staff,
        &csrf,
        FormPage::new(
            lang,
            Some(slug.to_owned()),
            input,
            &FieldErrors::new(),
            None,
        ),
    )
}

#[rocket::post("/admin/events/<slug>/edit", data = "<form>")]
async fn update(
    services: &State<Services>,
    lang: Lang,
    jar: &CookieJar<'_>,
    staff: Staff,
    csrf_token: CsrfToken,
    slug: &str,
    form: Form<EventForm>,
) -> Result<Result<Redirect, Html>, AppError> {
    staff.require(&[Role::Organiser])?;
    csrf::verify(jar, &form.csrf)?;
    let input = form.input();
    let editing = Some(slug.to_owned());
    let new = match NewEvent::parse(&input) {
        Ok(new) => new,
        Err(errors) => {
            let page = form_page(
                services,
                lang,
                &staff,
                &csrf_token,
                FormPage::new(lang, editing, input, &errors, None),
            )?;
            return Ok(Err(with_status(page, Status::UnprocessableEntity)));
        }
    };
    match event_admin::update(services, slug, new, &staff.email).await {
        Ok(updated) => Ok(Ok(Redirect::to(format!(
            "/admin/events/{}/edit",
            updated.slug
        )))),
        Err(e @ AppError::Conflict(_)) => {
            let page = form_page(
                services,
                lang,
                &staff,
                &csrf_token,
                FormPage::new(
                    lang,
                    editing,
                    input,
                    &FieldErrors::new(),
                    Some(e.message(lang)),
                ),
            )?;
            Ok(Err(with_status(page, e.status())))
        }
        Err(e) => Err(e),
    }
}

#[rocket::post("/admin/events/<slug>/<action>", data = "<form>", rank = 2)]
async fn change(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    staff: Staff,
    slug: &str,
    action: &str,
    form: Form<CsrfOnly>,
) -> Result<Redirect, AppError> {
    staff.require(&[Role::Organiser])?;
    csrf::verify(jar, &form.csrf)?;
    let change = match action {
        "publish" => Change::Publish,
        "close" => Change::CloseRegistration,
        "cancel" => Change::Cancel,
        _ => return Err(AppError::NotFound),
    };
    event_admin::change(services, slug, change, &staff.email).await?;
    Ok(Redirect::to("/admin"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![new_form, create, edit_form, update, change]
}
