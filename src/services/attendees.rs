//! The organiser's view of an event: who comes, filters and counts, and
//! changes made on someone's behalf. The door is `super::door`.
use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::Services;
use crate::domain::{search_text, ParseError, RegistrationStatus, SectorCode};
use crate::entities::{event, registration};
use crate::error::AppError;

/// Which sign-ups of an event to list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    query: String,
    status: Option<StatusFilter>,
    sector: String,
    organisation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    Is(RegistrationStatus),
    CheckedIn,
}

impl Filter {
    /// The filters as typed; an unknown status is refused, not ignored.
    pub fn parse(
        query: &str,
        status: &str,
        sector: &str,
        organisation: &str,
    ) -> Result<Self, ParseError> {
        let status = match status.trim() {
            "" => None,
            "checked_in" => Some(StatusFilter::CheckedIn),
            other => Some(StatusFilter::Is(
                RegistrationStatus::from_name(other).ok_or(ParseError("status-unknown"))?,
            )),
        };
        let sector = match sector.trim() {
            "" => String::new(),
            code => SectorCode::parse(code)
                .map_err(|_| ParseError("sector-unknown"))?
                .code()
                .to_owned(),
        };
        Ok(Filter {
            query: search_text(query),
            status,
            sector,
            organisation: search_text(organisation),
        })
    }

    /// The door list: confirmed people matching `query`.
    pub fn confirmed_matching(query: &str) -> Self {
        Filter {
            query: search_text(query),
            status: Some(StatusFilter::Is(RegistrationStatus::Confirmed)),
            ..Filter::default()
        }
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

#[derive(Debug, Serialize)]
pub struct AttendeeList {
    pub rows: Vec<Attendee>,
    /// Over the whole event, not just the filtered rows.
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_sector: BTreeMap<String, usize>,
}

fn contains(column: registration::Column, needle: &str) -> Expr {
    let lower: Expr = Func::lower(Expr::col((registration::Entity, column))).into();
    lower.like(format!(
        "%{}%",
        needle.to_lowercase().replace(['%', '_'], "")
    ))
}

pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    filter: &Filter,
) -> Result<AttendeeList, AppError> {
    let all = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .order_by_asc(registration::Column::QueueNumber)
        .all(db)
        .await?;
    let mut by_status: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_sector: BTreeMap<String, usize> = BTreeMap::new();
    for reg in &all {
        *by_status.entry(reg.status.as_str()).or_default() += 1;
        if reg.checked_in_at.is_some() {
            *by_status.entry("checked_in").or_default() += 1;
        }
        if reg.status != RegistrationStatus::Cancelled {
            *by_sector.entry(reg.sector.code().to_owned()).or_default() += 1;
        }
    }
    let mut query = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .order_by_asc(registration::Column::QueueNumber);
    let text = filter.query.as_str();
    if !text.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains(registration::Column::Name, text))
                .add(contains(registration::Column::Email, text))
                .add(contains(registration::Column::Organisation, text)),
        );
    }
    query = match filter.status {
        Some(StatusFilter::Is(status)) => query.filter(registration::Column::Status.eq(status)),
        Some(StatusFilter::CheckedIn) => {
            query.filter(registration::Column::CheckedInAt.is_not_null())
        }
        None => query,
    };
    if !filter.sector.is_empty() {
        query = query.filter(registration::Column::Sector.eq(filter.sector.as_str()));
    }
    if !filter.organisation.is_empty() {
        query = query.filter(contains(
            registration::Column::Organisation,
            &filter.organisation,
        ));
    }
    Ok(AttendeeList {
        rows: query
            .all(db)
            .await?
            .into_iter()
            .map(Attendee::from)
            .collect(),
        by_status,
        by_sector,
    })
}

/// The export of an event's sign-ups, in the columns organisers asked for.
pub fn export_table(rows: &[Attendee]) -> crate::export::Table {
    crate::export::Table {
        sheet_name: "Aanmeldingen".into(),
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
        rows: rows
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    a.email.clone(),
                    a.organisation.clone(),
                    a.sector.clone(),
                    a.job_title.clone().unwrap_or_default(),
                    a.remarks.clone().unwrap_or_default(),
                    match a.status {
                        RegistrationStatus::Confirmed => "bevestigd",
                        RegistrationStatus::Waitlisted => "wachtlijst",
                        RegistrationStatus::Cancelled => "geannuleerd",
                    }
                    .to_owned(),
                    a.signed_up_at.clone(),
                    if a.checked_in { "ja" } else { "nee" }.to_owned(),
                ]
            })
            .collect(),
    }
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
