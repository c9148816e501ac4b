//! Partnerships between public buyers and suppliers, their stages, and the
//! yearly figures. A partnership counts for the year in which it reached
//! `started`, also once it has ended; jobs are hours a week / 25.5.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::Serialize;
use uuid::Uuid;

use super::events::amsterdam;
use super::exports::{keyset_chunk, RowSource, CHUNK};
use super::paging::{by_key_then_id, like};
use super::{audit, Services};
use crate::db::{begin_write, WriteTxn};
use crate::domain::{Category, HoursPerWeek, PageAt, Search, Stage, Window, PAGE_SIZE};
use crate::entities::{organisation, partnership, partnership_stage_change, partnership_target};
use crate::error::AppError;
use crate::export::Row;

/// The target when an admin has set none for the year (the seed's 15).
pub const DEFAULT_TARGET: i32 = 15;

pub struct NewPartnership {
    pub buyer_organisation_id: Uuid,
    pub supplier_name: String,
    pub supplier_kvk: Option<String>,
    pub category: Category,
    pub planned: HoursPerWeek,
    pub notes: String,
    pub application_id: Option<Uuid>,
}

/// Records a new partnership; returns its id.
pub async fn create(
    services: &Services,
    new: NewPartnership,
    actor: &str,
) -> Result<Uuid, AppError> {
    let supplier = crate::domain::Line::<300>::parse(&new.supplier_name)
        .map_err(|e| AppError::Validation([("supplier_name", e)].into()))?;
    let supplier = supplier.as_str();
    let supplier_kvk = crate::domain::kvk_number(new.supplier_kvk.as_deref().unwrap_or_default())
        .map_err(|e| AppError::Validation([("supplier_kvk", e)].into()))?;
    let notes = crate::domain::OptionalText::<2000>::parse(&new.notes)
        .map_err(|e| AppError::Validation([("notes", e)].into()))?
        .into_inner()
        .unwrap_or_default();
    let txn = begin_write(&services.db).await?;
    if let Some(application) = new.application_id {
        if from_application(&txn, application).await?.is_some() {
            return Err(AppError::Conflict("error-application-has-partnership"));
        }
    }
    let buyer = organisation::Entity::find_by_id(new.buyer_organisation_id)
        .one(&txn)
        .await?
        .filter(|o| o.active)
        .ok_or(AppError::NotFound)?;
    let sector = buyer
        .sector
        .filter(|s| s.group().is_public())
        .ok_or(AppError::Conflict("error-buyer-not-public"))?;
    let now = Utc::now();
    let created = partnership::ActiveModel {
        id: Set(Uuid::new_v4()),
        buyer_organisation_id: Set(buyer.id),
        buyer_name: Set(buyer.name.clone()),
        sector: Set(sector),
        supplier_name: Set(supplier.to_owned()),
        supplier_kvk: Set(supplier_kvk),
        category: Set(new.category),
        application_id: Set(new.application_id),
        stage: Set(Stage::Interest),
        planned_hours_per_week: Set(new.planned.hours()),
        realised_hours_per_week: Set(0.0),
        notes: Set(notes),
        started_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        search_key: Set(crate::domain::partnership_search_key(&buyer.name, supplier)),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Another conversion of the same application committed first.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("error-application-has-partnership")
        }
        _ => e.into(),
    })?;
    record_stage(&txn, created.id, None, Stage::Interest, actor, now).await?;
    let after = serde_json::json!({"buyer": created.buyer_name, "supplier": created.supplier_name});
    audit::record(
        &txn,
        actor,
        "partnership.create",
        &format!("partnership {}", created.id),
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(created.id)
}

/// The partnership made from a pilot application, if one was.
pub async fn from_application(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Option<partnership::Model>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    Ok(partnership::Entity::find()
        .filter(partnership::Column::ApplicationId.eq(application_id))
        .one(db)
        .await?)
}

async fn record_stage(
    db: &WriteTxn,
    id: Uuid,
    from: Option<Stage>,
    to: Stage,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    partnership_stage_change::ActiveModel {
        partnership_id: Set(id),
        from_stage: Set(from),
        to_stage: Set(to),
        actor: Set(actor.to_owned()),
        changed_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves a partnership to `to` at `at`. The first time it reaches `started`
/// fixes the year it counts for; ending it later keeps that year, and moving
/// it back before `started` (a correction) removes it from the count.
pub async fn change_stage(
    services: &Services,
    id: Uuid,
    to: Stage,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = begin_write(&services.db).await?;
    let current = partnership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = current.stage;
    if from == to {
        return Ok(());
    }
    let started_at = match (to, current.started_at) {
        (Stage::Started, None) => Some(at),
        (stage, _) if stage.in_progress() => None,
        (_, kept) => kept,
    };
    let mut active: partnership::ActiveModel = current.into();
    active.stage = Set(to);
    active.started_at = Set(started_at);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    record_stage(&txn, id, Some(from), to, actor, at).await?;
    let before = serde_json::json!({"stage": from});
    let after = serde_json::json!({"stage": to});
    let subject = format!("partnership {id}");
    audit::record(
        &txn,
        actor,
        "partnership.stage",
        &subject,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_hours(
    services: &Services,
    id: Uuid,
    planned: HoursPerWeek,
    realised: HoursPerWeek,
    actor: &str,
) -> Result<(), AppError> {
    let txn = begin_write(&services.db).await?;
    let current = partnership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = serde_json::json!({"planned": current.planned_hours_per_week, "realised": current.realised_hours_per_week});
    let mut active: partnership::ActiveModel = current.into();
    active.planned_hours_per_week = Set(planned.hours());
    active.realised_hours_per_week = Set(realised.hours());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    let after = serde_json::json!({"planned": planned.hours(), "realised": realised.hours()});
    audit::record(
        &txn,
        actor,
        "partnership.hours",
        &format!("partnership {id}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_target(
    services: &Services,
    year: i32,
    started: i32,
    jobs: Option<f64>,
    actor: &str,
) -> Result<(), AppError> {
    if !(2000..=2100).contains(&year) || !(0..=10_000).contains(&started) {
        return Err(AppError::Validation(
            [("target", crate::domain::ParseError("target-invalid"))].into(),
        ));
    }
    let txn = begin_write(&services.db).await?;
    let existing = partnership_target::Entity::find_by_id(year)
        .one(&txn)
        .await?;
    let model = partnership_target::ActiveModel {
        year: Set(year),
        started_target: Set(started),
        jobs_target: Set(jobs),
        updated_by: Set(actor.to_owned()),
        updated_at: Set(Utc::now()),
    };
    match existing {
        Some(_) => model.update(&txn).await.map(drop)?,
        None => model.insert(&txn).await.map(drop)?,
    }
    let after = serde_json::json!({"year": year, "started": started, "jobs": jobs});
    audit::record(
        &txn,
        actor,
        "partnership.target",
        &year.to_string(),
        None::<&()>,
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One step in a partnership's history.
#[derive(Debug, Serialize)]
pub struct Step {
    pub stage: Stage,
    pub at: String,
    pub actor: String,
}

/// A partnership as the back office lists and exports it.
#[derive(Debug, Serialize)]
pub struct PartnershipRow {
    pub id: Uuid,
    pub notes: String,
    pub history: Vec<Step>,
    pub buyer: String,
    pub sector: &'static str,
    pub supplier: String,
    pub category: Category,
    pub stage: Stage,
    pub planned_hours: f64,
    pub realised_hours: f64,
    pub planned_jobs: String,
    pub realised_jobs: String,
    pub started: Option<String>,
}

fn jobs(hours: f64) -> String {
    format!("{:.1}", HoursPerWeek::new(hours).jobs())
}

/// The read of `size` partnerships (and one more) at `at`, newest first,
/// whose buyer or supplier contains `search` (public for the index check
/// in `tests/api/list_paging.rs`). By when they were recorded, which never
/// changes: a page key that moved when a stage changed would show rows
/// twice or skip them.
pub fn page_query(search: &Search, at: &PageAt<Uuid>, size: usize) -> Select<partnership::Entity> {
    let mut query = partnership::Entity::find();
    if !search.is_empty() {
        let key = Expr::col(partnership::Column::SearchKey);
        query = query.filter(like(key, search.anywhere()));
    }
    let order_by = (partnership::Column::CreatedAt, partnership::Column::Id);
    by_key_then_id(query, order_by, Order::Desc, at, size)
}

/// One page of the partnerships, newest first, each with its
/// history: only the page's histories are read.
pub async fn page(
    db: &impl ConnectionTrait,
    search: &Search,
    at: &PageAt<Uuid>,
) -> Result<Window<PartnershipRow, Uuid>, AppError> {
    read_page(db, search, at, PAGE_SIZE).await
}

async fn read_page(
    db: &impl ConnectionTrait,
    search: &Search,
    at: &PageAt<Uuid>,
    size: usize,
) -> Result<Window<PartnershipRow, Uuid>, AppError> {
    let rows = page_query(search, at, size).all(db).await?;
    let page = Window::from_rows(rows, at, size, |p| p.id);
    let ids: Vec<Uuid> = page.rows.iter().map(|p| p.id).collect();
    let mut histories: HashMap<Uuid, Vec<Step>> = HashMap::new();
    for change in partnership_stage_change::Entity::find()
        .filter(partnership_stage_change::Column::PartnershipId.is_in(ids))
        .order_by_asc(partnership_stage_change::Column::Id)
        .all(db)
        .await?
    {
        histories
            .entry(change.partnership_id)
            .or_default()
            .push(Step {
                at: amsterdam(change.changed_at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                stage: change.to_stage,
                actor: change.actor,
            });
    }
    Ok(page.map(|p| PartnershipRow {
        history: histories.remove(&p.id).unwrap_or_default(),
        notes: p.notes,
        id: p.id,
        planned_jobs: jobs(p.planned_hours_per_week),
        realised_jobs: jobs(p.realised_hours_per_week),
        started: p
            .started_at
            .map(|t| amsterdam(t).format("%Y-%m-%d").to_string()),
        buyer: p.buyer_name,
        sector: p.sector.code(),
        supplier: p.supplier_name,
        category: p.category,
        stage: p.stage,
        planned_hours: p.planned_hours_per_week,
        realised_hours: p.realised_hours_per_week,
    }))
}

/// The partnerships as a spreadsheet: no people, only organisations. How
/// many there are now, the sheet, and the rows a chunk at a time.
pub async fn export(
    db: &DatabaseConnection,
) -> Result<(u64, crate::export::Sheet, ExportRows), AppError> {
    let rows = partnership::Entity::find().count(db).await?;
    let sheet = crate::export::Sheet {
        name: "Partnerships".into(),
        note: None,
        headers: [
            "Opdrachtgever",
            "Sector",
            "Leverancier",
            "Categorie",
            "Fase",
            "Gestart op",
            "Uren gepland",
            "Banen gepland",
            "Uren gerealiseerd",
            "Banen gerealiseerd",
        ]
        .map(String::from)
        .to_vec(),
    };
    let source = ExportRows {
        db: db.clone(),
        at: Some(PageAt::First),
    };
    Ok((rows, sheet, source))
}

pub struct ExportRows {
    db: DatabaseConnection,
    /// Where the next chunk starts; `None` after the last.
    at: Option<PageAt<Uuid>>,
}

#[async_trait::async_trait]
impl RowSource for ExportRows {
    async fn next_chunk(&mut self) -> Result<Option<Vec<Row>>, AppError> {
        let db = &self.db;
        let everything = &Search::default();
        let read = |at| async move { read_page(db, everything, &at, CHUNK).await };
        keyset_chunk(&mut self.at, read, |r: PartnershipRow| {
            vec![
                r.buyer,
                r.sector.to_owned(),
                r.supplier,
                r.category.as_str().to_owned(),
                r.stage.as_str().to_owned(),
                r.started.unwrap_or_default(),
                r.planned_hours.to_string(),
                r.planned_jobs,
                r.realised_hours.to_string(),
                r.realised_jobs,
            ]
        })
        .await
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub started: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Summary {
    pub year: i32,
    pub target: i32,
    /// Jobs to realise this year, when an admin set one.
    #[schema(required)]
    pub jobs_target: Option<f64>,
    pub started: u32,
    pub in_progress: u32,
    /// Of the partnerships that count for the year or are on their way.
    pub jobs_planned: f64,
    /// Of the partnerships that count for the year.
    pub jobs_realised: f64,
    pub by_sector: Vec<Count>,
    pub by_category: Vec<Count>,
    /// Stage of every partnership at the year's end (or now), in lifecycle order.
    #[serde(skip)]
    pub funnel: Vec<(Stage, u32)>,
    /// Started by the end of each month of the year, cumulative.
    #[serde(skip)]
    pub cumulative_by_month: [u32; 12],
}

fn year_in_amsterdam(at: DateTime<Utc>) -> (i32, u32) {
    let local = at.with_timezone(&Amsterdam);
    (local.year(), local.month())
}

/// The moment a year's figures are taken at: the end of that year in
/// Amsterdam, or `now` while the year is not over.
fn cutoff(year: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    year_start(year.saturating_add(1)).map_or(now, |end| end.min(now))
}

/// Each partnership's stage at `at`, from its recorded stage changes.
fn stages_at(
    changes: &[partnership_stage_change::Model],
    at: DateTime<Utc>,
) -> HashMap<Uuid, Stage> {
    let mut ordered: Vec<&partnership_stage_change::Model> =
        changes.iter().filter(|c| c.changed_at <= at).collect();
    ordered.sort_by_key(|c| (c.changed_at, c.id));
    ordered
        .into_iter()
        .map(|c| (c.partnership_id, c.to_stage))
        .collect()
}

/// The counting rules, on plain rows so they can be checked on their own.
/// A year's figures are those at its end (or now, for the year under way):
/// a partnership recorded later does not count (unless its start was
/// recorded as before then), and "in progress" is its stage then, from the
/// stage history.
pub fn summarise(
    partnerships: &[partnership::Model],
    changes: &[partnership_stage_change::Model],
    year: i32,
    now: DateTime<Utc>,
    target: i32,
    jobs_target: Option<f64>,
) -> Summary {
    let cutoff = cutoff(year, now);
    let stages = stages_at(changes, cutoff);
    let mut by_sector: BTreeMap<String, u32> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u32> = BTreeMap::new();
    let mut per_month = [0u32; 12];
    let mut funnel: BTreeMap<Stage, u32> = Stage::ALL.iter().map(|s| (*s, 0)).collect();
    let (mut started, mut in_progress) = (0, 0);
    let (mut planned, mut realised) = (0.0, 0.0);
    // Recorded by then, or recorded later with a start before then.
    let existed = |p: &&partnership::Model| {
        p.created_at <= cutoff || p.started_at.is_some_and(|at| at <= cutoff)
    };
    for p in partnerships.iter().filter(existed) {
        let stage = stages.get(&p.id).copied().unwrap_or(p.stage);
        *funnel.entry(stage).or_default() += 1;
        let counts_for = p.started_at.map(year_in_amsterdam);
        if let Some((y, month)) = counts_for.filter(|(y, _)| *y == year) {
            let _ = y;
            started += 1;
            per_month[(month - 1) as usize] += 1;
            *by_sector.entry(p.sector.code().to_owned()).or_default() += 1;
            *by_category
                .entry(p.category.as_str().to_owned())
                .or_default() += 1;
            planned += HoursPerWeek::new(p.planned_hours_per_week).jobs();
            realised += HoursPerWeek::new(p.realised_hours_per_week).jobs();
        } else if stage.in_progress() {
            in_progress += 1;
            planned += HoursPerWeek::new(p.planned_hours_per_week).jobs();
        }
    }
    let mut cumulative_by_month = [0u32; 12];
    let mut running = 0;
    for (month, n) in per_month.iter().enumerate() {
        running += n;
        cumulative_by_month[month] = running;
    }
    let counts = |m: BTreeMap<String, u32>| {
        m.into_iter()
            .map(|(key, started)| Count { key, started })
            .collect()
    };
    Summary {
        year,
        target,
        jobs_target,
        started,
        in_progress,
        jobs_planned: (planned * 10.0).round() / 10.0,
        jobs_realised: (realised * 10.0).round() / 10.0,
        by_sector: counts(by_sector),
        by_category: counts(by_category),
        funnel: funnel.into_iter().collect(),
        cumulative_by_month,
    }
}

/// A year's figures. The year under way is read from its own starts and
/// the partnerships still on their way, with the stages counted in the
/// database, so its cost does not grow with the years behind it; a past
/// year is taken from the stage history up to its end.
pub async fn summary(db: &impl ConnectionTrait, year: i32) -> Result<Summary, AppError> {
    let set = partnership_target::Entity::find_by_id(year).one(db).await?;
    let target = set.as_ref().map_or(DEFAULT_TARGET, |t| t.started_target);
    let jobs_target = set.and_then(|t| t.jobs_target);
    let now = Utc::now();
    let cutoff = cutoff(year, now);
    if cutoff < now {
        let changes = partnership_stage_change::Entity::find()
            .filter(partnership_stage_change::Column::ChangedAt.lte(cutoff))
            .all(db)
            .await?;
        let all = partnership::Entity::find().all(db).await?;
        return Ok(summarise(&all, &changes, year, now, target, jobs_target));
    }
    let mut counted = Vec::new();
    for read in year_under_way_reads(year) {
        counted.extend(read.all(db).await?);
    }
    let mut summary = summarise(&counted, &[], year, now, target, jobs_target);
    let per_stage: HashMap<Stage, i64> = stage_counts()
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    summary.funnel = Stage::ALL
        .iter()
        .map(|s| (*s, per_stage.get(s).map_or(0, |n| *n as u32)))
        .collect();
    Ok(summary)
}

/// What the year under way counts, each read an index range (public for
/// the index check in `tests/api/list_paging.rs`): until the year ends a
/// partnership's stage then is its stage now, and only the partnerships
/// on their way and those started in the year count.
pub fn year_under_way_reads(year: i32) -> Vec<Select<partnership::Entity>> {
    let on_the_way: Vec<Stage> = Stage::ALL
        .iter()
        .copied()
        .filter(|s| s.in_progress())
        .collect();
    let mut reads =
        vec![partnership::Entity::find()
            .filter(partnership::Column::Stage.is_in(on_the_way.clone()))];
    if let Some((start, end)) = year_start(year).zip(year_start(year.saturating_add(1))) {
        // A start is cleared when a partnership moves back on its way, so
        // these and the ones above are never the same.
        reads.push(
            partnership::Entity::find()
                .filter(partnership::Column::StartedAt.gte(start))
                .filter(partnership::Column::StartedAt.lt(end))
                .filter(partnership::Column::Stage.is_not_in(on_the_way)),
        );
    }
    reads
}

/// How many partnerships are in each stage now, counted from the stage
/// index alone.
pub fn stage_counts() -> Select<partnership::Entity> {
    partnership::Entity::find()
        .select_only()
        .column(partnership::Column::Stage)
        .column_as(partnership::Column::Id.count(), "partnerships")
        .group_by(partnership::Column::Stage)
}

/// The first moment of `year` in Amsterdam.
fn year_start(year: i32) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    Amsterdam
        .with_ymd_and_hms(year, 1, 1, 0, 0, 0)
        .earliest()
        .map(|start| start.with_timezone(&Utc))
}

/// Gives partnerships recorded before they could be searched (migration
/// 000027) their key. Run at start; a no-op once done. Partnerships come
/// by the dozen a year, so one transaction takes them all.
pub async fn key_unkeyed(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let rows = partnership::Entity::find()
        .filter(partnership::Column::SearchKey.eq(""))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let txn = db.begin().await?;
    for row in &rows {
        let key = crate::domain::partnership_search_key(&row.buyer_name, &row.supplier_name);
        partnership::Entity::update_many()
            .col_expr(partnership::Column::SearchKey, Expr::value(key))
            .filter(partnership::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::SectorCode;

    fn row(
        stage: Stage,
        started_at: Option<DateTime<Utc>>,
        planned: f64,
        realised: f64,
    ) -> partnership::Model {
        partnership::Model {
            id: Uuid::new_v4(),
            buyer_organisation_id: Uuid::new_v4(),
            buyer_name: "Gemeente Utrecht".into(),
            sector: SectorCode::parse("GEM").unwrap(),
            supplier_name: "Glans".into(),
            supplier_kvk: None,
            category: Category::Cleaning,
            application_id: None,
            stage,
            planned_hours_per_week: planned,
            realised_hours_per_week: realised,
            notes: String::new(),
            started_at,
            created_at: Utc.with_ymd_and_hms(2025, 1, 2, 9, 0, 0).unwrap(),
            updated_at: Utc::now(),
            search_key: String::new(),
        }
    }

    fn change(
        p: &partnership::Model,
        to: Stage,
        at: DateTime<Utc>,
    ) -> partnership_stage_change::Model {
        partnership_stage_change::Model {
            id: 0,
            partnership_id: p.id,
            from_stage: None,
            to_stage: to,
            actor: "staff@aanmeldpunt.test".into(),
            changed_at: at,
        }
    }

    #[test]
    fn partnerships_count_for_the_year_they_started_even_once_ended() {
        let march = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
        let last_year = Utc.with_ymd_and_hms(2025, 11, 1, 9, 0, 0).unwrap();
        // New Year's Eve 23:30 UTC is already next year in Amsterdam.
        let new_years_eve = Utc.with_ymd_and_hms(2025, 12, 31, 23, 30, 0).unwrap();
        let rows = vec![
            row(Stage::Started, Some(march), 51.0, 25.5),
            row(Stage::Ended, Some(march), 25.5, 12.75),
            row(Stage::Started, Some(last_year), 25.5, 25.5),
            row(Stage::Started, Some(new_years_eve), 0.0, 0.0),
            row(Stage::KickOff, None, 12.75, 0.0),
            row(Stage::Interest, None, 0.0, 0.0),
        ];
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let summary = summarise(&rows, &[], 2026, now, 15, None);
        assert_eq!(
            summary.started, 3,
            "march twice (one ended) and new year's eve in Amsterdam"
        );
        assert_eq!(summary.in_progress, 2);
        assert_eq!(summary.jobs_realised, 1.5, "25.5 + 12.75 hours");
        assert_eq!(
            summary.jobs_planned, 3.5,
            "51 + 25.5 + 12.75 hours over 25.5"
        );
        assert_eq!(summary.cumulative_by_month[0], 1);
        assert_eq!(summary.cumulative_by_month[2], 3);
        assert_eq!(summary.cumulative_by_month[11], 3);
        assert_eq!(
            summary.by_sector,
            vec![Count {
                key: "GEM".into(),
                started: 3
            }]
        );
        assert_eq!(summarise(&rows, &[], 2025, now, 15, None).started, 1);
    }

    #[test]
    fn a_past_year_counts_what_was_there_at_its_end() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let july_2025 = Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap();
        let march_2026 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        // Recorded in 2026, in progress now: nothing of it belongs to 2020.
        let mut recent = row(Stage::KickOff, None, 25.5, 0.0);
        recent.created_at = march_2026;
        // In kick-off at the end of 2025, started in 2026.
        let mut later_started = row(Stage::Started, Some(march_2026), 25.5, 0.0);
        later_started.created_at = july_2025;
        let changes = vec![
            change(&recent, Stage::Interest, march_2026),
            change(&recent, Stage::KickOff, march_2026),
            change(&later_started, Stage::Interest, july_2025),
            change(&later_started, Stage::KickOff, july_2025),
            change(&later_started, Stage::Started, march_2026),
        ];
        let rows = vec![recent, later_started];

        let in_2020 = summarise(&rows, &changes, 2020, now, 15, None);
        assert_eq!((in_2020.started, in_2020.in_progress), (0, 0));
        assert_eq!(in_2020.jobs_planned, 0.0);
        assert!(in_2020.funnel.iter().all(|(_, n)| *n == 0));

        let in_2025 = summarise(&rows, &changes, 2025, now, 15, None);
        assert_eq!(
            (in_2025.started, in_2025.in_progress),
            (0, 1),
            "kick-off then"
        );
        let kick_off = in_2025.funnel.iter().find(|(s, _)| *s == Stage::KickOff);
        assert_eq!(kick_off, Some(&(Stage::KickOff, 1)));

        let in_2026 = summarise(&rows, &changes, 2026, now, 15, None);
        assert_eq!((in_2026.started, in_2026.in_progress), (1, 1));
    }
}
