//! An organiser's own message to a meeting's people, through the outbox
//! like every other mail: same retries, mail log and erasure rules. It is
//! written under the event's lock, so its audience is the list as it
//! stands when it is sent, and it is recorded with its count.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::locked::LockedEvent;
use crate::domain::{Audience, Lang, MailKind, MessageDraft, RegistrationStatus, TokenPurpose};
use crate::entities::{event_message, registration};
use crate::error::AppError;
use crate::format;
use crate::mail::links::{LinkToIssue, LinksToIssue};
use crate::mail::outbox::{pending_row, About, NewMail};
use crate::services::audit;

#[derive(Serialize)]
struct MessageMail<'a> {
    lang: &'static str,
    name: &'a str,
    event_title: &'a str,
    date: String,
    time: String,
    location: &'a str,
    event_url: String,
    subject: &'a str,
    body: &'a str,
    /// `manage_url`, issued when the mail is sent.
    links_to_issue: LinksToIssue,
}

/// Whether `reg` is among `audience`.
pub fn reaches(audience: Audience, reg: &registration::Model) -> bool {
    match audience {
        Audience::Confirmed => reg.status == RegistrationStatus::Confirmed,
        Audience::Waitlisted => reg.status == RegistrationStatus::Waitlisted,
        Audience::CheckedIn => {
            reg.status == RegistrationStatus::Confirmed && reg.checked_in_at.is_some()
        }
        Audience::Everyone => reg.status != RegistrationStatus::Cancelled,
    }
}

impl LockedEvent<'_> {
    /// The people `audience` names, as the list stands now.
    pub async fn audience(&self, audience: Audience) -> Result<Vec<registration::Model>, AppError> {
        let live = registration::Entity::find()
            .filter(registration::Column::EventId.eq(self.event().id))
            .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
            .all(self.txn())
            .await?;
        Ok(live.into_iter().filter(|r| reaches(audience, r)).collect())
    }

    /// Queues `draft` to its audience and records it; returns how many it
    /// goes to. Nothing is written for an audience of nobody.
    pub async fn send_message(
        &mut self,
        draft: &MessageDraft,
        staff: &str,
    ) -> Result<usize, AppError> {
        let people = self.audience(draft.audience).await?;
        if people.is_empty() {
            return Err(AppError::Conflict("error-message-nobody"));
        }
        let event = self.event().clone();
        for reg in &people {
            let title = match reg.lang {
                Lang::Nl => &event.title_nl,
                Lang::En => &event.title_en,
            };
            let path = format!("/events/{}?lang={}", event.slug, reg.lang.code());
            let mut links = LinksToIssue::new();
            let manage =
                LinkToIssue::new(TokenPurpose::ManageRegistration, reg.id, "/manage/", None);
            links.insert("manage_url", manage);
            let context = MessageMail {
                lang: reg.lang.code(),
                name: &reg.name,
                event_title: title,
                date: format::long_date(event.starts_at, reg.lang),
                time: format::time_range(event.starts_at, event.ends_at),
                location: &event.location,
                event_url: self.services().link(&path),
                subject: draft.subject.as_str(),
                body: draft.body.as_str(),
                links_to_issue: links,
            };
            let row = pending_row(
                &self.services().views,
                NewMail {
                    kind: MailKind::EventMessage,
                    recipient: &reg.email,
                    context: &context,
                    ics: None,
                    about: About::Registration {
                        event_id: event.id,
                        registration_id: reg.id,
                    },
                },
            )?;
            self.mail_ready(row);
        }
        let recipients = i32::try_from(people.len()).unwrap_or(i32::MAX);
        let id = Uuid::new_v4();
        event_message::ActiveModel {
            id: Set(id),
            event_id: Set(event.id),
            audience: Set(draft.audience),
            subject: Set(draft.subject.as_str().to_owned()),
            body: Set(draft.body.as_str().to_owned()),
            sent_by: Set(staff.to_owned()),
            recipients: Set(recipients),
            created_at: Set(Utc::now()),
        }
        .insert(self.txn())
        .await?;
        let after = serde_json::json!({"message": id, "audience": draft.audience, "recipients": recipients});
        audit::record(
            self.txn(),
            staff,
            "event.message",
            &event.slug,
            None::<&()>,
            Some(&after),
        )
        .await?;
        Ok(people.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_reaches_its_people_and_never_the_cancelled() {
        let now = Utc::now();
        let person = |status, checked_in: bool| registration::Model {
            id: Uuid::new_v4(),
            event_id: Uuid::new_v4(),
            name: "Anna".into(),
            email: "anna@utrecht.nl".into(),
            organisation: "Gemeente Utrecht".into(),
            sector: crate::domain::SectorCode::parse("GEM").unwrap(),
            job_title: None,
            remarks: None,
            lang: Lang::Nl,
            status,
            queue_number: 1,
            ics_sequence: 0,
            created_at: now,
            confirmed_at: None,
            cancelled_at: None,
            updated_at: now,
            checked_in_at: checked_in.then_some(now),
            submission_key: None,
            calendar_uid: None,
            search_key: String::new(),
            changed_by_attendee_at: None,
        };
        let confirmed = person(RegistrationStatus::Confirmed, false);
        let present = person(RegistrationStatus::Confirmed, true);
        let waiting = person(RegistrationStatus::Waitlisted, false);
        let cancelled = person(RegistrationStatus::Cancelled, false);
        let reached = |audience| {
            [&confirmed, &present, &waiting, &cancelled]
                .into_iter()
                .filter(|r| reaches(audience, r))
                .count()
        };
        assert_eq!(reached(Audience::Confirmed), 2);
        assert_eq!(reached(Audience::CheckedIn), 1);
        assert_eq!(reached(Audience::Waitlisted), 1);
        assert_eq!(reached(Audience::Everyone), 3);
    }
}
