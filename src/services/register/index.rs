//! Finding the existing organisation an import row describes.
use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::parse::Entry;
use crate::entities::organisation::{self, OrganisationSource};

/// Existing organisations by each key an import row may carry.
#[derive(Default)]
pub(super) struct KeyIndex {
    register_id: HashMap<String, Uuid>,
    oin: HashMap<String, Uuid>,
    kvk: HashMap<String, Uuid>,
    staff_name: HashMap<String, Uuid>,
    /// (dataset, organisation code) -> organisations, for renames.
    code: HashMap<(String, String), Vec<Uuid>>,
    register_id_of: HashMap<Uuid, String>,
}

impl KeyIndex {
    pub fn add(&mut self, org: &organisation::Model) {
        if let Some(k) = &org.register_id {
            self.register_id.insert(k.clone(), org.id);
            self.register_id_of.insert(org.id, k.clone());
        }
        if let Some(k) = &org.oin {
            self.oin.insert(k.clone(), org.id);
        }
        if let Some(k) = &org.kvk {
            self.kvk.entry(k.clone()).or_insert(org.id);
        }
        if org.source == OrganisationSource::Staff {
            self.staff_name.insert(org.name.to_lowercase(), org.id);
        }
        if let (Some(dataset), Some(code)) = (&org.dataset, &org.organisation_code) {
            let ids = self
                .code
                .entry((dataset.clone(), code.clone()))
                .or_default();
            if !ids.contains(&org.id) {
                ids.push(org.id);
            }
        }
    }

    pub fn find(&self, entry: &Entry) -> Option<Uuid> {
        let by = |map: &HashMap<String, Uuid>, key: &Option<String>| {
            key.as_ref().and_then(|k| map.get(k)).copied()
        };
        if entry.register_id.is_some() {
            // A register row with an id is that row: its KvK may be shared
            // by several organisations (all ministries have the State's).
            // Several register rows may share an OIN, so no fallback here.
            return by(&self.register_id, &entry.register_id);
        }
        by(&self.oin, &entry.oin)
            .or_else(|| by(&self.kvk, &entry.kvk))
            .or_else(|| self.staff_name.get(&entry.name.to_lowercase()).copied())
    }

    /// The one organisation of `dataset` with the entry's organisation code
    /// (gm/pv/ws code) whose own register id the file no longer lists as
    /// current: the file renamed it under a new id.
    pub fn renamed(
        &self,
        entry: &Entry,
        dataset: &str,
        current_ids: &HashSet<String>,
    ) -> Option<Uuid> {
        let code = entry.organisation_code.as_ref()?;
        let candidates: Vec<Uuid> = self
            .code
            .get(&(dataset.to_owned(), code.clone()))?
            .iter()
            .copied()
            .filter(|id| {
                self.register_id_of
                    .get(id)
                    .is_some_and(|old| !current_ids.contains(old))
            })
            .collect();
        match candidates.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    pub fn by_register_id(&self, register_id: &str) -> Option<Uuid> {
        self.register_id.get(register_id).copied()
    }
}
