//! Programme staff managing pilots: create (as a draft), edit, open, close,
//! archive and bring back. Every change is audited in its transaction, with
//! the pilot's row locked so places and acceptances cannot cross.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Select,
};
use serde::Serialize;
use uuid::Uuid;

use super::events::amsterdam;
use super::pilots::{applications, participants, Applications};
use super::{audit, Services};
use crate::db::{begin_write, WriteTxn};
use crate::domain::{Lang, NewPilot, PilotInput, PilotStatus};
use crate::entities::pilot;
use crate::error::AppError;

/// The pilot `query` finds, its row locked until `txn` ends.
pub(crate) async fn locked(
    txn: &WriteTxn,
    query: Select<pilot::Entity>,
) -> Result<Option<pilot::Model>, AppError> {
    Ok(crate::db::for_update(txn, query).one(txn).await?)
}

fn by_slug(slug: &str) -> Select<pilot::Entity> {
    pilot::Entity::find().filter(pilot::Column::Slug.eq(slug))
}

#[derive(Debug, Serialize)]
pub struct AdminPilotRow {
    pub slug: String,
    pub title: String,
    pub status: PilotStatus,
    pub applications: Applications,
    pub opens: String,
    pub closes: String,
    pub places: i32,
    pub accepted: u64,
    /// The names of the sectors that may apply, or none when all fourteen
    /// public sectors may.
    pub sectors: Option<Vec<&'static str>>,
    /// Its application period is over, so opening it means a new period.
    pub period_ended: bool,
}

/// Every pilot, archived ones last, then by the end of their period.
pub async fn list_all(services: &Services, lang: Lang) -> Result<Vec<AdminPilotRow>, AppError> {
    let mut pilots = pilot::Entity::find()
        .order_by_desc(pilot::Column::ClosesAt)
        .all(&services.db)
        .await?;
    pilots.sort_by_key(|p| p.status == PilotStatus::Archived);
    let ids: Vec<Uuid> = pilots.iter().map(|p| p.id).collect();
    let accepted = participants(&services.db, &ids).await?;
    let now = Utc::now();
    Ok(pilots
        .into_iter()
        .map(|p| AdminPilotRow {
            applications: applications(&p, now),
            opens: shown(p.opens_at),
            closes: shown(p.closes_at),
            accepted: accepted.get(&p.id).copied().unwrap_or(0),
            sectors: (!p.sectors.is_all_public())
                .then(|| p.sectors.iter().map(|s| s.name(lang)).collect()),
            period_ended: p.closes_at <= now,
            places: p.max_participants,
            status: p.status,
            title: p.title_nl,
            slug: p.slug,
        })
        .collect())
}

fn shown(at: DateTime<Utc>) -> String {
    amsterdam(at).format("%Y-%m-%d %H:%M").to_string()
}

/// A moment as a `datetime-local` field shows it, in Amsterdam time.
fn field(at: DateTime<Utc>) -> String {
    amsterdam(at).format("%Y-%m-%dT%H:%M").to_string()
}

fn input_of(pilot: &pilot::Model) -> PilotInput {
    PilotInput {
        slug: pilot.slug.clone(),
        title_nl: pilot.title_nl.clone(),
        title_en: pilot.title_en.clone(),
        description_nl: pilot.description_nl.clone(),
        description_en: pilot.description_en.clone(),
        category: pilot.category.as_str().to_owned(),
        places: pilot.max_participants.to_string(),
        opens: field(pilot.opens_at),
        closes: field(pilot.closes_at),
        sectors: pilot.sectors.codes().map(str::to_owned).collect(),
    }
}

/// The edit form of a pilot, drafts and archived ones included, with its
/// status.
pub async fn edit_input(
    services: &Services,
    slug: &str,
) -> Result<(PilotInput, PilotStatus), AppError> {
    by_slug(slug)
        .one(&services.db)
        .await?
        .map(|pilot| (input_of(&pilot), pilot.status))
        .ok_or(AppError::NotFound)
}

fn apply_fields(active: &mut pilot::ActiveModel, new: &NewPilot) {
    active.slug = Set(new.slug.as_str().to_owned());
    active.title_nl = Set(new.title_nl.as_str().to_owned());
    active.title_en = Set(new.title_en.as_str().to_owned());
    active.description_nl = Set(new.description_nl.as_str().to_owned());
    active.description_en = Set(new.description_en.as_str().to_owned());
    active.category = Set(new.category);
    active.max_participants = Set(new.places.get());
    active.opens_at = Set(new.opens_at);
    active.closes_at = Set(new.closes_at);
    active.sectors = Set(new.sectors.clone());
    active.updated_at = Set(Utc::now());
}

async fn slug_taken(txn: &WriteTxn, slug: &str, except: Option<Uuid>) -> Result<bool, AppError> {
    let found = by_slug(slug).one(txn).await?;
    Ok(found.is_some_and(|p| Some(p.id) != except))
}

/// A new pilot starts as a draft: nobody can apply until it is opened.
pub async fn create(services: &Services, new: NewPilot, actor: &str) -> Result<String, AppError> {
    let txn = begin_write(&services.db).await?;
    if slug_taken(&txn, new.slug.as_str(), None).await? {
        return Err(AppError::Conflict("error-pilot-slug-taken"));
    }
    let now = Utc::now();
    let mut active = pilot::ActiveModel {
        id: Set(Uuid::new_v4()),
        status: Set(PilotStatus::Draft),
        created_at: Set(now),
        ..Default::default()
    };
    apply_fields(&mut active, &new);
    let created = active.insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        "pilot.create",
        &created.slug,
        None::<&()>,
        Some(&input_of(&created)),
    )
    .await?;
    txn.commit().await?;
    Ok(created.slug)
}

/// Edits a pilot. Fewer places than applications already accepted is
/// refused; a narrower choice of sectors holds for new applications, and
/// those already in keep their decision.
pub async fn update(
    services: &Services,
    slug: &str,
    new: NewPilot,
    actor: &str,
) -> Result<String, AppError> {
    let txn = begin_write(&services.db).await?;
    let pilot = locked(&txn, by_slug(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    if slug_taken(&txn, new.slug.as_str(), Some(pilot.id)).await? {
        return Err(AppError::Conflict("error-pilot-slug-taken"));
    }
    let accepted = participants(&txn, &[pilot.id])
        .await?
        .get(&pilot.id)
        .copied()
        .unwrap_or(0);
    if u64::try_from(new.places.get()).unwrap_or(0) < accepted {
        return Err(AppError::Conflict("error-places-below-accepted"));
    }
    let before = input_of(&pilot);
    let mut active: pilot::ActiveModel = pilot.into();
    apply_fields(&mut active, &new);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "pilot.update",
        &updated.slug,
        Some(&before),
        Some(&input_of(&updated)),
    )
    .await?;
    txn.commit().await?;
    Ok(updated.slug)
}

/// Where staff move a pilot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Take applications during the period (a draft, or a closed pilot
    /// whose period has not ended).
    Open,
    /// Stop taking applications now.
    Close,
    /// Done with: listed nowhere, its page says it has ended.
    Archive,
    /// Back from the archive, closed.
    Restore,
}

impl Move {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(Move::Open),
            "close" => Some(Move::Close),
            "archive" => Some(Move::Archive),
            "restore" => Some(Move::Restore),
            _ => None,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Move::Open => "pilot.open",
            Move::Close => "pilot.close",
            Move::Archive => "pilot.archive",
            Move::Restore => "pilot.restore",
        }
    }

    /// The status it leads to from `from`, or why it cannot be made.
    fn target(self, from: PilotStatus, period_ended: bool) -> Result<PilotStatus, AppError> {
        use PilotStatus::*;
        match (self, from) {
            (Move::Open, Draft | Closed) if period_ended => {
                Err(AppError::Conflict("error-pilot-period-ended"))
            }
            (Move::Open, Draft | Closed) => Ok(Open),
            (Move::Close, Open) => Ok(Closed),
            (Move::Archive, Draft | Open | Closed) => Ok(Archived),
            (Move::Restore, Archived) => Ok(Closed),
            _ => Err(AppError::Conflict("error-pilot-state")),
        }
    }
}

pub async fn change(
    services: &Services,
    slug: &str,
    wanted: Move,
    actor: &str,
) -> Result<PilotStatus, AppError> {
    let txn = begin_write(&services.db).await?;
    let pilot = locked(&txn, by_slug(slug))
        .await?
        .ok_or(AppError::NotFound)?;
    let from = pilot.status;
    let to = wanted.target(from, pilot.closes_at <= Utc::now())?;
    let mut active: pilot::ActiveModel = pilot.into();
    active.status = Set(to);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        wanted.action(),
        &updated.slug,
        Some(&serde_json::json!({ "status": from })),
        Some(&serde_json::json!({ "status": to })),
    )
    .await?;
    txn.commit().await?;
    Ok(to)
}
