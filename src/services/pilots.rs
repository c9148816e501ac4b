//! Reading pilots (proeftuinen) with how many places are taken.
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::events::amsterdam;
use crate::domain::Lang;
use crate::entities::pilot::{self, PilotStatus};
use crate::entities::pilot_application::{self, ApplicationStatus};
use crate::error::AppError;

#[derive(Debug, Clone, Serialize)]
pub struct PilotView {
    #[serde(skip)]
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub opens_at: DateTime<FixedOffset>,
    pub closes_at: DateTime<FixedOffset>,
    pub max_participants: i32,
    pub participants: u64,
    pub applications_open: bool,
}

pub fn is_open(pilot: &pilot::Model, now: DateTime<Utc>) -> bool {
    pilot.status == PilotStatus::Open && pilot.opens_at <= now && now < pilot.closes_at
}

async fn view(
    db: &impl ConnectionTrait,
    pilot: pilot::Model,
    lang: Lang,
) -> Result<PilotView, AppError> {
    let participants = pilot_application::Entity::find()
        .filter(pilot_application::Column::PilotId.eq(pilot.id))
        .filter(pilot_application::Column::Status.eq(ApplicationStatus::Accepted))
        .count(db)
        .await?;
    let open = is_open(&pilot, Utc::now());
    let (title, description) = match lang {
        Lang::Nl => (pilot.title_nl, pilot.description_nl),
        Lang::En => (pilot.title_en, pilot.description_en),
    };
    Ok(PilotView {
        id: pilot.id,
        slug: pilot.slug,
        title,
        description,
        category: pilot.category,
        opens_at: amsterdam(pilot.opens_at),
        closes_at: amsterdam(pilot.closes_at),
        max_participants: pilot.max_participants,
        participants,
        applications_open: open,
    })
}

/// Pilots that are not drafts and have not closed, soonest closing first.
pub async fn current(db: &impl ConnectionTrait, lang: Lang) -> Result<Vec<PilotView>, AppError> {
    let pilots = pilot::Entity::find()
        .filter(pilot::Column::Status.ne(PilotStatus::Draft))
        .filter(pilot::Column::ClosesAt.gt(Utc::now()))
        .order_by_asc(pilot::Column::ClosesAt)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(pilots.len());
    for pilot in pilots {
        views.push(view(db, pilot, lang).await?);
    }
    Ok(views)
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
    view(db, pilot, lang).await
}
