//! Pilots in the back office: the list with where each stands, the form
//! to make or edit one, and the buttons that open, close, archive and bring
//! one back.
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::request::FromParam;
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;

use super::{render_with, Page};
use crate::auth::{Programme, Staff};
use crate::domain::{Category, FieldErrors, Lang, NewPilot, PilotInput, PilotStatus};
use crate::error::{field_messages, AppError};
use crate::http::params::SlugParam;
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::services::pilot_admin::{self, AdminPilotRow, Move};
use crate::services::sectors::{self, SectorView};
use crate::services::Services;

#[derive(Serialize)]
struct ListPage {
    pilots: Vec<AdminPilotRow>,
    notice: Option<String>,
}

async fn list_page(
    services: &Services,
    status: Status,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    notice: Option<String>,
) -> Result<Page, AppError> {
    let pilots = pilot_admin::list_all(services, lang).await?;
    render_with(
        services,
        status,
        "admin/pilots.html.tera",
        lang,
        staff,
        csrf,
        ListPage { pilots, notice },
    )
}

#[rocket::get("/admin/pilots")]
async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    list_page(services, Status::Ok, lang, &staff, &csrf, None).await
}

#[derive(Debug, Default, rocket::FromForm)]
struct PilotForm {
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
    category: String,
    #[field(default = String::new())]
    places: String,
    #[field(default = String::new())]
    opens: String,
    #[field(default = String::new())]
    closes: String,
    /// One per ticked box.
    sectors: Vec<String>,
}

impl PilotForm {
    fn input(&self) -> PilotInput {
        PilotInput {
            slug: self.slug.clone(),
            title_nl: self.title_nl.clone(),
            title_en: self.title_en.clone(),
            description_nl: self.description_nl.clone(),
            description_en: self.description_en.clone(),
            category: self.category.clone(),
            places: self.places.clone(),
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            sectors: self.sectors.clone(),
        }
    }
}

#[derive(Serialize)]
struct FormPage {
    /// `None` for a new pilot.
    editing: Option<String>,
    status: Option<PilotStatus>,
    form: PilotInput,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
    categories: Vec<&'static str>,
    sectors: Vec<SectorView>,
}

impl FormPage {
    fn new(
        lang: Lang,
        editing: Option<(String, PilotStatus)>,
        form: PilotInput,
        errors: &FieldErrors,
        notice: Option<String>,
    ) -> Self {
        let (editing, status) = editing.unzip();
        FormPage {
            editing,
            status,
            form,
            errors: field_messages(errors, lang),
            notice,
            categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
            sectors: sectors::list(lang)
                .into_iter()
                .filter(|s| s.group.is_public())
                .collect(),
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
        "admin/pilot_form.html.tera",
        lang,
        staff,
        csrf,
        page,
    )
}

#[rocket::get("/admin/pilots/new")]
fn new_form(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let blank = PilotInput {
        places: "15".into(),
        sectors: crate::domain::PilotSectors::all_public()
            .codes()
            .map(str::to_owned)
            .collect(),
        ..Default::default()
    };
    let page = FormPage::new(lang, None, blank, &FieldErrors::new(), None);
    form_page(services, Status::Ok, lang, &staff, &csrf, page)
}

/// Saves a new pilot (`editing` is `None`) or an edit, or shows the form
/// again, filled in, with what is wrong.
async fn save(
    services: &Services,
    lang: Lang,
    staff: &Staff,
    csrf: &CsrfToken,
    editing: Option<&str>,
    form: &PilotForm,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let input = form.input();
    let editing_status = match editing {
        Some(slug) => Some((
            slug.to_owned(),
            pilot_admin::edit_input(services, slug).await?.1,
        )),
        None => None,
    };
    let refused = |status: Status, errors: &FieldErrors, notice: Option<String>| {
        let page = FormPage::new(lang, editing_status.clone(), input.clone(), errors, notice);
        form_page(services, status, lang, staff, csrf, page).map(Err)
    };
    let new = match NewPilot::parse(&input) {
        Ok(new) => new,
        Err(errors) => {
            let notice = crate::i18n::text(lang, "form-has-errors");
            return refused(Status::UnprocessableEntity, &errors, Some(notice));
        }
    };
    let saved = match editing {
        None => pilot_admin::create(services, new, &staff.email).await,
        Some(slug) => pilot_admin::update(services, slug, new, &staff.email).await,
    };
    match saved {
        Ok(slug) => Ok(Ok(super::saved(
            Redirect::to(uri!(edit_form(slug))),
            "saved-pilot",
        ))),
        Err(e @ AppError::Conflict(key)) => {
            let field = match key {
                "error-pilot-slug-taken" => "slug",
                _ => "places",
            };
            let errors = [(field, crate::domain::ParseError(conflict_code(key)))].into();
            refused(e.status(), &errors, Some(e.message(lang)))
        }
        Err(e) => Err(e),
    }
}

/// The field message (`field-error-<code>`) that goes with a refusal.
fn conflict_code(key: &str) -> &'static str {
    match key {
        "error-pilot-slug-taken" => "slug-taken",
        _ => "places-below-accepted",
    }
}

#[rocket::post("/admin/pilots/new", data = "<form>")]
async fn create(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    form: CsrfForm<PilotForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    save(services, lang, &staff, &csrf, None, &form).await
}

#[rocket::get("/admin/pilots/<slug>/edit")]
async fn edit_form(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    let (input, status) = pilot_admin::edit_input(services, &slug).await?;
    let editing = Some((slug.as_str().to_owned(), status));
    let page = FormPage::new(lang, editing, input, &FieldErrors::new(), None);
    form_page(services, Status::Ok, lang, &staff, &csrf, page)
}

#[rocket::post("/admin/pilots/<slug>/edit", data = "<form>")]
async fn update(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<PilotForm>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    save(services, lang, &staff, &csrf, Some(&slug), &form).await
}

/// The list's buttons; any other word is a 404.
struct MoveParam(Move);

impl<'a> FromParam<'a> for MoveParam {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        Move::parse(param).map(MoveParam).ok_or(param)
    }
}

#[rocket::post("/admin/pilots/<slug>/<wanted>", data = "<_form>", rank = 2)]
async fn change(
    services: &State<Services>,
    lang: Lang,
    staff: Programme,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    wanted: MoveParam,
    _form: CsrfForm<Button>,
) -> Result<Result<Flash<Redirect>, Page>, AppError> {
    let saved = match wanted.0 {
        Move::Open => "saved-pilot-opened",
        Move::Close => "saved-pilot-closed",
        Move::Archive => "saved-pilot-archived",
        Move::Restore => "saved-pilot-restored",
    };
    match pilot_admin::change(services, &slug, wanted.0, &staff.email).await {
        Ok(_) => Ok(Ok(super::saved(Redirect::to(uri!(list)), saved))),
        Err(e @ AppError::Conflict(_)) => list_page(
            services,
            e.status(),
            lang,
            &staff,
            &csrf,
            Some(e.message(lang)),
        )
        .await
        .map(Err),
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, new_form, create, edit_form, update, change]
}
