//! The sector list as API clients and forms see it.
use serde::Serialize;

use crate::domain::{Lang, SectorCode, SectorGroup};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SectorView {
    pub code: &'static str,
    pub name: &'static str,
    pub group: SectorGroup,
}

pub fn list(lang: Lang) -> Vec<SectorView> {
    SectorCode::all()
        .map(|s| SectorView {
            code: s.code(),
            name: s.name(lang),
            group: s.group(),
        })
        .collect()
}
