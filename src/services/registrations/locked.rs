//! [`LockedEvent`]: the one way to change who comes to a meeting. It holds
//! the event's lock for one write transaction, keeps the seat counts as the
//! changes go along, asks [`super::decide`] what happens to each person, and
//! writes the rows and the mails that follow in the same transaction.
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::decide::{self, CancelDecision, EventState, MoveDecision};
use super::door::{self, CheckInDecision, CheckedIn};
use super::mail::{prepare_mail, MailFlags, Occasion};
use super::meeting_change::Meeting;
use super::{seats_and_next_number, waitlist_position, CancelOutcome};
use crate::db::{begin_locked, EventKey, WriteTxn};
use crate::domain::{MailKind, RegistrationStatus};
use crate::entities::{event, outbox, registration};
use crate::error::AppError;
use crate::services::{audit, Services};

/// An event and its registrations, locked until [`commit`](Self::commit)
/// or drop (which rolls back).
pub struct LockedEvent<'s> {
    services: &'s Services,
    txn: WriteTxn,
    event: event::Model,
    state: EventState,
    next_number: i64,
    new_registrations: Vec<registration::ActiveModel>,
    mails: Vec<MailIntent>,
    /// Mails rendered by the caller (an organiser's message), written at
    /// commit with the rest.
    ready_mails: Vec<outbox::ActiveModel>,
    /// Where and when the meeting was before a move this transaction
    /// tells people of, for the mails that name the change.
    moved_from: Option<Meeting>,
}

/// A mail to write at commit, once every change of the transaction is made.
struct MailIntent {
    registration: registration::Model,
    kind: MailKind,
    flags: MailFlags,
}

impl<'s> LockedEvent<'s> {
    /// Locks the event; `None` when there is no such event.
    pub async fn open(services: &'s Services, key: EventKey<'_>) -> Result<Option<Self>, AppError> {
        let (txn, event) = begin_locked(&services.db, key).await?;
        let Some(event) = event else {
            return Ok(None);
        };
        let (seats, next_number) = seats_and_next_number(&txn, event.id).await?;
        Ok(Some(LockedEvent {
            state: state_of(&event, seats.confirmed, seats.waitlisted),
            services,
            txn,
            event,
            next_number,
            new_registrations: Vec::new(),
            mails: Vec::new(),
            ready_mails: Vec::new(),
            moved_from: None,
        }))
    }

    /// Locks the event of a registration.
    pub async fn of_registration(
        services: &'s Services,
        id: Uuid,
    ) -> Result<Option<Self>, AppError> {
        let event_id = registration::Entity::find_by_id(id)
            .select_only()
            .column(registration::Column::EventId)
            .into_tuple::<Uuid>()
            .one(&services.db)
            .await?;
        match event_id {
            Some(event_id) => Self::open(services, EventKey::Id(event_id)).await,
            None => Ok(None),
        }
    }

    pub fn event(&self) -> &event::Model {
        &self.event
    }

    pub(super) fn state(&self) -> &EventState {
        &self.state
    }

    /// The transaction, for what else the same change writes (audit rows).
    pub fn txn(&self) -> &WriteTxn {
        &self.txn
    }

    pub(super) fn services(&self) -> &Services {
        self.services
    }

    pub fn confirmed(&self) -> i64 {
        self.state.confirmed
    }

    /// Changes the event itself (an organiser's edit or status change). More
    /// seats move people up from the waiting list at once.
    pub async fn update_event(
        &mut self,
        change: impl FnOnce(&mut event::ActiveModel),
    ) -> Result<&event::Model, AppError> {
        let mut active: event::ActiveModel = self.event.clone().into();
        change(&mut active);
        self.event = active.update(&self.txn).await?;
        self.state = state_of(&self.event, self.state.confirmed, self.state.waitlisted);
        self.promote().await?;
        Ok(&self.event)
    }

    /// A registration of this event, read under the lock.
    pub(super) async fn registration(&self, id: Uuid) -> Result<registration::Model, AppError> {
        registration::Entity::find_by_id(id)
            .filter(registration::Column::EventId.eq(self.event.id))
            .one(&self.txn)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub(super) async fn save(
        &self,
        registration: registration::Model,
        change: impl FnOnce(&mut registration::ActiveModel),
    ) -> Result<registration::Model, DbErr> {
        let mut active: registration::ActiveModel = registration.into();
        change(&mut active);
        active.updated_at = Set(Utc::now());
        active.update(&self.txn).await
    }

    pub(super) fn add_new(&mut self, row: registration::ActiveModel, model: &registration::Model) {
        match model.status {
            RegistrationStatus::Confirmed => self.state.confirmed += 1,
            RegistrationStatus::Waitlisted => self.state.waitlisted += 1,
            RegistrationStatus::Cancelled => {}
        }
        self.next_number += 1;
        self.new_registrations.push(row);
    }

    /// Whether this transaction already mails the person of `id`.
    pub(super) fn mails_to(&self, id: Uuid) -> bool {
        self.mails.iter().any(|mail| mail.registration.id == id)
    }

    pub(super) fn set_moved_from(&mut self, before: Meeting) {
        self.moved_from = Some(before);
    }

    pub(super) fn next_number(&self) -> i64 {
        self.next_number
    }

    /// Queues a mail the caller rendered, to be written at commit.
    pub(super) fn mail_ready(&mut self, row: outbox::ActiveModel) {
        self.ready_mails.push(row);
    }

    pub(super) fn mail(
        &mut self,
        registration: &registration::Model,
        kind: MailKind,
        flags: MailFlags,
    ) {
        self.mails.push(MailIntent {
            registration: registration.clone(),
            kind,
            flags,
        });
    }

    /// Cancels a sign-up; a freed seat goes to the first person waiting.
    /// `staff` names the organiser who did it on the person's behalf.
    pub async fn cancel(
        &mut self,
        id: Uuid,
        staff: Option<&str>,
    ) -> Result<CancelOutcome, AppError> {
        let reg = self.registration(id).await?;
        let now = Utc::now();
        let frees_seat = match decide::cancel(reg.status, &self.state, now) {
            CancelDecision::AlreadyCancelled => return Ok(CancelOutcome::WasAlreadyCancelled),
            CancelDecision::TooLate => return Err(AppError::Closed),
            CancelDecision::Cancel { frees_seat } => frees_seat,
        };
        self.cancel_one(
            reg,
            now,
            MailFlags {
                cancel_invite: frees_seat,
                ..MailFlags::because(match staff {
                    Some(_) => Occasion::CancelledByOrganiser,
                    None => Occasion::CancelledByPerson,
                })
            },
        )
        .await?;
        if frees_seat {
            self.promote().await?;
        }
        if let Some(staff) = staff {
            let subject = format!("registration {id}");
            audit::record(
                &self.txn,
                staff,
                "registration.cancel",
                &subject,
                None::<&()>,
                None::<&()>,
            )
            .await?;
        }
        Ok(CancelOutcome::Cancelled)
    }

    async fn cancel_one(
        &mut self,
        reg: registration::Model,
        now: DateTime<Utc>,
        flags: MailFlags,
    ) -> Result<(), AppError> {
        let was = reg.status;
        let cancelled = self
            .save(reg, |active| {
                active.status = Set(RegistrationStatus::Cancelled);
                active.cancelled_at = Set(Some(now));
                active.checked_in_at = Set(None);
                if was == RegistrationStatus::Confirmed {
                    active.ics_sequence = Set(active.ics_sequence.as_ref() + 1);
                }
            })
            .await?;
        match was {
            RegistrationStatus::Confirmed => self.state.confirmed -= 1,
            RegistrationStatus::Waitlisted => self.state.waitlisted -= 1,
            RegistrationStatus::Cancelled => {}
        }
        self.mail(&cancelled, MailKind::RegistrationCancelled, flags);
        Ok(())
    }

    /// Frees the seat of a sign-up without telling the person (they asked
    /// to be forgotten) and drops mail to them this transaction queued.
    /// Returns their address, if the sign-up is here at all.
    pub async fn cancel_quietly(&mut self, id: Uuid) -> Result<Option<String>, AppError> {
        let reg = self.registration(id).await?;
        let address = reg.email.clone();
        let was = reg.status;
        let now = Utc::now();
        if was != RegistrationStatus::Cancelled {
            self.save(reg, |active| {
                active.status = Set(RegistrationStatus::Cancelled);
                active.cancelled_at = Set(Some(now));
            })
            .await?;
            match was {
                RegistrationStatus::Confirmed => self.state.confirmed -= 1,
                RegistrationStatus::Waitlisted => self.state.waitlisted -= 1,
                RegistrationStatus::Cancelled => {}
            }
        }
        self.mails.retain(|mail| mail.registration.id != id);
        if was == RegistrationStatus::Confirmed {
            self.promote().await?;
        }
        Ok(Some(address))
    }

    /// Fills free seats from the head of the waiting list. Returns how many
    /// people moved up.
    pub async fn promote(&mut self) -> Result<usize, AppError> {
        let free = decide::promotions(&self.state, Utc::now());
        if free == 0 {
            return Ok(0);
        }
        let next_in_line = registration::Entity::find()
            .filter(registration::Column::EventId.eq(self.event.id))
            .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted))
            .order_by_asc(registration::Column::QueueNumber)
            .limit(free)
            .all(&self.txn)
            .await?;
        let now = Utc::now();
        for waiting in &next_in_line {
            let promoted = self
                .save(waiting.clone(), |active| {
                    active.status = Set(RegistrationStatus::Confirmed);
                    active.confirmed_at = Set(Some(now));
                })
                .await?;
            self.state.waitlisted -= 1;
            self.state.confirmed += 1;
            self.mail(
                &promoted,
                MailKind::RegistrationConfirmed,
                MailFlags::because(Occasion::Promoted),
            );
        }
        Ok(next_in_line.len())
    }

    /// An organiser moves someone between the waiting list and the
    /// confirmed list. Moving a confirmed person to the back of the waiting
    /// list withdraws their invite and gives the seat to the first in line.
    pub async fn move_to(
        &mut self,
        id: Uuid,
        to: RegistrationStatus,
        staff: &str,
    ) -> Result<(), AppError> {
        let reg = self.registration(id).await?;
        let from = reg.status;
        let now = Utc::now();
        match decide::move_to(from, to, &self.state) {
            MoveDecision::Unchanged => return Ok(()),
            MoveDecision::NoSeatFree => return Err(AppError::Conflict("error-no-seat-free")),
            MoveDecision::NotPossible => return Err(AppError::Conflict("error-move-not-possible")),
            MoveDecision::Confirm => {
                let moved = self
                    .save(reg, |active| {
                        active.status = Set(RegistrationStatus::Confirmed);
                        active.confirmed_at = Set(Some(now));
                    })
                    .await?;
                self.state.waitlisted -= 1;
                self.state.confirmed += 1;
                self.mail(
                    &moved,
                    MailKind::RegistrationConfirmed,
                    MailFlags::because(Occasion::MovedByOrganiser),
                );
            }
            MoveDecision::ToWaitlist => {
                let queue_number = self.next_number;
                self.next_number += 1;
                let moved = self
                    .save(reg, |active| {
                        active.status = Set(RegistrationStatus::Waitlisted);
                        active.queue_number = Set(queue_number);
                        active.ics_sequence = Set(active.ics_sequence.as_ref() + 1);
                        active.confirmed_at = Set(None);
                        active.checked_in_at = Set(None);
                    })
                    .await?;
                self.state.confirmed -= 1;
                self.state.waitlisted += 1;
                self.mail(
                    &moved,
                    MailKind::RegistrationWaitlisted,
                    MailFlags {
                        cancel_invite: true,
                        ..MailFlags::because(Occasion::MovedByOrganiser)
                    },
                );
                // With nobody else waiting, promoting would hand the seat back.
                if self.state.waitlisted > 1 {
                    self.promote().await?;
                }
            }
        }
        let before = serde_json::json!({"status": from});
        let after = serde_json::json!({"status": to});
        let subject = format!("registration {id}");
        audit::record(
            &self.txn,
            staff,
            "registration.move",
            &subject,
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(())
    }

    /// Cancels every live sign-up of an event the organiser called off:
    /// the confirmed get a calendar cancellation, everyone a notice.
    pub async fn cancel_everyone(&mut self) -> Result<usize, AppError> {
        let live = registration::Entity::find()
            .filter(registration::Column::EventId.eq(self.event.id))
            .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
            .all(&self.txn)
            .await?;
        let now = Utc::now();
        let count = live.len();
        for reg in live {
            let flags = MailFlags {
                cancel_invite: reg.status == RegistrationStatus::Confirmed,
                ..MailFlags::because(Occasion::EventCalledOff)
            };
            self.cancel_one(reg, now, flags).await?;
        }
        Ok(count)
    }

    /// A reminder, with the invite again, for every confirmed attendee.
    pub async fn remind_everyone(&mut self) -> Result<usize, AppError> {
        let confirmed = registration::Entity::find()
            .filter(registration::Column::EventId.eq(self.event.id))
            .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed))
            .all(&self.txn)
            .await?;
        for reg in &confirmed {
            self.mail(reg, MailKind::RegistrationReminder, MailFlags::NONE);
        }
        Ok(confirmed.len())
    }

    /// Marks a confirmed attendee as present, on the meeting's day or, when
    /// the organiser asks, on another; doing it twice changes nothing.
    pub async fn check_in(
        &mut self,
        id: Uuid,
        staff: &str,
        outside_day_asked: bool,
    ) -> Result<CheckedIn, AppError> {
        let reg = self.registration(id).await?;
        let now = Utc::now();
        let on_the_day = door::is_meeting_day(now, self.event.starts_at, self.event.ends_at);
        let outside_meeting_day = match door::check_in(
            reg.status,
            reg.checked_in_at.is_some(),
            on_the_day,
            outside_day_asked,
        ) {
            CheckInDecision::NotConfirmed => {
                return Err(AppError::Conflict("error-check-in-not-confirmed"))
            }
            CheckInDecision::AlreadyIn => return Ok(CheckedIn::In(reg)),
            CheckInDecision::NotMeetingDay => return Ok(CheckedIn::NotMeetingDay(reg)),
            CheckInDecision::CheckIn {
                outside_meeting_day,
            } => outside_meeting_day,
        };
        let checked_in = self
            .save(reg, |active| active.checked_in_at = Set(Some(now)))
            .await?;
        let action = if outside_meeting_day {
            "registration.check_in_override"
        } else {
            "registration.check_in"
        };
        let subject = format!("registration {id}");
        audit::record(&self.txn, staff, action, &subject, None::<&()>, None::<&()>).await?;
        Ok(CheckedIn::In(checked_in))
    }

    /// Takes back a check-in made by mistake (the wrong Anna); for someone
    /// not checked in it changes nothing.
    pub async fn undo_check_in(
        &mut self,
        id: Uuid,
        staff: &str,
    ) -> Result<registration::Model, AppError> {
        let reg = self.registration(id).await?;
        let Some(was) = reg.checked_in_at else {
            return Ok(reg);
        };
        let undone = self
            .save(reg, |active| active.checked_in_at = Set(None))
            .await?;
        let before = serde_json::json!({"checked_in_at": was});
        let subject = format!("registration {id}");
        audit::record(
            &self.txn,
            staff,
            "registration.check_in_undo",
            &subject,
            Some(&before),
            None::<&()>,
        )
        .await?;
        Ok(undone)
    }

    /// Writes the new sign-ups and every mail the changes caused, commits,
    /// and wakes the mail worker.
    pub async fn commit(self) -> Result<(), AppError> {
        let LockedEvent {
            services,
            txn,
            event,
            new_registrations,
            mails,
            ready_mails,
            moved_from,
            ..
        } = self;
        insert_in_chunks(&txn, new_registrations).await?;
        let wakes_worker = !mails.is_empty() || !ready_mails.is_empty();
        let mut rows: Vec<outbox::ActiveModel> = ready_mails;
        rows.reserve(mails.len());
        for intent in mails {
            // Positions are read now, after every change of this transaction
            // (a move and the promotion it causes count).
            let flags = match (intent.kind, intent.flags.waitlist_position) {
                (MailKind::RegistrationWaitlisted, None) => MailFlags {
                    waitlist_position: waitlist_position(&txn, &intent.registration).await?,
                    ..intent.flags
                },
                _ => intent.flags,
            };
            rows.push(prepare_mail(
                services,
                &event,
                &intent.registration,
                intent.kind,
                flags,
                moved_from.as_ref(),
            )?);
        }
        insert_in_chunks(&txn, rows).await?;
        txn.commit().await?;
        if wakes_worker {
            services.mail_queued.notify_one();
        }
        Ok(())
    }
}

fn state_of(event: &event::Model, confirmed: i64, waitlisted: i64) -> EventState {
    EventState {
        status: event.status,
        starts_at: event.starts_at,
        registration_opens_at: event.registration_opens_at,
        registration_closes_at: event.registration_closes_at,
        capacity: i64::from(event.capacity),
        waitlist_enabled: event.waitlist_enabled,
        eligibility: event.eligibility,
        confirmed,
        waitlisted,
    }
}

/// The most rows one insert statement takes.
const LARGEST_CHUNK: usize = 64;

/// Inserts `rows` in chunks whose sizes are powers of two. Every row count
/// is a statement of its own, which sqlx prepares and keeps (up to 100 per
/// connection); powers of two up to 64 make seven shapes (BENCHMARKS.md,
/// item 7).
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
}
