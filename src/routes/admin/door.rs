//! The door of a meeting: the list to let people in from, the page a
//! scanned QR code opens, and check-in with its undo. After either button
//! the list comes back where it was (the person's row, the same search)
//! and says what happened, so the next person can be found at once.
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use super::{query_value, render, render_with, Page, Pages};
use crate::auth::Organiser;
use crate::domain::{search_text, Lang, PageAt, Search};
use crate::error::AppError;
use crate::http::{CsrfForm, CsrfToken, SlugParam, TokenParam};
use crate::services::attendees::Attendee;
use crate::services::door::{self, AtTheDoor, CheckIn, DoorList};
use crate::services::events::{self, EventView};
use crate::services::Services;

/// The door list's search, and whom the last button was about.
#[derive(Debug, Default, rocket::FromForm)]
pub(super) struct DoorQuery {
    #[field(default = String::new())]
    q: String,
    checked_in: Option<Uuid>,
    undone: Option<Uuid>,
    /// The page after (or before) this person in name order.
    #[field(default = String::new())]
    after: String,
    #[field(default = String::new())]
    before: String,
}

/// Where on the door list a page, or a button on it, is: the search and
/// the page. A button brings the organiser back to the same place.
#[derive(Debug, Default, Clone, Serialize)]
struct DoorPlace {
    q: String,
    after: String,
    before: String,
    /// `q` as the list searches it.
    #[serde(skip)]
    search: Search,
}

impl DoorPlace {
    /// The place as a link or a form gives it; a search or a page that is
    /// not one is refused (422), as on the attendee list.
    fn of(q: &str, after: &str, before: &str) -> Result<Self, AppError> {
        let search = Search::parse(q).map_err(|e| AppError::Validation([("q", e)].into()))?;
        let place = DoorPlace {
            q: search_text(q),
            after: after.trim().to_owned(),
            before: before.trim().to_owned(),
            search,
        };
        place.at()?;
        Ok(place)
    }

    fn at(&self) -> Result<PageAt<Uuid>, AppError> {
        super::page_at(Some(&self.after), Some(&self.before))
    }

    /// The door list's address at this place: the search and the page.
    fn link(&self, slug: &str) -> String {
        let mut link = format!("/admin/events/{slug}/checkin?q={}", query_value(&self.q));
        for (name, key) in [("after", &self.after), ("before", &self.before)] {
            if !key.is_empty() {
                link.push_str(&format!("&{name}={}", query_value(key)));
            }
        }
        link
    }
}

/// The line above (or in) the list that says what just happened.
#[derive(Serialize)]
struct Notice {
    /// `checked-in`, `undone` or `not-meeting-day`.
    kind: &'static str,
    attendee: Attendee,
    /// Whether the list shows them, so the line goes under their row.
    in_rows: bool,
}

#[derive(Serialize)]
struct DoorPage {
    event: EventView,
    door: DoorList,
    /// The search as typed, and the page, for the buttons to return to.
    place: DoorPlace,
    pages: Pages,
    notice: Option<Notice>,
}

async fn door_page(
    services: &Services,
    lang: Lang,
    slug: &str,
    place: DoorPlace,
    notice: Option<(&'static str, Uuid)>,
) -> Result<DoorPage, AppError> {
    let event = events::by_slug_for_staff(&services.db, slug, lang).await?;
    let at = place.at()?;
    let door = door::list(services, &event, &place.search, &at, lang).await?;
    let link = |after: Option<Uuid>, before: Option<Uuid>| {
        let key = |k: Option<Uuid>| k.map(|k| k.to_string()).unwrap_or_default();
        let there = DoorPlace {
            after: key(after),
            before: key(before),
            ..place.clone()
        };
        there.link(slug)
    };
    let pages = Pages::around(&at, &door.page, link);
    let notice = match notice {
        Some((kind, id)) => door::attendee_of(services, &event, id)
            .await?
            .map(|attendee| Notice {
                kind,
                in_rows: door.page.rows.iter().any(|row| row.id == attendee.id),
                attendee,
            })
            // A reload after someone else changed it says nothing stale.
            .filter(|n| n.attendee.checked_in == (n.kind == "checked-in")),
        None => None,
    };
    Ok(DoorPage {
        event,
        door,
        place,
        pages,
        notice,
    })
}

/// The door page: confirmed people by name, one button each.
#[rocket::get("/admin/events/<slug>/checkin?<query..>")]
pub(super) async fn list(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    slug: SlugParam<'_>,
    query: DoorQuery,
) -> Result<Page, AppError> {
    let notice = match (query.checked_in, query.undone) {
        (Some(id), _) => Some(("checked-in", id)),
        (None, Some(id)) => Some(("undone", id)),
        (None, None) => None,
    };
    let place = DoorPlace::of(&query.q, &query.after, &query.before)?;
    let page = door_page(services, lang, &slug, place, notice).await?;
    render(
        services,
        "admin/checkin.html.tera",
        lang,
        &staff,
        &csrf,
        page,
    )
}

/// Where the door page's buttons return to: the same search and page,
/// whom it was about (`done` names what happened) and their row.
fn back_to_door(at: &AtTheDoor, place: &DoorPlace, done: &str) -> Redirect {
    let id = at.id;
    let list = place.link(&at.event_slug);
    Redirect::to(format!("{list}&{done}={id}#attendee-{id}"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct DoorAction {
    #[field(default = String::new())]
    q: String,
    #[field(default = String::new())]
    after: String,
    #[field(default = String::new())]
    before: String,
    /// The organiser lets someone in on another day than the meeting's.
    outside_meeting_day: bool,
}

/// Outside the meeting's day the list comes back with a 409 that says so
/// and offers the organiser a second, explicit button.
#[rocket::post("/admin/registrations/<id>/checkin", data = "<form>")]
async fn check_in(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    id: Uuid,
    form: CsrfForm<DoorAction>,
) -> Result<Result<Redirect, Page>, AppError> {
    let CsrfForm(form) = form;
    let place = DoorPlace::of(&form.q, &form.after, &form.before)?;
    match door::check_in(services, id, &staff.email, form.outside_meeting_day).await? {
        CheckIn::Done(at) => Ok(Ok(back_to_door(&at, &place, "checked_in"))),
        CheckIn::NotMeetingDay(at) => {
            let notice = Some(("not-meeting-day", at.id));
            let page = door_page(services, lang, &at.event_slug, place, notice).await?;
            let status = Status::Conflict;
            let template = "admin/checkin.html.tera";
            render_with(services, status, template, lang, &staff, &csrf, page).map(Err)
        }
    }
}

#[rocket::post("/admin/registrations/<id>/checkin/undo", data = "<form>")]
async fn undo_check_in(
    services: &State<Services>,
    staff: Organiser,
    id: Uuid,
    form: CsrfForm<DoorAction>,
) -> Result<Redirect, AppError> {
    let at = door::undo_check_in(services, id, &staff.email).await?;
    let place = DoorPlace::of(&form.q, &form.after, &form.before)?;
    Ok(back_to_door(&at, &place, "undone"))
}

/// Where the QR code in the confirmation mail leads: this attendee, with
/// one button to let them in.
#[rocket::get("/admin/checkin/<token>")]
async fn scanned(
    services: &State<Services>,
    lang: Lang,
    staff: Organiser,
    csrf: CsrfToken,
    token: TokenParam<'_>,
) -> Result<Page, AppError> {
    let scanned = door::by_check_in_token(services, &token, lang).await?;
    render(
        services,
        "admin/scanned.html.tera",
        lang,
        &staff,
        &csrf,
        scanned,
    )
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, check_in, undo_check_in, scanned]
}
