//! The export of every pilot application, newest first, read a chunk at a
//! time in the review list's order.
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use super::filter::ReviewFilter;
use super::review::{read_page, ReviewRow};
use crate::domain::PageAt;
use crate::entities::pilot_application;
use crate::error::AppError;
use crate::export::{Row, Sheet};
use crate::services::exports::{keyset_chunk, RowSource, CHUNK};

/// How many applications there are now, the sheet, and the rows.
pub async fn export(db: &DatabaseConnection) -> Result<(u64, Sheet, ExportRows), AppError> {
    let rows = pilot_application::Entity::find().count(db).await?;
    let source = ExportRows {
        db: db.clone(),
        at: Some(PageAt::First),
    };
    Ok((rows, sheet(), source))
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
        let read = |at| async move { read_page(db, &ReviewFilter::default(), &at, CHUNK).await };
        keyset_chunk(&mut self.at, read, row).await
    }
}

fn sheet() -> Sheet {
    Sheet {
        name: "Aanmeldingen proeftuinen".into(),
        note: None,
        headers: [
            "Proeftuin",
            "Organisatie",
            "Getypte naam",
            "Sector",
            "Contactpersoon",
            "E-mail",
            "Telefoon",
            "Huidige leveranciers",
            "Marktpartij",
            "Motivatie",
            "Verwachte banen",
            "Status",
            "Beoordeling",
            "Reden",
            "Plaats van de organisatie",
            "Bevestigd door",
            "Ontvangen",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn row(r: ReviewRow) -> Row {
    vec![
        r.pilot,
        r.organisation,
        r.typed_organisation.unwrap_or_default(),
        r.sector,
        r.contact_name,
        r.email,
        r.phone.unwrap_or_default(),
        r.current_suppliers,
        r.market_partner.unwrap_or_default(),
        r.motivation,
        r.expected_jobs.to_string(),
        r.status.as_str().to_owned(),
        r.decision.as_str().to_owned(),
        r.reason,
        match (r.holds_place, r.second_to) {
            (true, _) => "houdt de plaats".to_owned(),
            (false, Some(first)) => format!("tweede aanmelding (plaats: {first})"),
            _ => String::new(),
        },
        r.vouched_by.unwrap_or_default(),
        r.created_at,
    ]
}
