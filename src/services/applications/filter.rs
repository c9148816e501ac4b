//! What staff look for among the applications: an organisation or an
//! address, and a status. The organisation is compared by its register
//! key (case, accents, punctuation and a leading "Gemeente" do not
//! count), the address without case; `%` and `_` are what they are.
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, QueryFilter, Select};

use crate::domain::{ApplicationStatus, NameKey, ParseError, Search};
use crate::entities::pilot_application;
use crate::services::paging::like;

#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    organisation: Search,
    address: Search,
    status: Option<ApplicationStatus>,
}

impl ReviewFilter {
    /// The filters as typed, each refused with the field it came in.
    pub fn parse(query: &str, status: &str) -> Result<Self, (&'static str, ParseError)> {
        let address = Search::parse(query).map_err(|e| ("q", e))?;
        let organisation = match address.is_empty() {
            true => Search::default(),
            false => Search::parse(&NameKey::of(query).key).map_err(|e| ("q", e))?,
        };
        let status = match status.trim() {
            "" => None,
            other => Some(
                ApplicationStatus::from_name(other)
                    .ok_or(("status", ParseError("status-unknown")))?,
            ),
        };
        Ok(ReviewFilter {
            organisation,
            address,
            status,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.address.is_empty() && self.status.is_none()
    }

    pub(super) fn apply(
        &self,
        query: Select<pilot_application::Entity>,
    ) -> Select<pilot_application::Entity> {
        let query = match self.status {
            Some(status) => query.filter(pilot_application::Column::Status.eq(status)),
            None => query,
        };
        if self.address.is_empty() {
            return query;
        }
        let email = Func::lower(Expr::col(pilot_application::Column::Email));
        let mut either = Condition::any().add(like(email, self.address.anywhere()));
        if !self.organisation.is_empty() {
            let key = Expr::col(pilot_application::Column::OrganisationKey);
            either = either.add(like(key, self.organisation.anywhere()));
        }
        query.filter(either)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_status_is_refused_on_its_field() {
        assert_eq!(ReviewFilter::parse("", "gekeurd").unwrap_err().0, "status");
        assert!(ReviewFilter::parse("", "accepted").is_ok());
        assert!(ReviewFilter::parse("", "").unwrap().is_empty());
        assert_eq!(ReviewFilter::parse("a\u{0}b", "").unwrap_err().0, "q");
    }
}
