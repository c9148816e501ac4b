//! Reading pilots (proeftuinen) with how many places are taken.
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::events::amsterdam;
use crate::domain::{Category, Lang, PilotSectors};
use crate::entities::pilot::{self, PilotStatus};
use crate::entities::pilot_application::{self, ApplicationStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PilotView {
    #[serde(skip)]
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    #[schema(value_type = String)]
    pub category: Category,
    pub opens_at: DateTime<FixedOffset>,
    pub closes_at: DateTime<FixedOffset>,
    pub max_participants: i32,
    pub participants: u64,
    pub applications_open: bool,
    /// Why applications are or are not taken now.
    pub applications: Applications,
    /// The codes of the public sectors that may apply.
    #[schema(value_type = Vec<String>)]
    pub sectors: Vec<&'static str>,
    #[serde(skip)]
    pub sector_set: PilotSectors,
}

/// Whether a pilot takes applications now, and if not, why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Applications {
    Open,
    /// Its application period has not begun.
    NotYetOpen,
    /// Its application period is over.
    Ended,
    /// Programme staff closed it before its period ended.
    Closed,
    /// The pilot is done with.
    Archived,
}

pub fn applications(pilot: &pilot::Model, now: DateTime<Utc>) -> Applications {
    match pilot.status {
        PilotStatus::Archived => Applications::Archived,
        PilotStatus::Draft | PilotStatus::Closed => Applications::Closed,
        PilotStatus::Open if now < pilot.opens_at => Applications::NotYetOpen,
        PilotStatus::Open if pilot.closes_at <= now => Applications::Ended,
        PilotStatus::Open => Applications::Open,
    }
}

pub fn is_open(pilot: &pilot::Model, now: DateTime<Utc>) -> bool {
    applications(pilot, now) == Applications::Open
}

/// Accepted applications per pilot, in one query.
pub(crate) async fn participants(
    db: &impl ConnectionTrait,
    pilot_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, u64>, AppError> {
    let rows: Vec<(Uuid, i64)> = pilot_application::Entity::find()
        .select_only()
        .column(pilot_application::Column::PilotId)
        .column_as(pilot_application::Column::Id.count(), "n")
        .filter(pilot_application::Column::PilotId.is_in(pilot_ids.iter().copied()))
        .filter(pilot_application::Column::Status.eq(ApplicationStatus::Accepted))
        .group_by(pilot_application::Column::PilotId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

fn view(pilot: pilot::Model, participants: u64, lang: Lang) -> PilotView {
    let state = applications(&pilot, Utc::now());
    let (title, description) = match lang {
        Lang::Nl => (pilot.title_nl, pilot.description_nl),
        Lang::En => (pilot.title_en, pilot.description_en),
    };
    PilotView {
        id: pilot.id,
        slug: pilot.slug,
        title,
        description,
        category: pilot.category,
        opens_at: amsterdam(pilot.opens_at),
        closes_at: amsterdam(pilot.closes_at),
        max_participants: pilot.max_participants,
        participants,
        applications_open: state == Applications::Open,
        applications: state,
        sectors: pilot.sectors.codes().collect(),
        sector_set: pilot.sectors,
    }
}

/// Pilots that are neither drafts nor archived and whose period has not
/// ended, soonest closing first.
pub async fn current(db: &impl ConnectionTrait, lang: Lang) -> Result<Vec<PilotView>, AppError> {
    let pilots = pilot::Entity::find()
        .filter(pilot::Column::Status.is_in([PilotStatus::Open, PilotStatus::Closed]))
        .filter(pilot::Column::ClosesAt.gt(Utc::now()))
        .order_by_asc(pilot::Column::ClosesAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = pilots.iter().map(|p| p.id).collect();
    let taken = participants(db, &ids).await?;
    Ok(pilots
        .into_iter()
        .map(|p| {
            let n = taken.get(&p.id).copied().unwrap_or(0);
            view(p, n, lang)
        })
        .collect())
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
    lang: Lang,
) -> Result<PilotView, AppError> {
    let pilot = pilot::Entity::find()
        .filter(pilot::Column::Slug.eq(slug))
        .filter(pilot::Column::Status.ne(PilotStatus::Draft))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let n = participants(db, &[pilot.id])
        .await?
        .get(&pilot.id)
        .copied()
        .unwrap_or(0);
    Ok(view(pilot, n, lang))
}
