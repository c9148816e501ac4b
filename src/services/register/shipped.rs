//! The register the app ships with (`register/` in the repository, compiled
//! in): the CC0 ROO extract and the curated education list. A fresh
//! database gets both on first start, so the app recognises Dutch public
//! employers without anyone importing anything.
use std::io::Read;
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use super::{import, ImportError, ImportOptions, ImportReport, RegisterFormat};
use crate::entities::organisation;

/// `polder_roo_organisaties.csv`, gzip-compressed (register/README.md).
const ROO_EXTRACT: &[u8] = include_bytes!("../../../register/polder_roo_organisaties.csv.gz");
const ROO_FILE_NAME: &str = "polder_roo_organisaties.csv (shipped with the app)";
/// Public universities, hogescholen, MBO colleges and UMCs, each row with
/// its source.
pub const EDUCATION_LIST: &str = include_str!("../../../register/onderwijs.csv");
const EDUCATION_FILE_NAME: &str = "onderwijs.csv (shipped with the app)";

/// What loading the shipped register did, and how long it took.
#[derive(Debug)]
pub struct ShippedLoad {
    pub roo: ImportReport,
    pub education: ImportReport,
    pub took: Duration,
}

/// Loads the shipped register when the register is empty; `None` when
/// there already is one.
pub async fn load_shipped_if_empty(
    db: &DatabaseConnection,
) -> Result<Option<ShippedLoad>, ImportError> {
    if organisation::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    load_shipped(db, "first start").await.map(Some)
}

/// Imports the shipped ROO extract and education list (again): as any
/// import, it adds what is new and changes nothing that is the same.
pub async fn load_shipped(
    db: &DatabaseConnection,
    actor: &str,
) -> Result<ShippedLoad, ImportError> {
    let started = Instant::now();
    let mut csv = Vec::new();
    flate2::read::GzDecoder::new(ROO_EXTRACT).read_to_end(&mut csv)?;
    let roo = import(
        db,
        csv.as_slice(),
        RegisterFormat::Roo,
        &ImportOptions::new(ROO_FILE_NAME, actor),
        &mut |_, _| {},
    )
    .await?;
    let education = import(
        db,
        EDUCATION_LIST.as_bytes(),
        RegisterFormat::Curated,
        &ImportOptions::new(EDUCATION_FILE_NAME, actor),
        &mut |_, _| {},
    )
    .await?;
    Ok(ShippedLoad {
        roo,
        education,
        took: started.elapsed(),
    })
}

/// The shipped ROO extract as CSV text, for tests that walk it.
pub fn roo_extract() -> Result<String, std::io::Error> {
    let mut csv = String::new();
    flate2::read::GzDecoder::new(ROO_EXTRACT).read_to_string(&mut csv)?;
    Ok(csv)
}
