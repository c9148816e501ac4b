//! Staff reviewing pilot applications: the list with eligibility reasons
//! and the organisation's place, vouching for one application
//! (never for a register entry), and merging a second application of an
//! organisation into the one that holds its place.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, Order};
use serde::Serialize;
use uuid::Uuid;

use super::filter::ReviewFilter;
use super::mail::queue_status_mail;
use super::places;
use super::transition::{locked, record};
use crate::domain::{
    ApplicationStatus, EligibilityDecision, Lang, PageAt, ParseError, Window, PAGE_SIZE,
};
use crate::entities::{pilot, pilot_application};
use crate::error::AppError;
use crate::services::paging::by_key_then_id;
use crate::services::{audit, Services};

/// An application as staff review it.
#[derive(Debug, Serialize)]
pub struct ReviewRow {
    pub id: Uuid,
    pub pilot: String,
    pub organisation: String,
    /// The name as typed, when the register entry is named otherwise.
    pub typed_organisation: Option<String>,
    pub sector: String,
    pub contact_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub current_suppliers: String,
    pub market_partner: Option<String>,
    pub motivation: String,
    pub expected_jobs: i32,
    pub status: ApplicationStatus,
    pub decision: EligibilityDecision,
    pub reason: String,
    pub created_at: String,
    pub holds_place: bool,
    /// The application holding the organisation's place, when another does.
    pub second_to: Option<Uuid>,
    pub vouched_by: Option<String>,
    pub vouched_at: Option<String>,
    pub vouch_reason: Option<String>,
    /// Open, unconfirmed: staff may vouch for it.
    pub can_vouch: bool,
    /// The partnership made from it, so nobody makes a second one and a
    /// withdrawal shows which partnership it concerns.
    pub partnership: Option<PartnershipLink>,
}

#[derive(Debug, Serialize)]
pub struct PartnershipLink {
    pub id: Uuid,
    pub buyer: String,
    pub supplier: String,
}

fn local(at: chrono::DateTime<Utc>) -> String {
    crate::services::events::amsterdam(at)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// One page of the applications, newest first, keyed by application id.
pub async fn review_page(
    db: &impl ConnectionTrait,
    filter: &ReviewFilter,
    at: &PageAt<Uuid>,
) -> Result<Window<ReviewRow, Uuid>, AppError> {
    read_page(db, filter, at, PAGE_SIZE).await
}

/// The read of `size` applications (and one more) matching `filter` at
/// `at`, newest first (public for the index check in
/// `tests/api/list_paging.rs`).
pub fn page_query(
    filter: &ReviewFilter,
    at: &PageAt<Uuid>,
    size: usize,
) -> sea_orm::Select<pilot_application::Entity> {
    let order_by = (
        pilot_application::Column::CreatedAt,
        pilot_application::Column::Id,
    );
    let matching = filter.apply(pilot_application::Entity::find());
    by_key_then_id(matching, order_by, Order::Desc, at, size)
}

pub(super) async fn read_page(
    db: &impl ConnectionTrait,
    filter: &ReviewFilter,
    at: &PageAt<Uuid>,
    size: usize,
) -> Result<Window<ReviewRow, Uuid>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let rows = page_query(filter, at, size).all(db).await?;
    let page = Window::from_rows(rows, at, size, |a| a.id);
    let ids: Vec<Uuid> = page.rows.iter().map(|a| a.id).collect();
    // Pilots are few; partnerships only of the applications shown.
    let pilots: std::collections::HashMap<Uuid, String> = pilot::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.title_nl))
        .collect();
    let mut partnerships: std::collections::HashMap<Uuid, PartnershipLink> =
        crate::entities::partnership::Entity::find()
            .filter(crate::entities::partnership::Column::ApplicationId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| {
                let link = PartnershipLink {
                    id: p.id,
                    buyer: p.buyer_name,
                    supplier: p.supplier_name,
                };
                Some((p.application_id?, link))
            })
            .collect();
    Ok(page.map(|a| ReviewRow {
        partnership: partnerships.remove(&a.id),
        id: a.id,
        pilot: pilots.get(&a.pilot_id).cloned().unwrap_or_default(),
        can_vouch: a.status.is_open() && a.eligibility_decision == EligibilityDecision::NeedsReview,
        status: a.status,
        decision: a.eligibility_decision,
        created_at: local(a.created_at),
        organisation: a.organisation_name,
        typed_organisation: a.typed_organisation,
        sector: a.sector.code().to_owned(),
        contact_name: a.contact_name,
        email: a.email,
        phone: a.phone,
        current_suppliers: a.current_suppliers,
        market_partner: a.market_partner,
        motivation: a.motivation,
        expected_jobs: a.expected_jobs,
        reason: a.eligibility_reason,
        holds_place: a.holds_place,
        second_to: a.duplicate_of,
        vouched_by: a.vouched_by,
        vouched_at: a.vouched_at.map(local),
        vouch_reason: a.vouch_reason,
    }))
}

/// A staff member vouches for the organisation behind one "needs review"
/// application, with a reason: the decision is recorded on the application
/// (who, when, why) and audited. Nothing is written into the register, so
/// the next applicant with the same address is judged afresh.
pub async fn vouch(
    services: &Services,
    id: Uuid,
    staff: &str,
    reason: &str,
) -> Result<pilot_application::Model, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Validation(
            [("reason", ParseError("required"))].into(),
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::Validation(
            [("reason", ParseError("too-long"))].into(),
        ));
    }
    let txn = crate::db::begin_write(&services.db).await?;
    let application = locked(&txn, id).await?;
    if application.eligibility_decision != EligibilityDecision::NeedsReview
        || !application.status.is_open()
    {
        return Err(AppError::Conflict("error-application-state"));
    }
    let now = Utc::now();
    let before = serde_json::json!({"decision": application.eligibility_decision, "reason": application.eligibility_reason});
    let (pilot_id, key) = (application.pilot_id, application.organisation_key.clone());
    let mut active: pilot_application::ActiveModel = application.into();
    active.eligibility_decision = Set(EligibilityDecision::Eligible);
    active.eligibility_reason = Set(crate::i18n::text_with(
        Lang::Nl,
        "eligibility-vouched-by-staff",
        &[
            ("staff", staff.to_owned()),
            ("date", local(now)),
            ("reason", reason.to_owned()),
        ],
    ));
    active.vouched_by = Set(Some(staff.to_owned()));
    active.vouched_at = Set(Some(now));
    active.vouch_reason = Set(Some(reason.to_owned()));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    places::settle(&txn, pilot_id, &key).await?;
    let updated = pilot_application::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let after = serde_json::json!({
        "decision": updated.eligibility_decision,
        "vouched_by": staff,
        "reason": reason,
        "organisation": updated.organisation_name,
        "holds_place": updated.holds_place,
    });
    audit::record(
        &txn,
        staff,
        "application.vouch",
        &format!("application {id}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Staff fold a second application of an organisation into the one that
/// holds its place: it becomes `merged`, its contact is told that staff
/// will be in touch, and the holder is unchanged.
pub async fn merge(
    services: &Services,
    id: Uuid,
    staff: &str,
) -> Result<pilot_application::Model, AppError> {
    let txn = crate::db::begin_write(&services.db).await?;
    let application = locked(&txn, id).await?;
    let Some(holder) = application
        .duplicate_of
        .filter(|_| application.status.is_open())
    else {
        return Err(AppError::Conflict("error-application-state"));
    };
    let from = application.status;
    let (pilot_id, key) = (application.pilot_id, application.organisation_key.clone());
    let mut active: pilot_application::ActiveModel = application.into();
    active.status = Set(ApplicationStatus::Merged);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    places::settle(&txn, pilot_id, &key).await?;
    let reason = format!("samengevoegd met aanmelding {holder}");
    record(&txn, &updated, Some(from), staff, Some(&reason)).await?;
    audit::record(
        &txn,
        staff,
        "application.merge",
        &format!("application {id}"),
        None::<&()>,
        Some(&serde_json::json!({"merged_into": holder})),
    )
    .await?;
    queue_status_mail(&txn, services, &updated, None).await?;
    txn.commit().await?;
    services.mail_queued.notify_one();
    Ok(updated)
}

/// What an accepted application brings to a new partnership: the buyer
/// from the register and the pilot's procurement category.
pub async fn partnership_from(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<crate::services::partnerships::NewPartnership, AppError> {
    let application = pilot_application::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if application.status != ApplicationStatus::Accepted {
        return Err(AppError::Conflict("error-application-state"));
    }
    let buyer = application
        .organisation_id
        .ok_or(AppError::Conflict("error-buyer-not-public"))?;
    let pilot = pilot::Entity::find_by_id(application.pilot_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::services::partnerships::NewPartnership {
        buyer_organisation_id: buyer,
        supplier_name: application
            .market_partner
            .clone()
            .unwrap_or_else(|| application.current_suppliers.chars().take(300).collect()),
        supplier_kvk: None,
        category: pilot.category,
        planned: crate::domain::HoursPerWeek::new(
            f64::from(application.expected_jobs) * crate::domain::HOURS_PER_JOB,
        ),
        notes: format!("Uit aanmelding voor {}", pilot.title_nl),
        application_id: Some(application.id),
    })
}
