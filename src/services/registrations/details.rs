//! A person changes their own sign-up through the manage link: name,
//! organisation, sector, function and remarks, never the address (that is
//! a new sign-up). Under the event lock like every change to its
//! registrations. The audit log names the fields that changed, not their
//! values: the log outlives the sign-up, and erasure must not need it.
use chrono::Utc;
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::{register_claim, tokens, LockedEvent};
use crate::domain::{
    sign_up_search_key, Eligibility, EligibilityDecision, Lang, NewRegistration, RegistrationInput,
    RegistrationStatus, TokenPurpose,
};
use crate::error::AppError;
use crate::services::{audit, eligibility, Services};

/// Who the audit log names for a change made through the manage link.
pub const MANAGE_LINK: &str = "aanmelder (beheerlink)";

/// What a person may change of their sign-up, as typed.
#[derive(Debug, Clone, Default)]
pub struct DetailsInput {
    pub name: String,
    pub organisation: String,
    pub sector: String,
    pub job_title: String,
    pub remarks: String,
}

/// Changes the details of the sign-up behind `token`; returns the names
/// of the fields that changed (none when nothing did).
pub async fn change_details(
    services: &Services,
    token: &str,
    input: &DetailsInput,
) -> Result<Vec<&'static str>, AppError> {
    let id = tokens::resolve(&services.db, TokenPurpose::ManageRegistration, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut locked = LockedEvent::of_registration(services, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = locked.change_details(id, input).await?;
    locked.commit().await?;
    Ok(changed)
}

impl LockedEvent<'_> {
    async fn change_details(
        &mut self,
        id: Uuid,
        input: &DetailsInput,
    ) -> Result<Vec<&'static str>, AppError> {
        let reg = self.registration(id).await?;
        if reg.status == RegistrationStatus::Cancelled {
            return Err(AppError::Conflict("error-sign-up-cancelled"));
        }
        if self.event().starts_at <= Utc::now() {
            return Err(AppError::Conflict("error-details-too-late"));
        }
        // The same rules as signing up, with the address kept.
        let typed = RegistrationInput {
            name: input.name.clone(),
            email: reg.email.clone(),
            organisation: input.organisation.clone(),
            sector: input.sector.clone(),
            job_title: input.job_title.clone(),
            remarks: input.remarks.clone(),
        };
        let new = NewRegistration::parse(&typed, reg.lang).map_err(AppError::Validation)?;
        let changed: Vec<&'static str> = [
            ("name", reg.name != new.name.as_str()),
            (
                "organisation",
                reg.organisation != new.organisation.as_str(),
            ),
            ("sector", reg.sector != new.sector),
            (
                "job_title",
                reg.job_title.as_deref() != new.job_title.as_deref(),
            ),
            ("remarks", reg.remarks.as_deref() != new.remarks.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        if changed.is_empty() {
            return Ok(changed);
        }
        let moves_organisation = changed.contains(&"organisation") || changed.contains(&"sector");
        if moves_organisation && self.event().eligibility == Eligibility::PublicSector {
            // Else a market supplier could sign up as a municipality and
            // then become themselves.
            let register = eligibility::decide(self.txn(), register_claim(&new)).await?;
            if register.decision == EligibilityDecision::Ineligible {
                return Err(ineligible(&register, reg.lang));
            }
        }
        let now = Utc::now();
        self.save(reg, |active| {
            active.search_key = Set(sign_up_search_key(
                new.name.as_str(),
                new.email.as_str(),
                new.organisation.as_str(),
            ));
            active.name = Set(new.name.as_str().to_owned());
            active.organisation = Set(new.organisation.as_str().to_owned());
            active.sector = Set(new.sector);
            active.job_title = Set(new.job_title.as_deref().map(str::to_owned));
            active.remarks = Set(new.remarks.as_deref().map(str::to_owned));
            active.changed_by_attendee_at = Set(Some(now));
        })
        .await?;
        let after = serde_json::json!({ "changed": changed });
        let subject = format!("registration {id}");
        audit::record(
            self.txn(),
            MANAGE_LINK,
            "registration.details",
            &subject,
            None::<&()>,
            Some(&after),
        )
        .await?;
        Ok(changed)
    }
}

fn ineligible(register: &eligibility::Decision, lang: Lang) -> AppError {
    AppError::Ineligible(format!(
        "{} {}",
        register.reason(lang),
        crate::i18n::text(lang, "ineligible-public-sector-event")
    ))
}
