//! The organiser's view of an event: who comes, filters and counts, a page
//! at a time, and changes made on someone's behalf. The door is
//! `super::door`.
use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QuerySelect, Select,
};
use serde::Serialize;
use uuid::Uuid;

use super::exports::{keyset_chunk, RowSource, CHUNK};
use super::paging::{by_unique_column, like};
use super::Services;
use crate::domain::{
    PageAt, ParseError, RegistrationStatus, Search, SectorCode, Window, PAGE_SIZE,
};
use crate::entities::{event, event_seats, registration};
use crate::error::AppError;
use crate::export::{Row, Sheet};

/// Which sign-ups of an event to list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    query: Search,
    status: Option<StatusFilter>,
    sector: String,
    organisation: Search,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    Is(RegistrationStatus),
    CheckedIn,
}

impl Filter {
    /// The filters as typed, each refused with the field it came in: an
    /// unknown status or sector is not silently ignored.
    pub fn parse(
        query: &str,
        status: &str,
        sector: &str,
        organisation: &str,
    ) -> Result<Self, (&'static str, ParseError)> {
        let status = match status.trim() {
            "" => None,
            "checked_in" => Some(StatusFilter::CheckedIn),
            other => Some(StatusFilter::Is(
                RegistrationStatus::from_name(other)
                    .ok_or(("status", ParseError("status-unknown")))?,
            )),
        };
        let sector = match sector.trim() {
            "" => String::new(),
            code => SectorCode::parse(code)
                .map_err(|_| ("sector", ParseError("sector-unknown")))?
                .code()
                .to_owned(),
        };
        Ok(Filter {
            query: Search::parse(query).map_err(|e| ("q", e))?,
            status,
            sector,
            organisation: Search::parse(organisation).map_err(|e| ("organisation", e))?,
        })
    }

    /// How many match, when the counts say: a search or a sector or
    /// organisation filter would have to read every sign-up to know.
    fn counted_in(&self, by_status: &BTreeMap<&'static str, u64>) -> Option<u64> {
        if !(self.query.is_empty() && self.organisation.is_empty() && self.sector.is_empty()) {
            return None;
        }
        let count = |status: &str| by_status.get(status).copied().unwrap_or(0);
        Some(match self.status {
            None => count("confirmed") + count("waitlisted") + count("cancelled"),
            Some(StatusFilter::Is(status)) => count(status.as_str()),
            Some(StatusFilter::CheckedIn) => count("checked_in"),
        })
    }

    fn apply(&self, mut query: Select<registration::Entity>) -> Select<registration::Entity> {
        let key = || Expr::col((registration::Entity, registration::Column::SearchKey));
        if !self.query.is_empty() {
            query = query.filter(like(key(), self.query.anywhere()));
        }
        if !self.organisation.is_empty() {
            query = query.filter(like(key(), self.organisation.in_organisation()));
        }
        query = match self.status {
            Some(StatusFilter::Is(status)) => query.filter(registration::Column::Status.eq(status)),
            Some(StatusFilter::CheckedIn) => {
                query.filter(registration::Column::CheckedInAt.is_not_null())
            }
            None => query,
        };
        if !self.sector.is_empty() {
            query = query.filter(registration::Column::Sector.eq(self.sector.as_str()));
        }
        query
    }
}

/// One sign-up as the back office shows and exports it.
#[derive(Debug, Clone, Serialize)]
pub struct Attendee {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub sector: String,
    pub job_title: Option<String>,
    pub remarks: Option<String>,
    pub status: RegistrationStatus,
    pub queue_number: i64,
    pub signed_up_at: String,
    pub checked_in: bool,
    /// When they last changed their own details, if they did.
    pub changed_by_attendee: Option<String>,
}

impl From<registration::Model> for Attendee {
    fn from(reg: registration::Model) -> Self {
        Attendee {
            id: reg.id,
            status: reg.status,
            signed_up_at: super::events::amsterdam(reg.created_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            checked_in: reg.checked_in_at.is_some(),
            changed_by_attendee: reg.changed_by_attendee_at.map(|at| {
                super::events::amsterdam(at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            name: reg.name,
            email: reg.email,
            organisation: reg.organisation,
            sector: reg.sector.code().to_owned(),
            job_title: reg.job_title,
            remarks: reg.remarks,
            queue_number: reg.queue_number,
        }
    }
}

/// One page of an event's sign-ups, in order of arrival.
#[derive(Debug, Serialize)]
pub struct AttendeeList {
    /// Keyed by queue number.
    pub page: Window<Attendee, i64>,
    /// How many sign-ups match the filters, over all pages, when the
    /// counts say so without reading them (no filter, or a status only).
    pub matching: Option<u64>,
    /// Over the whole event, not just the filtered rows.
    pub by_status: BTreeMap<&'static str, u64>,
}

/// The read of `size` sign-ups (and one more) at `at`, in order of arrival
/// (public for the index check in `tests/api/list_paging.rs`).
pub fn page_query(
    event_id: Uuid,
    filter: &Filter,
    at: &PageAt<i64>,
    size: usize,
) -> Select<registration::Entity> {
    let matching = filter.apply(of_event(event_id));
    by_unique_column(
        matching,
        registration::Column::QueueNumber,
        Order::Asc,
        at,
        size,
    )
}

pub(super) fn of_event(event_id: Uuid) -> Select<registration::Entity> {
    registration::Entity::find().filter(registration::Column::EventId.eq(event_id))
}

/// The page at `at` of an event's sign-ups matching `filter`, with the
/// event's counts. Each read is bounded by the page or done by the
/// database (`GROUP BY`), so a page of a 100,000-seat meeting reads 101
/// rows.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    filter: &Filter,
    at: &PageAt<i64>,
) -> Result<AttendeeList, AppError> {
    let by_status = counts(db, event_id).await?;
    let matching = filter.counted_in(&by_status);
    let rows = page_query(event_id, filter, at, PAGE_SIZE).all(db).await?;
    let page = Window::from_rows(rows, at, PAGE_SIZE, |r| r.queue_number);
    Ok(AttendeeList {
        page: page.map(Attendee::from),
        matching,
        by_status,
    })
}

/// Every sign-up of an event matching `filter`, for an export: how many
/// there are now, the sheet, and the rows read a chunk at a time by queue
/// number.
pub async fn export(
    db: &DatabaseConnection,
    event_id: Uuid,
    filter: Filter,
) -> Result<(u64, Sheet, ExportRows), AppError> {
    let rows = filter.apply(of_event(event_id)).count(db).await?;
    let source = ExportRows {
        db: db.clone(),
        event_id,
        filter,
        at: Some(PageAt::First),
    };
    Ok((rows, export_sheet(), source))
}

/// The rows of an attendee export, one keyset chunk per read.
pub struct ExportRows {
    db: DatabaseConnection,
    event_id: Uuid,
    filter: Filter,
    /// Where the next chunk starts; `None` after the last.
    at: Option<PageAt<i64>>,
}

#[async_trait::async_trait]
impl RowSource for ExportRows {
    async fn next_chunk(&mut self) -> Result<Option<Vec<Row>>, AppError> {
        let (db, event_id, filter) = (&self.db, self.event_id, &self.filter);
        let read = |at| async move {
            let rows = page_query(event_id, filter, &at, CHUNK).all(db).await?;
            Ok(Window::from_rows(rows, &at, CHUNK, |r| r.queue_number))
        };
        keyset_chunk(&mut self.at, read, |r| export_row(Attendee::from(r))).await
    }
}

/// Sign-ups per status, and how many are in. The confirmed and the
/// waiting list come from the seat counters the locked event keeps; the
/// cancelled and those in are counted from indexes that hold only them.
pub(super) async fn counts(
    db: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<BTreeMap<&'static str, u64>, AppError> {
    let seats = event_seats::Entity::find_by_id(event_id).one(db).await?;
    let (confirmed, waitlisted) = seats.map_or((0, 0), |s| (s.confirmed, s.waitlisted));
    let count_where = |condition| of_event(event_id).filter(condition).count(db);
    let cancelled =
        count_where(registration::Column::Status.eq(RegistrationStatus::Cancelled)).await?;
    let checked_in = count_where(registration::Column::CheckedInAt.is_not_null()).await?;
    let by_status: BTreeMap<&'static str, u64> = [
        ("confirmed", confirmed.max(0) as u64),
        ("waitlisted", waitlisted.max(0) as u64),
        ("cancelled", cancelled),
        ("checked_in", checked_in),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    Ok(by_status)
}

/// The sectors of those coming (confirmed and waiting), by code. It reads
/// an index entry per person, so it has a page of its own rather than a
/// place on every page of the list.
pub async fn by_sector(
    db: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<BTreeMap<String, u64>, AppError> {
    let coming = [
        RegistrationStatus::Confirmed,
        RegistrationStatus::Waitlisted,
    ];
    let per_sector: Vec<(String, i64)> = of_event(event_id)
        .filter(registration::Column::Status.is_in(coming))
        .select_only()
        .column(registration::Column::Sector)
        .column_as(registration::Column::Id.count(), "n")
        .group_by(registration::Column::Sector)
        .into_tuple()
        .all(db)
        .await?;
    Ok(per_sector.into_iter().map(|(s, n)| (s, n as u64)).collect())
}

/// The export of an event's sign-ups, in the columns organisers asked for.
fn export_sheet() -> Sheet {
    Sheet {
        name: "Aanmeldingen".into(),
        note: None,
        headers: [
            "Naam",
            "E-mail",
            "Organisatie",
            "Sector",
            "Functie",
            "Opmerkingen",
            "Status",
            "Aangemeld op",
            "Aanwezig",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn export_row(a: Attendee) -> Row {
    vec![
        a.name,
        a.email,
        a.organisation,
        a.sector,
        a.job_title.unwrap_or_default(),
        a.remarks.unwrap_or_default(),
        match a.status {
            RegistrationStatus::Confirmed => "bevestigd",
            RegistrationStatus::Waitlisted => "wachtlijst",
            RegistrationStatus::Cancelled => "geannuleerd",
        }
        .to_owned(),
        a.signed_up_at,
        if a.checked_in { "ja" } else { "nee" }.to_owned(),
    ]
}

/// One sign-up with its event's slug and title, for a page about it.
pub async fn by_id(
    services: &Services,
    id: Uuid,
    lang: crate::domain::Lang,
) -> Result<(Attendee, String, String), AppError> {
    let (reg, event) = registration::Entity::find_by_id(id)
        .find_also_related(event::Entity)
        .one(&services.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = event.ok_or(AppError::NotFound)?;
    let title = match lang {
        crate::domain::Lang::Nl => event.title_nl,
        crate::domain::Lang::En => event.title_en,
    };
    Ok((reg.into(), event.slug, title))
}

/// Gives sign-ups made before search keys existed (migration 000025) their
/// key. Run at start, before any list is served; a no-op once done.
pub async fn key_unkeyed(db: &sea_orm::DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let mut keyed = 0;
    loop {
        let rows = registration::Entity::find()
            .filter(registration::Column::SearchKey.eq(""))
            .limit(500)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(keyed);
        }
        let txn = db.begin().await?;
        for row in &rows {
            let key = crate::domain::sign_up_search_key(&row.name, &row.email, &row.organisation);
            registration::Entity::update_many()
                .col_expr(registration::Column::SearchKey, Expr::value(key))
                .filter(registration::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        keyed += rows.len() as u64;
    }
}
