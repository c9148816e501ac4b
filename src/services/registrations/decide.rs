//! What happens to one person, decided from the event's state as it stands
//! under the lock, what they did before, and what they ask. Pure functions:
//! [`super::locked::LockedEvent`] gathers the facts, calls these and writes
//! what they decide, and the unit tests below need no database.
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{Eligibility, EligibilityDecision, EventStatus, RegistrationStatus};

/// An event's state under the lock, as far as decisions need it.
#[derive(Debug, Clone, Copy)]
pub struct EventState {
    pub status: EventStatus,
    pub starts_at: DateTime<Utc>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: i64,
    pub waitlist_enabled: bool,
    pub eligibility: Eligibility,
    pub confirmed: i64,
    pub waitlisted: i64,
}

impl EventState {
    pub fn free_seats(&self) -> i64 {
        (self.capacity - self.confirmed).max(0)
    }

    fn window_open(&self, now: DateTime<Utc>) -> bool {
        let closes_at = self.registration_closes_at.unwrap_or(self.starts_at);
        self.status == EventStatus::Published
            && now < closes_at
            && self.registration_opens_at.is_none_or(|opens| now >= opens)
    }
}

/// What this person did before for this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    None,
    /// The same submission (form token or `Idempotency-Key`) came in as
    /// this sign-up.
    SameSubmission(Uuid),
    /// The key came in before with another sign-up: a client reusing keys,
    /// or a form sent back with its fields changed.
    KeyUsedForAnotherSignUp,
    /// An active sign-up with the same address.
    SameAddress(Uuid),
}

/// Who asks, and what the register said where the event needs it.
#[derive(Debug, Clone, Copy)]
pub struct Asking {
    /// An organiser adding someone by hand: outside the registration
    /// window and without the register check, but not past the seats.
    pub by_staff: bool,
    pub register_says: Option<EligibilityDecision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpDecision {
    Confirm,
    Waitlist,
    /// Answer with the earlier sign-up again; nothing is written.
    Replay(Uuid),
    /// Already signed up: send their links again, take no second seat.
    AlreadySignedUp(Uuid),
    Refuse(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Closed,
    Full,
    /// The register says the organisation is not of a public sector; a
    /// public-sector meeting admits everyone else ("needs review" too).
    Ineligible,
    /// The event needs the register's answer and none was given.
    AskTheRegister,
    /// The submission's key belongs to another sign-up.
    KeyReused,
}

pub fn sign_up(
    event: &EventState,
    earlier: Earlier,
    asking: Asking,
    now: DateTime<Utc>,
) -> SignUpDecision {
    use SignUpDecision::*;
    // A mistake of the client's, whatever the event's state: never a
    // silent answer with somebody else's sign-up.
    if earlier == Earlier::KeyUsedForAnotherSignUp {
        return Refuse(Refusal::KeyReused);
    }
    if event.status == EventStatus::Cancelled || !(asking.by_staff || event.window_open(now)) {
        return Refuse(Refusal::Closed);
    }
    match earlier {
        Earlier::SameSubmission(id) => return Replay(id),
        Earlier::SameAddress(id) => return AlreadySignedUp(id),
        Earlier::None | Earlier::KeyUsedForAnotherSignUp => {}
    }
    if event.eligibility == Eligibility::PublicSector && !asking.by_staff {
        match asking.register_says {
            None => return Refuse(Refusal::AskTheRegister),
            Some(EligibilityDecision::Ineligible) => return Refuse(Refusal::Ineligible),
            Some(_) => {}
        }
    }
    if event.confirmed < event.capacity {
        Confirm
    } else if event.waitlist_enabled {
        Waitlist
    } else {
        Refuse(Refusal::Full)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelDecision {
    Cancel {
        frees_seat: bool,
    },
    AlreadyCancelled,
    /// The meeting has begun: too late to cancel.
    TooLate,
}

pub fn cancel(
    status: RegistrationStatus,
    event: &EventState,
    now: DateTime<Utc>,
) -> CancelDecision {
    match status {
        RegistrationStatus::Cancelled => CancelDecision::AlreadyCancelled,
        _ if now >= event.starts_at => CancelDecision::TooLate,
        status => CancelDecision::Cancel {
            frees_seat: status == RegistrationStatus::Confirmed,
        },
    }
}

/// How many people move up from the waiting list now.
pub fn promotions(event: &EventState, now: DateTime<Utc>) -> u64 {
    if now >= event.starts_at || event.status == EventStatus::Cancelled {
        return 0;
    }
    u64::try_from(event.free_seats().min(event.waitlisted)).unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveDecision {
    Unchanged,
    /// From the waiting list onto a free seat.
    Confirm,
    /// To the back of the waiting list; the freed seat goes to the first
    /// in line, if anyone else is waiting.
    ToWaitlist,
    NoSeatFree,
    NotPossible,
}

pub fn move_to(
    from: RegistrationStatus,
    to: RegistrationStatus,
    event: &EventState,
) -> MoveDecision {
    use RegistrationStatus::*;
    match (from, to) {
        (from, to) if from == to => MoveDecision::Unchanged,
        (Waitlisted, Confirmed) if event.free_seats() == 0 => MoveDecision::NoSeatFree,
        (Waitlisted, Confirmed) => MoveDecision::Confirm,
        (Confirmed, Waitlisted) => MoveDecision::ToWaitlist,
        _ => MoveDecision::NotPossible,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn event(capacity: i64, confirmed: i64) -> EventState {
        EventState {
            status: EventStatus::Published,
            starts_at: now() + Duration::days(10),
            registration_opens_at: None,
            registration_closes_at: None,
            capacity,
            waitlist_enabled: true,
            eligibility: Eligibility::Open,
            confirmed,
            waitlisted: 0,
        }
    }

    const VISITOR: Asking = Asking {
        by_staff: false,
        register_says: None,
    };
    const ORGANISER: Asking = Asking {
        by_staff: true,
        register_says: None,
    };

    #[test]
    fn free_seats_confirm_then_the_waiting_list_takes_over_then_full() {
        use SignUpDecision::*;
        assert_eq!(
            sign_up(&event(2, 1), Earlier::None, VISITOR, now()),
            Confirm
        );
        assert_eq!(
            sign_up(&event(2, 2), Earlier::None, VISITOR, now()),
            Waitlist
        );
        let no_list = EventState {
            waitlist_enabled: false,
            ..event(2, 2)
        };
        assert_eq!(
            sign_up(&no_list, Earlier::None, VISITOR, now()),
            Refuse(Refusal::Full)
        );
        assert_eq!(
            sign_up(&no_list, Earlier::None, ORGANISER, now()),
            Refuse(Refusal::Full),
            "organisers add by hand, but not past the seats"
        );
    }

    #[test]
    fn the_same_submission_replays_and_the_same_address_gets_its_links_again() {
        let id = Uuid::new_v4();
        let full = EventState {
            waitlist_enabled: false,
            ..event(1, 1)
        };
        assert_eq!(
            sign_up(&full, Earlier::SameSubmission(id), VISITOR, now()),
            SignUpDecision::Replay(id)
        );
        assert_eq!(
            sign_up(&full, Earlier::SameAddress(id), VISITOR, now()),
            SignUpDecision::AlreadySignedUp(id)
        );
    }

    #[test]
    fn a_key_of_another_sign_up_is_refused_whatever_the_event_state() {
        let closed = EventState {
            status: EventStatus::Cancelled,
            ..event(1, 1)
        };
        for state in [event(10, 0), closed] {
            assert_eq!(
                sign_up(&state, Earlier::KeyUsedForAnotherSignUp, VISITOR, now()),
                SignUpDecision::Refuse(Refusal::KeyReused)
            );
        }
    }

    #[test]
    fn the_window_shuts_visitors_out_but_not_organisers_and_a_called_off_event_everyone() {
        let closed = EventState {
            registration_closes_at: Some(now() - Duration::hours(1)),
            ..event(10, 0)
        };
        let not_yet = EventState {
            registration_opens_at: Some(now() + Duration::hours(1)),
            ..event(10, 0)
        };
        let draft = EventState {
            status: EventStatus::Draft,
            ..event(10, 0)
        };
        for shut in [closed, not_yet, draft] {
            assert_eq!(
                sign_up(&shut, Earlier::None, VISITOR, now()),
                SignUpDecision::Refuse(Refusal::Closed)
            );
            assert_eq!(
                sign_up(&shut, Earlier::None, ORGANISER, now()),
                SignUpDecision::Confirm
            );
        }
        let called_off = EventState {
            status: EventStatus::Cancelled,
            ..event(10, 0)
        };
        assert_eq!(
            sign_up(&called_off, Earlier::None, ORGANISER, now()),
            SignUpDecision::Refuse(Refusal::Closed)
        );
    }

    #[test]
    fn a_public_sector_meeting_refuses_only_what_the_register_refuses() {
        let public = EventState {
            eligibility: Eligibility::PublicSector,
            ..event(10, 0)
        };
        let says = |decision| Asking {
            by_staff: false,
            register_says: Some(decision),
        };
        use EligibilityDecision::*;
        assert_eq!(
            sign_up(&public, Earlier::None, says(Ineligible), now()),
            SignUpDecision::Refuse(Refusal::Ineligible)
        );
        for admitted in [Eligible, NeedsReview] {
            assert_eq!(
                sign_up(&public, Earlier::None, says(admitted), now()),
                SignUpDecision::Confirm
            );
        }
        assert_eq!(
            sign_up(&public, Earlier::None, VISITOR, now()),
            SignUpDecision::Refuse(Refusal::AskTheRegister)
        );
        assert_eq!(
            sign_up(&public, Earlier::None, ORGANISER, now()),
            SignUpDecision::Confirm
        );
    }

    #[test]
    fn cancelling_frees_a_seat_only_for_the_confirmed_and_only_before_the_start() {
        use RegistrationStatus::*;
        let open = event(10, 5);
        assert_eq!(
            cancel(Confirmed, &open, now()),
            CancelDecision::Cancel { frees_seat: true }
        );
        assert_eq!(
            cancel(Waitlisted, &open, now()),
            CancelDecision::Cancel { frees_seat: false }
        );
        assert_eq!(
            cancel(Cancelled, &open, now()),
            CancelDecision::AlreadyCancelled
        );
        let started = now() + Duration::days(11);
        assert_eq!(cancel(Confirmed, &open, started), CancelDecision::TooLate);
    }

    #[test]
    fn promotions_fill_free_seats_from_those_waiting_until_the_start() {
        let state = EventState {
            waitlisted: 3,
            ..event(10, 8)
        };
        assert_eq!(promotions(&state, now()), 2);
        let few_waiting = EventState {
            waitlisted: 1,
            ..state
        };
        assert_eq!(promotions(&few_waiting, now()), 1);
        assert_eq!(promotions(&state, now() + Duration::days(11)), 0);
        let over_full = EventState {
            waitlisted: 3,
            ..event(10, 12)
        };
        assert_eq!(promotions(&over_full, now()), 0);
    }

    #[test]
    fn moving_needs_a_free_seat_to_confirm_and_only_goes_between_the_two_lists() {
        use RegistrationStatus::*;
        assert_eq!(
            move_to(Waitlisted, Confirmed, &event(10, 9)),
            MoveDecision::Confirm
        );
        assert_eq!(
            move_to(Waitlisted, Confirmed, &event(10, 10)),
            MoveDecision::NoSeatFree
        );
        assert_eq!(
            move_to(Confirmed, Waitlisted, &event(10, 10)),
            MoveDecision::ToWaitlist
        );
        assert_eq!(
            move_to(Confirmed, Confirmed, &event(10, 10)),
            MoveDecision::Unchanged
        );
        assert_eq!(
            move_to(Cancelled, Confirmed, &event(10, 0)),
            MoveDecision::NotPossible
        );
    }
}
