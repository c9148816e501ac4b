//! Signing up a batch of people (see [`super::queue`]) through one
//! [`LockedEvent`] per event: the event locked once, seats counted once,
//! earlier sign-ups looked up in two queries, and every new row, token and
//! outbox row inserted a few statements per table. Each sign-up still gets
//! exactly the answer it would get alone, in arrival order.
use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, RuntimeErr, TryIntoModel,
};
use uuid::Uuid;

use super::decide::{self, Asking, Earlier, Refusal, SignUpDecision};
use super::locked::LockedEvent;
use super::mail::{MailFlags, Occasion};
use super::queue::{Answer, Waiting};
use super::{register_claim, Registered};
use crate::db::{EventKey, WriteTxn};
use crate::domain::{
    sign_up_search_key, EventStatus, MailKind, NewRegistration, RegistrationStatus,
};
use crate::entities::registration;
use crate::error::AppError;
use crate::services::limits::Limit;
use crate::services::{audit, eligibility, Services};

/// One person to sign up for the event `slug`. `by_staff` names the
/// organiser adding them by hand, who may do so outside the registration
/// window and without the eligibility check, but not past the seats.
pub(super) struct SignUp {
    pub(super) slug: String,
    pub(super) new: NewRegistration,
    pub(super) by_staff: Option<String>,
    /// The register's answer, asked before queueing when the event seemed
    /// public-sector-only; when it is and there is no answer, the batch
    /// asks under the lock.
    pub(super) eligibility: Option<eligibility::Decision>,
}

/// What a sign-up is answered once its batch committed. A replay is looked
/// up by its caller, not while the batch holds the queue's turn.
pub(super) enum Done {
    Registered(Registered),
    /// The same submission came in before, as this sign-up.
    Replayed(Uuid),
}

/// What became of one sign-up once its transaction committed.
enum Outcome {
    Registered(Registered),
    Replayed(Uuid),
    Refused(AppError),
}

/// Signs up and answers everyone in `batch`, event by event.
pub(super) async fn sign_up_batch(services: &Services, batch: Vec<Waiting>) {
    let mut by_event: Vec<(String, Vec<Waiting>)> = Vec::new();
    for waiting in batch {
        match by_event
            .iter_mut()
            .find(|(slug, _)| *slug == waiting.sign_up.slug)
        {
            Some((_, group)) => group.push(waiting),
            None => by_event.push((waiting.sign_up.slug.clone(), vec![waiting])),
        }
    }
    for (slug, group) in by_event {
        answer_group(services, &slug, group).await;
    }
}

async fn answer_group(services: &Services, slug: &str, group: Vec<Waiting>) {
    let (sign_ups, replies): (Vec<SignUp>, Vec<_>) =
        group.into_iter().map(|w| (w.sign_up, w.reply)).unzip();
    services.sign_ups.record_batch(sign_ups.len());
    match sign_up_together(services, slug, &sign_ups).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // A caller that went away no longer needs its answer.
                let _ = reply.send(answer(outcome));
            }
        }
        Err(err) if sign_ups.len() == 1 => {
            let _ = replies.into_iter().next().map(|reply| reply.send(Err(err)));
        }
        Err(AppError::Unavailable(cause)) => {
            // Trying each alone would make everyone wait out the timeout.
            for reply in replies {
                let copy = DbErr::Conn(RuntimeErr::Internal(cause.to_string()));
                let _ = reply.send(Err(AppError::Unavailable(copy)));
            }
        }
        Err(err) => {
            // Something in the batch failed the transaction: sign each one
            // up alone, so only the sign-up at fault gets the error.
            tracing::warn!(
                "sign-up batch of {} failed, retrying one by one: {err}",
                replies.len()
            );
            for (sign_up, reply) in sign_ups.iter().zip(replies) {
                let alone = sign_up_together(services, slug, std::slice::from_ref(sign_up)).await;
                let answer = match alone {
                    Ok(mut outcomes) => match outcomes.pop() {
                        Some(outcome) => answer(outcome),
                        None => Err(AppError::NotFound),
                    },
                    Err(err) => Err(err),
                };
                let _ = reply.send(answer);
            }
        }
    }
}

fn answer(outcome: Outcome) -> Answer {
    match outcome {
        Outcome::Registered(registered) => Ok(Done::Registered(registered)),
        Outcome::Replayed(id) => Ok(Done::Replayed(id)),
        Outcome::Refused(err) => Err(err),
    }
}

/// Signs up `sign_ups`, all for the event `slug`, in one transaction. An
/// `Err` means nothing was written.
async fn sign_up_together(
    services: &Services,
    slug: &str,
    sign_ups: &[SignUp],
) -> Result<Vec<Outcome>, AppError> {
    let Some(mut locked) = LockedEvent::open(services, EventKey::Slug(slug)).await? else {
        return Ok(sign_ups
            .iter()
            .map(|_| Outcome::Refused(AppError::NotFound))
            .collect());
    };
    services.sign_ups.remember_public_sector_only(
        slug,
        locked.event().eligibility == crate::domain::Eligibility::PublicSector,
    );
    let mut book = Book::read(locked.txn(), locked.event().id, sign_ups).await?;
    let mut outcomes = Vec::with_capacity(sign_ups.len());
    for sign_up in sign_ups {
        outcomes.push(locked.sign_up(&mut book, sign_up).await?);
    }
    locked.commit().await?;
    Ok(outcomes)
}

/// Earlier sign-ups of the batch's people, kept up to date as the batch
/// adds its own.
struct Book {
    /// Active sign-ups by address.
    by_email: HashMap<String, registration::Model>,
    /// Addresses with a cancelled sign-up for the event.
    cancelled_before: HashSet<String>,
    /// Sign-ups by the submission key they came with.
    by_key: HashMap<String, registration::Model>,
    /// Waiting-list places of this batch's own rows, not yet in the table.
    new_positions: HashMap<Uuid, u64>,
}

impl Book {
    /// Two queries, not one with OR: SQLite planned the OR as a walk over
    /// every sign-up of the event, each one an index seek. The first reads
    /// cancelled sign-ups too (the same index), to tell a new sign-up from
    /// one after a cancellation.
    async fn read(txn: &WriteTxn, event_id: Uuid, sign_ups: &[SignUp]) -> Result<Self, DbErr> {
        let emails = sign_ups.iter().map(|s| s.new.email.as_str());
        let (cancelled, active): (Vec<_>, Vec<_>) = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::Email.is_in(padded(emails)))
            .all(txn)
            .await?
            .into_iter()
            .partition(|r| r.status == RegistrationStatus::Cancelled);
        let keys = padded(
            sign_ups
                .iter()
                .filter_map(|s| Some(s.new.submission_key.as_ref()?.as_str())),
        );
        let mut by_key = HashMap::new();
        if !keys.is_empty() {
            let replayed = registration::Entity::find()
                .filter(registration::Column::EventId.eq(event_id))
                .filter(registration::Column::SubmissionKey.is_in(keys))
                .all(txn)
                .await?;
            for row in replayed {
                if let Some(key) = row.submission_key.clone() {
                    by_key.insert(key, row);
                }
            }
        }
        Ok(Book {
            by_email: active.into_iter().map(|r| (r.email.clone(), r)).collect(),
            cancelled_before: cancelled.into_iter().map(|r| r.email).collect(),
            by_key,
            new_positions: HashMap::new(),
        })
    }

    fn earlier(&self, new: &NewRegistration) -> Earlier {
        let key = new.submission_key.as_ref().map(|k| k.as_str());
        if let Some(earlier) = key.and_then(|key| self.by_key.get(key)) {
            return match same_sign_up(new, earlier) {
                true => Earlier::SameSubmission(earlier.id),
                false => Earlier::KeyUsedForAnotherSignUp,
            };
        }
        match self.by_email.get(new.email.as_str()) {
            Some(existing) => Earlier::SameAddress(existing.id),
            None => Earlier::None,
        }
    }
}

/// Whether `new` asks for what `earlier` holds, field by field as parsed
/// (so spaces around a value or the case of an address do not count).
fn same_sign_up(new: &NewRegistration, earlier: &registration::Model) -> bool {
    new.name.as_str() == earlier.name
        && new.email.as_str() == earlier.email
        && new.organisation.as_str() == earlier.organisation
        && new.sector == earlier.sector
        && new.job_title.as_deref() == earlier.job_title.as_deref()
        && new.remarks.as_deref() == earlier.remarks.as_deref()
        && new.lang == earlier.lang
}

/// The values, the last one repeated up to the next power of two: every
/// list length is a statement of its own (see `insert_in_chunks`).
fn padded<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut values: Vec<String> = values.map(str::to_owned).collect();
    if let Some(last) = values.last().cloned() {
        values.resize(values.len().next_power_of_two(), last);
    }
    values
}

impl LockedEvent<'_> {
    async fn sign_up(&mut self, book: &mut Book, sign_up: &SignUp) -> Result<Outcome, AppError> {
        let new = &sign_up.new;
        if self.event().status == EventStatus::Draft && sign_up.by_staff.is_none() {
            return Ok(Outcome::Refused(AppError::NotFound));
        }
        let now = Utc::now();
        let earlier = book.earlier(new);
        let mut register = sign_up.eligibility.clone();
        let mut asking = Asking {
            by_staff: sign_up.by_staff.is_some(),
            register_says: register.as_ref().map(|d| d.decision),
        };
        let mut decision = decide::sign_up(self.state(), earlier, asking, now);
        if decision == SignUpDecision::Refuse(Refusal::AskTheRegister) {
            let asked = eligibility::decide(self.txn(), register_claim(new)).await?;
            asking.register_says = Some(asked.decision);
            register = Some(asked);
            decision = decide::sign_up(self.state(), earlier, asking, now);
        }
        let status = match decision {
            SignUpDecision::Replay(id) => return Ok(Outcome::Replayed(id)),
            SignUpDecision::AlreadySignedUp(id) => {
                // Once an hour at most: a form sent again and again must not
                // make the site mail someone over and over. An organiser
                // adding someone already there is told so, not the person.
                let limits = &self.services().limits;
                if sign_up.by_staff.is_none()
                    && limits
                        .check(Limit::LinksResent, &id.to_string())
                        .await
                        .is_ok()
                {
                    self.send_links_again(book, new, id);
                }
                return Ok(Outcome::Refused(AppError::Duplicate));
            }
            SignUpDecision::Refuse(refusal) => {
                return Ok(Outcome::Refused(refused(refusal, register.as_ref(), new)))
            }
            SignUpDecision::Confirm => RegistrationStatus::Confirmed,
            SignUpDecision::Waitlist => RegistrationStatus::Waitlisted,
        };
        let row = new_row(self.event().id, new.clone(), status, self.next_number());
        let model = row.clone().try_into_model()?;
        self.add_new(row, &model);
        let waitlist_position = (status == RegistrationStatus::Waitlisted)
            .then(|| u64::try_from(self.state().waitlisted).unwrap_or(0));
        let kind = match status {
            RegistrationStatus::Waitlisted => MailKind::RegistrationWaitlisted,
            _ => MailKind::RegistrationConfirmed,
        };
        // A second sign-up after a cancellation is a new one, with a new
        // calendar entry; its mail says so.
        let occasion = match book.cancelled_before.contains(new.email.as_str()) {
            true => Occasion::SignedUpAgain,
            false => Occasion::SignedUp,
        };
        self.mail(
            &model,
            kind,
            MailFlags {
                waitlist_position,
                ..MailFlags::because(occasion)
            },
        );
        if let Some(position) = waitlist_position {
            book.new_positions.insert(model.id, position);
        }
        if let Some(key) = &new.submission_key {
            book.by_key.insert(key.as_str().to_owned(), model.clone());
        }
        if let Some(staff) = &sign_up.by_staff {
            // The id, never the address: erasure must not have to find it here.
            let after = serde_json::json!({"registration": model.id, "status": model.status});
            let subject = format!("registration {}", model.id);
            audit::record(
                self.txn(),
                staff,
                "registration.add",
                &subject,
                None::<&()>,
                Some(&after),
            )
            .await?;
        }
        book.by_email.insert(model.email.clone(), model.clone());
        Ok(Outcome::Registered(Registered {
            id: model.id,
            status,
            waitlist_position,
        }))
    }

    /// The same address again gets its links again, but no second seat.
    fn send_links_again(&mut self, book: &Book, new: &NewRegistration, id: Uuid) {
        let Some(existing) = book.by_email.get(new.email.as_str()) else {
            return;
        };
        let kind = match existing.status {
            RegistrationStatus::Waitlisted => MailKind::RegistrationWaitlisted,
            _ => MailKind::RegistrationConfirmed,
        };
        let flags = MailFlags {
            // Unknown for an earlier sign-up: read at commit.
            waitlist_position: book.new_positions.get(&id).copied(),
            ..MailFlags::because(Occasion::Resent)
        };
        let existing = existing.clone();
        self.mail(&existing, kind, flags);
    }
}

fn refused(
    refusal: Refusal,
    register: Option<&eligibility::Decision>,
    new: &NewRegistration,
) -> AppError {
    match (refusal, register) {
        (Refusal::Closed, _) => AppError::Closed,
        (Refusal::KeyReused, _) => AppError::SubmissionKeyReused,
        (Refusal::Full, _) => AppError::Full,
        (Refusal::Ineligible, Some(decision)) => AppError::Ineligible(format!(
            "{} {}",
            decision.reason(new.lang),
            crate::i18n::text(new.lang, "ineligible-public-sector-event")
        )),
        (Refusal::Ineligible | Refusal::AskTheRegister, _) => AppError::internal(RegisterNotAsked),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a public-sector sign-up was decided without the register's answer")]
struct RegisterNotAsked;

fn new_row(
    event_id: Uuid,
    new: NewRegistration,
    status: RegistrationStatus,
    queue_number: i64,
) -> registration::ActiveModel {
    let now = Utc::now();
    let id = Uuid::new_v4();
    let search_key = sign_up_search_key(
        new.name.as_str(),
        new.email.as_str(),
        new.organisation.as_str(),
    );
    registration::ActiveModel {
        id: Set(id),
        event_id: Set(event_id),
        name: Set(new.name.into_inner()),
        email: Set(new.email.as_str().to_owned()),
        organisation: Set(new.organisation.into_inner()),
        sector: Set(new.sector),
        job_title: Set(new.job_title.into_inner()),
        remarks: Set(new.remarks.into_inner()),
        lang: Set(new.lang),
        status: Set(status),
        queue_number: Set(queue_number),
        ics_sequence: Set(0),
        created_at: Set(now),
        confirmed_at: Set((status == RegistrationStatus::Confirmed).then_some(now)),
        cancelled_at: Set(None),
        updated_at: Set(now),
        checked_in_at: Set(None),
        submission_key: Set(new.submission_key.map(|k| k.as_str().to_owned())),
        calendar_uid: Set(Some(crate::mail::ics::calendar_uid(id))),
        search_key: Set(search_key),
        changed_by_attendee_at: Set(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_lists_repeat_the_last_value_up_to_a_power_of_two() {
        assert!(padded(std::iter::empty()).is_empty());
        assert_eq!(padded(["a"].into_iter()), ["a"]);
        assert_eq!(padded(["a", "b", "c"].into_iter()), ["a", "b", "c", "c"]);
        assert_eq!(padded(["a"; 5].into_iter()).len(), 8);
    }
}
