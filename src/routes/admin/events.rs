//! Meetings in the back office: the overview, attendee lists and their
//! exports, and changes on someone's behalf. The door is `door.rs`.
use std::collections::BTreeMap;

use crate::http::params::SlugParam;
use rocket::form::{self, FromFormField, ValueField};
use rocket::http::uri::Origin;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, render_with, Page, Pages};
use crate::auth::{Organiser, Reader};
use crate::domain::{FieldErrors, Lang, PageAt, ParseError, RegistrationStatus};
use crate::error::{field_messages, AppError};
use crate::http::{CsrfForm, CsrfToken, Download, ExportFormat};
use crate::i18n::{text, text_with};
use crate::routes::confirm::Confirm;
use crate::routes::forms::SignUpFields;
use crate::services::attendees::{self, AttendeeList, Filter};
use crate::services::event_admin::{self, AdminEventRow};
use crate::services::events::{self, EventView};
use crate::services::{exports, registrations, Services};

#[derive(Serialize)]
struct Overview {
    events: Vec<AdminEventRow>,
}

#[rocket::get("/admin")]
pub(super) async fn overview(
    services: &State<Services>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let events = event_admin::list_all(services).await?;
    render(
        services,
        "admin/overview.html.tera",
        lang,
        &staff,
        &csrf,
        Overview { events },
    )
}

/// The attendee list's filters and page, as the query string carries them.
#[derive(Debug, Default, Clone, rocket::FromForm, rocket::UriDisplayQuery, Serialize)]
pub(super) struct AttendeeQuery {
    #[field(default = String::new())]
    q: String,
    #[field(default = String::new())]
    status: String,
    #[field(default = String::new())]
    sector: String,
    #[field(default = String::new())]
    organisation: String,
    /// The page after (or before) this queue number; parsed by `page`, so
    /// a wrong one is refused rather than read as the first page.
    after: Option<String>,
    before: Option<String>,
}

impl AttendeeQuery {
    fn filter(&self) -> Result<Filter, AppError> {
        Filter::parse(&self.q, &self.status, &self.sector, &self.organisation)
            .map_err(|(field, e)| AppError::Validation([(field, e)].into()))
    }

    fn page(&self) -> Result<PageAt<i64>, AppError> {
        super::page_at(self.after.as_deref(), self.before.as_deref())
    }

    /// The same filters at another place in the list.
    fn at(&self, after: Option<i64>, before: Option<i64>) -> Self {
        AttendeeQuery {
            after: after.map(|key| key.to_string()),
            before: before.map(|key| key.to_string()),
            ..self.clone()
        }
    }
}

#[derive(Serialize)]
struct SectorCount {
    code: String,
    name: String,
    count: u64,
}

#[derive(Serialize)]
struct AttendeesPage {
    sectors: Vec<crate::services::sectors::SectorView>,
    event: EventView,
    list: AttendeeList,
    filter: AttendeeQuery,
    pages: Pages,
    export_csv: String,
    export_xlsx: String,
    /// The add-by-hand form as posted, when it was refused.
    add: Option<SignUpFields>,
    add_errors: BTreeMap<&'static str, String>,
    /// Why the last change (an add, a move) was refused.
    notice: Option<String>,
}

/// A refused change on the attendee list, shown on the list itself.
#[derive(Default)]
struct Refusal {
    add: Option<SignUpFields>,
    errors: FieldErrors,
    notice: Option<String>,
}

#[rocket::get("/admin/events/<slug>/attendees?<query..>")]
async fn attendee_list(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    query: AttendeeQuery,
) -> Result<Page, AppError> {
    let shown = (Status::Ok, Refusal::default());
    attendees_page(services, lang, &staff, &csrf, &slug, query, shown).await
}

async fn attendees_page(
    services: &Services,
    lang: Lang,
    staff: &Organiser,
    csrf: &CsrfToken,
    slug: &str,
    query: AttendeeQuery,
    (status, refusal): (Status, Refusal),
) -> Result<Page, AppError> {
    let event = events::by_slug_for_staff(&services.db, slug, lang).await?;
    let at = query.page()?;
    let list = attendees::list(&services.db, event.id, &query.filter()?, &at).await?;
    let whole = query.at(None, None);
    let link = |after, before| uri!(attendee_list(slug, query.at(after, before))).to_string();
    let page = AttendeesPage {
        sectors: crate::services::sectors::list(lang),
        export_csv: uri!(export(slug, ExportFormat::Csv, &whole)).to_string(),
        export_xlsx: uri!(export(slug, ExportFormat::Xlsx, &whole)).to_string(),
        pages: Pages::around(&at, &list.page, link),
        event,
        list,
        filter: query,
        add: refusal.add,
        add_errors: field_messages(&refusal.errors, lang),
        notice: refusal.notice,
    };
    render_with(
        services,
        status,
        "admin/attendees.html.tera",
        lang,
        staff,
        csrf,
        page,
    )
}

/// Whether a refusal is the organiser's to fix on the list (shown there)
/// rather than a fault of the site.
fn shown_on_the_list(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Duplicate
            | AppError::Full
            | AppError::Closed
            | AppError::Conflict(_)
            | AppError::Ineligible(_)
    )
}

#[derive(Serialize)]
struct SectorsPage {
    event: EventView,
    sectors: Vec<SectorCount>,
}

/// Those coming to a meeting per sector: a page of its own, since it
/// counts every sign-up of the meeting.
#[rocket::get("/admin/events/<slug>/sectors")]
async fn sectors(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
) -> Result<Page, AppError> {
    let event = events::by_slug_for_staff(&services.db, &slug, lang).await?;
    let sectors = attendees::by_sector(&services.db, event.id)
        .await?
        .into_iter()
        .map(|(code, count)| SectorCount {
            name: crate::domain::SectorCode::parse(&code)
                .map(|s| s.name(lang).to_owned())
                .unwrap_or_else(|_| code.clone()),
            code,
            count,
        })
        .collect();
    let page = SectorsPage { event, sectors };
    render(
        services,
        "admin/sectors.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

#[rocket::get("/admin/events/<slug>/attendees/export/<format>?<query..>")]
async fn export(
    services: &State<Services>,
    staff: Organiser,
    slug: SlugParam<'_>,
    format: ExportFormat,
    query: AttendeeQuery,
) -> Result<Download, AppError> {
    let event = events::by_slug_for_staff(&services.db, &slug, Lang::Nl).await?;
    let (rows, sheet, source) = attendees::export(&services.db, event.id, query.filter()?).await?;
    let what = format!("aanmeldingen voor {}", event.title);
    let export = exports::recorded(services, &staff.email, &what, rows, sheet, source).await?;
    Ok(Download::export(
        export,
        &format!("aanmeldingen-{}", event.slug),
        format,
    ))
}

/// Where a back-office form returns to: a path of this site under
/// `/admin`, checked when the form is read, before anything is done.
#[derive(Debug, Default)]
pub(super) struct BackTo(Option<Origin<'static>>);

#[rocket::async_trait]
impl<'v> FromFormField<'v> for BackTo {
    fn default() -> Option<Self> {
        Some(<Self as Default>::default())
    }

    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        let safe = Origin::parse_owned(field.value.to_owned())
            .ok()
            .filter(|uri| uri.path().as_str().starts_with("/admin/") && uri.query().is_none());
        Ok(BackTo(safe))
    }
}

impl BackTo {
    fn redirect(self) -> Redirect {
        match self.0 {
            Some(uri) => Redirect::to(uri),
            None => Redirect::to(uri!(overview)),
        }
    }
}

#[derive(Debug, Default, rocket::FromForm)]
pub(super) struct Action {
    back: BackTo,
}

#[rocket::post("/admin/registrations/<id>/cancel", data = "<form>")]
async fn cancel(
    services: &State<Services>,
    staff: Organiser,
    id: Uuid,
    form: CsrfForm<Action>,
) -> Result<Redirect, AppError> {
    registrations::cancel_by_id(services, id, Some(&staff.email)).await?;
    Ok(form.0.back.redirect())
}

/// Cancelling on someone's behalf mails them and gives the seat away:
/// first a page that says so.
#[rocket::get("/admin/registrations/<id>/cancel")]
async fn confirm_cancel(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    id: Uuid,
) -> Result<Page, AppError> {
    let (attendee, slug, event_title) = attendees::by_id(services, id, lang).await?;
    let back = uri!(attendee_list(&*slug, AttendeeQuery::default())).to_string();
    let confirm = Confirm {
        title: format!("{}: {}", text(lang, "admin-cancel-title"), attendee.name),
        consequence: text_with(
            lang,
            "admin-cancel-consequence",
            &[("name", attendee.name.clone())],
        ),
        facts: attendee_facts(lang, &attendee, event_title),
        message: None,
        button: text(lang, "admin-cancel-confirm"),
        action: format!("/admin/registrations/{id}/cancel"),
        back,
    };
    render(
        services,
        "admin/confirm.html.tera",
        lang,
        &staff,
        &csrf,
        confirm,
    )
}

fn attendee_facts(
    lang: Lang,
    attendee: &attendees::Attendee,
    event_title: String,
) -> Vec<(String, String)> {
    vec![
        (text(lang, "manage-event"), event_title),
        (text(lang, "form-name"), attendee.name.clone()),
        (text(lang, "form-email"), attendee.email.clone()),
        (
            text(lang, "form-organisation"),
            attendee.organisation.clone(),
        ),
    ]
}

/// Erasing someone on their request cannot be undone: first a page that
/// says what happens.
#[rocket::get("/admin/registrations/<id>/erase")]
async fn confirm_erase(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    id: Uuid,
) -> Result<Page, AppError> {
    let (attendee, slug, event_title) = attendees::by_id(services, id, lang).await?;
    let back = uri!(attendee_list(&*slug, AttendeeQuery::default())).to_string();
    let confirm = Confirm {
        title: format!("{}: {}", text(lang, "erase-title"), attendee.name),
        consequence: text(lang, "erase-attendee-consequence"),
        facts: attendee_facts(lang, &attendee, event_title),
        message: None,
        button: text(lang, "erase-confirm"),
        action: format!("/admin/registrations/{id}/erase"),
        back,
    };
    render(
        services,
        "admin/confirm.html.tera",
        lang,
        &staff,
        &csrf,
        confirm,
    )
}

#[rocket::post("/admin/registrations/<id>/erase", data = "<form>")]
async fn erase(
    services: &State<Services>,
    staff: Organiser,
    id: Uuid,
    form: CsrfForm<Action>,
) -> Result<Redirect, AppError> {
    crate::services::privacy::erase_by_staff(services, id, &staff.email).await?;
    Ok(form.0.back.redirect())
}

#[derive(Debug, Default, rocket::FromForm)]
struct Move {
    #[field(default = String::new())]
    to: String,
    back: BackTo,
}

#[rocket::post("/admin/registrations/<id>/move", data = "<form>")]
async fn move_registration(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    id: Uuid,
    form: CsrfForm<Move>,
) -> Result<Result<Redirect, Page>, AppError> {
    let CsrfForm(form) = form;
    let to = match RegistrationStatus::from_name(&form.to) {
        Some(to @ (RegistrationStatus::Confirmed | RegistrationStatus::Waitlisted)) => to,
        _ => {
            return Err(AppError::Validation(
                [("to", ParseError("required"))].into(),
            ))
        }
    };
    match registrations::move_registration(services, id, to, &staff.email).await {
        Ok(()) => Ok(Ok(form.back.redirect())),
        Err(err) if shown_on_the_list(&err) => {
            let (_, slug, _) = attendees::by_id(services, id, lang).await?;
            let refusal = Refusal {
                notice: Some(err.message(lang)),
                ..Refusal::default()
            };
            let shown = (err.status(), refusal);
            attendees_page(
                services,
                lang,
                &staff,
                &csrf,
                &slug,
                AttendeeQuery::default(),
                shown,
            )
            .await
            .map(Err)
        }
        Err(err) => Err(err),
    }
}

/// An organiser adds someone by hand (a phone call, a walk-in).
#[rocket::post("/admin/events/<slug>/attendees", data = "<form>")]
async fn add(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    form: CsrfForm<SignUpFields>,
) -> Result<Result<Redirect, Page>, AppError> {
    let CsrfForm(form) = form;
    let (status, refusal) = match form.parse(Lang::Nl) {
        Err(errors) => (
            Status::UnprocessableEntity,
            Refusal {
                errors,
                ..Refusal::default()
            },
        ),
        Ok(new) => match registrations::register_as(services, &slug, new, Some(&staff.email)).await
        {
            Ok(_) => {
                let list = uri!(attendee_list(&slug, AttendeeQuery::default()));
                return Ok(Ok(Redirect::to(list)));
            }
            Err(err) if shown_on_the_list(&err) => {
                let notice = match err {
                    AppError::Duplicate => text(lang, "admin-add-duplicate"),
                    _ => err.message(lang),
                };
                let refusal = Refusal {
                    notice: Some(notice),
                    ..Refusal::default()
                };
                (err.status(), refusal)
            }
            Err(err) => return Err(err),
        },
    };
    let refusal = Refusal {
        add: Some(form),
        ..refusal
    };
    let query = AttendeeQuery::default();
    attendees_page(
        services,
        lang,
        &staff,
        &csrf,
        &slug,
        query,
        (status, refusal),
    )
    .await
    .map(Err)
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        overview,
        attendee_list,
        sectors,
        export,
        confirm_cancel,
        cancel,
        move_registration,
        add,
        confirm_erase,
        erase
    ]
}
