//! Signing up a batch of people (see [`super::queue`]): one transaction per
//! event, the event locked once, seats counted once, earlier sign-ups looked
//! up in one query, and every new row, token and outbox row inserted in one
//! statement per table. Each sign-up still gets exactly the answer it would
//! get alone, in arrival order.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, RuntimeErr,
    TryIntoModel,
};
use uuid::Uuid;

use super::mail::{prepare_mail, MailFlags, MailKind, PreparedMail};
use super::queue::{Answer, Waiting};
use super::{register_claim, seats_and_next_number, waitlist_position, Registered};
use crate::db::{begin_locked, EventKey, WriteTxn};
use crate::domain::NewRegistration;
use crate::entities::event::{self, Eligibility, EventStatus};
use crate::entities::pilot_application::EligibilityDecision;
use crate::entities::registration::{self, RegistrationStatus};
use crate::entities::{access_token, outbox};
use crate::error::AppError;
use crate::services::eligibility;
use crate::services::events::RegistrationState;
use crate::services::Services;

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
    /// The same submission came in before: it gets that answer again.
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
    let started = std::time::Instant::now();
    let together = sign_up_together(services, slug, &sign_ups).await;
    tracing::debug!(
        batch = sign_ups.len(),
        micros = started.elapsed().as_micros(),
        "sign-up batch"
    );
    match together {
        Ok(outcomes) => {
            services.mail_queued.notify_one();
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
                services.mail_queued.notify_one();
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

/// The rows a batch adds, written together before the commit.
#[derive(Default)]
struct NewRows {
    registrations: Vec<registration::ActiveModel>,
    tokens: Vec<access_token::ActiveModel>,
    mails: Vec<outbox::ActiveModel>,
    /// (organiser, registration) for the audit log.
    added_by_staff: Vec<(String, registration::Model)>,
}

impl NewRows {
    fn add_mail(&mut self, mail: PreparedMail) {
        self.tokens.extend(mail.tokens);
        self.mails.push(mail.outbox);
    }

    async fn insert(self, txn: &WriteTxn) -> Result<(), AppError> {
        insert_in_chunks(txn, self.registrations).await?;
        insert_in_chunks(txn, self.tokens).await?;
        insert_in_chunks(txn, self.mails).await?;
        for (staff, row) in self.added_by_staff {
            let after = serde_json::json!({"email": row.email, "status": row.status.as_str()});
            let subject = format!("registration {}", row.id);
            crate::services::audit::record(
                txn,
                &staff,
                "registration.add",
                &subject,
                None::<&()>,
                Some(&after),
            )
            .await?;
        }
        Ok(())
    }
}

/// The most rows one insert statement takes.
const LARGEST_CHUNK: usize = 64;

/// Inserts `rows` in chunks whose sizes are powers of two. Every row count
/// is a statement of its own, which sqlx prepares and keeps (up to 100 per
/// connection): with batches of every size from 1 to 200, memory grew to
/// 140 MB in the benchmark. Powers of two up to 64 make seven shapes.
async fn insert_in_chunks<A>(txn: &WriteTxn, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
{
    let sizes = chunk_sizes(rows.len());
    let mut rows = rows.into_iter();
    for size in sizes {
        A::Entity::insert_many(rows.by_ref().take(size))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

fn chunk_sizes(mut left: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (left > 0).then(|| {
            let size = LARGEST_CHUNK.min(1 << left.ilog2());
            left -= size;
            size
        })
    })
}

/// The event's state as the batch goes along: what was read under the lock
/// plus what the batch itself has added.
struct Seats {
    confirmed: i64,
    waitlisted: i64,
    next_number: i64,
    /// Active sign-ups by address, and submissions by key.
    by_email: HashMap<String, registration::Model>,
    by_key: HashMap<String, Uuid>,
    /// Waiting-list places of this batch's own rows, not yet in the table.
    new_positions: HashMap<Uuid, u64>,
}

/// Signs up `sign_ups`, all for the event `slug`, in one transaction. An
/// `Err` means nothing was written.
async fn sign_up_together(
    services: &Services,
    slug: &str,
    sign_ups: &[SignUp],
) -> Result<Vec<Outcome>, AppError> {
    let (txn, event) = begin_locked(&services.db, EventKey::Slug(slug)).await?;
    let Some(event) = event.filter(|e| e.status != EventStatus::Draft) else {
        return Ok(sign_ups
            .iter()
            .map(|_| Outcome::Refused(AppError::NotFound))
            .collect());
    };
    services
        .sign_ups
        .remember_public_sector_only(slug, event.eligibility == Eligibility::PublicSector);
    let (counts, next_number) = seats_and_next_number(&txn, event.id).await?;
    let earlier = earlier_sign_ups(&txn, event.id, sign_ups).await?;
    let mut seats = Seats {
        confirmed: counts.confirmed,
        waitlisted: counts.waitlisted,
        next_number,
        by_key: earlier
            .iter()
            .filter_map(|r| Some((r.submission_key.clone()?, r.id)))
            .collect(),
        by_email: earlier
            .into_iter()
            .filter(|r| r.status != RegistrationStatus::Cancelled)
            .map(|r| (r.email.clone(), r))
            .collect(),
        new_positions: HashMap::new(),
    };
    let mut rows = NewRows::default();
    let mut outcomes = Vec::with_capacity(sign_ups.len());
    for sign_up in sign_ups {
        let outcome = sign_up_one(services, &txn, &event, &mut seats, &mut rows, sign_up).await?;
        outcomes.push(outcome);
    }
    rows.insert(&txn).await?;
    txn.commit().await?;
    Ok(outcomes)
}

/// Earlier sign-ups of this event with one of the batch's addresses (still
/// active) or submission keys. Two queries, not one with OR: SQLite planned
/// the OR as a walk over every sign-up of the event, each one an index seek.
async fn earlier_sign_ups(
    txn: &WriteTxn,
    event_id: Uuid,
    sign_ups: &[SignUp],
) -> Result<Vec<registration::Model>, DbErr> {
    let emails = sign_ups.iter().map(|s| s.new.email.as_str());
    let mut earlier = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Email.is_in(padded(emails)))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
        .all(txn)
        .await?;
    let keys = sign_ups
        .iter()
        .filter_map(|s| Some(s.new.submission_key.as_ref()?.as_str()));
    let keys = padded(keys);
    if !keys.is_empty() {
        let replayed = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::SubmissionKey.is_in(keys))
            .all(txn)
            .await?;
        earlier.extend(replayed);
    }
    Ok(earlier)
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

async fn sign_up_one(
    services: &Services,
    txn: &WriteTxn,
    event: &event::Model,
    seats: &mut Seats,
    rows: &mut NewRows,
    sign_up: &SignUp,
) -> Result<Outcome, AppError> {
    let new = &sign_up.new;
    let now = Utc::now();
    let confirmed = u64::try_from(seats.confirmed).unwrap_or(0);
    let window_shut = matches!(
        RegistrationState::of(event, confirmed, now),
        RegistrationState::Closed | RegistrationState::NotYetOpen
    );
    if event.status == EventStatus::Cancelled || (window_shut && sign_up.by_staff.is_none()) {
        return Ok(Outcome::Refused(AppError::Closed));
    }
    // The same submission again (double click, retried request) gets the
    // answer it got the first time and no second mail.
    let key = new.submission_key.as_ref().map(|k| k.as_str());
    if let Some(id) = key.and_then(|key| seats.by_key.get(key)) {
        return Ok(Outcome::Replayed(*id));
    }
    // The same address again gets its links again, but no second seat.
    if let Some(existing) = seats.by_email.get(new.email.as_str()) {
        let (kind, position) = match existing.status {
            RegistrationStatus::Waitlisted => (
                MailKind::Waitlisted,
                match seats.new_positions.get(&existing.id) {
                    Some(known) => Some(*known),
                    None => waitlist_position(txn, existing).await?,
                },
            ),
            _ => (MailKind::Confirmed, None),
        };
        let flags = MailFlags {
            waitlist_position: position,
            ..MailFlags::RESENT
        };
        rows.add_mail(prepare_mail(services, event, existing, kind, flags)?);
        return Ok(Outcome::Refused(AppError::Duplicate));
    }
    if event.eligibility == Eligibility::PublicSector && sign_up.by_staff.is_none() {
        let asked_under_lock;
        let decision = match &sign_up.eligibility {
            Some(asked_before) => asked_before,
            None => {
                asked_under_lock = eligibility::decide(txn, register_claim(new)).await?;
                &asked_under_lock
            }
        };
        // Meetings admit "needs review" cases; only a clear no refuses.
        if decision.decision == EligibilityDecision::Ineligible {
            return Ok(Outcome::Refused(AppError::IneligibleBecause(format!(
                "{} {}",
                decision.reason(new.lang),
                crate::i18n::text(new.lang, "ineligible-public-sector-event")
            ))));
        }
    }
    let status = if seats.confirmed < i64::from(event.capacity) {
        seats.confirmed += 1;
        RegistrationStatus::Confirmed
    } else if event.waitlist_enabled {
        seats.waitlisted += 1;
        RegistrationStatus::Waitlisted
    } else {
        return Ok(Outcome::Refused(AppError::Full));
    };
    let row = new_row(event.id, new.clone(), status, seats.next_number);
    seats.next_number += 1;
    let model = row.clone().try_into_model()?;
    let waitlist_position = (status == RegistrationStatus::Waitlisted)
        .then(|| u64::try_from(seats.waitlisted).unwrap_or(0));
    if let Some(position) = waitlist_position {
        seats.new_positions.insert(model.id, position);
    }
    let kind = match status {
        RegistrationStatus::Confirmed => MailKind::Confirmed,
        _ => MailKind::Waitlisted,
    };
    let flags = MailFlags {
        waitlist_position,
        ..MailFlags::NONE
    };
    rows.add_mail(prepare_mail(services, event, &model, kind, flags)?);
    rows.registrations.push(row);
    if let Some(key) = key {
        seats.by_key.insert(key.to_owned(), model.id);
    }
    if let Some(staff) = &sign_up.by_staff {
        rows.added_by_staff.push((staff.clone(), model.clone()));
    }
    seats.by_email.insert(model.email.clone(), model.clone());
    Ok(Outcome::Registered(Registered {
        id: model.id,
        status,
        waitlist_position,
    }))
}

fn new_row(
    event_id: Uuid,
    new: NewRegistration,
    status: RegistrationStatus,
    queue_number: i64,
) -> registration::ActiveModel {
    let now = Utc::now();
    registration::ActiveModel {
        id: Set(Uuid::new_v4()),
        event_id: Set(event_id),
        name: Set(new.name.into_inner()),
        email: Set(new.email.as_str().to_owned()),
        organisation: Set(new.organisation.into_inner()),
        sector: Set(new.sector.code().to_owned()),
        job_title: Set(new.job_title.into_inner()),
        remarks: Set(new.remarks.into_inner()),
        lang: Set(new.lang.code().to_owned()),
        status: Set(status),
        queue_number: Set(queue_number),
        ics_sequence: Set(0),
        created_at: Set(now),
        confirmed_at: Set((status == RegistrationStatus::Confirmed).then_some(now)),
        cancelled_at: Set(None),
        updated_at: Set(now),
        checked_in_at: Set(None),
        submission_key: Set(new.submission_key.map(|k| k.as_str().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_powers_of_two_up_to_the_largest_and_cover_every_row() {
        let mut shapes = std::collections::BTreeSet::new();
        for rows in 0..=500 {
            let sizes: Vec<usize> = chunk_sizes(rows).collect();
            assert_eq!(sizes.iter().sum::<usize>(), rows);
            for size in sizes {
                assert!(size.is_power_of_two() && size <= LARGEST_CHUNK);
                shapes.insert(size);
            }
        }
        assert_eq!(shapes.len(), 7);
    }

    #[test]
    fn padded_lists_repeat_the_last_value_up_to_a_power_of_two() {
        assert!(padded(std::iter::empty()).is_empty());
        assert_eq!(padded(["a"].into_iter()), ["a"]);
        assert_eq!(padded(["a", "b", "c"].into_iter()), ["a", "b", "c", "c"]);
        assert_eq!(padded(["a"; 5].into_iter()).len(), 8);
    }
}
