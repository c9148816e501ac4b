//! Who may pass the door, decided without a database: a confirmed person,
//! on the meeting's own day in Amsterdam. A QR code shown a week early (or
//! a misclick on last month's list) would otherwise count someone present
//! who never came; an organiser can still let someone in on another day on
//! purpose, and that is recorded as such.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;

use crate::domain::RegistrationStatus;
use crate::entities::registration;

/// What a press on "Binnen" does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInDecision {
    NotConfirmed,
    AlreadyIn,
    NotMeetingDay,
    /// Mark them present; `outside_meeting_day` when the organiser chose to.
    CheckIn {
        outside_meeting_day: bool,
    },
}

/// The Amsterdam calendar days a meeting spans, first and last.
pub fn meeting_days(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let first = starts_at.with_timezone(&Amsterdam).date_naive();
    let last = ends_at.with_timezone(&Amsterdam).date_naive().max(first);
    (first, last)
}

/// Whether `now` falls on one of the meeting's days in Amsterdam.
pub fn is_meeting_day(
    now: DateTime<Utc>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> bool {
    let (first, last) = meeting_days(starts_at, ends_at);
    let today = now.with_timezone(&Amsterdam).date_naive();
    (first..=last).contains(&today)
}

/// `outside_day_asked`: the organiser pressed the button that lets someone
/// in on another day.
pub fn check_in(
    status: RegistrationStatus,
    already_in: bool,
    meeting_day: bool,
    outside_day_asked: bool,
) -> CheckInDecision {
    if status != RegistrationStatus::Confirmed {
        CheckInDecision::NotConfirmed
    } else if already_in {
        CheckInDecision::AlreadyIn
    } else if meeting_day {
        CheckInDecision::CheckIn {
            outside_meeting_day: false,
        }
    } else if outside_day_asked {
        CheckInDecision::CheckIn {
            outside_meeting_day: true,
        }
    } else {
        CheckInDecision::NotMeetingDay
    }
}

/// What [`super::LockedEvent::check_in`] did.
#[derive(Debug, Clone)]
pub enum CheckedIn {
    /// Present now (or already was).
    In(registration::Model),
    /// Refused: not the meeting's day, and no override asked.
    NotMeetingDay(registration::Model),
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn amsterdam(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Amsterdam
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_meeting_day_is_the_amsterdam_day_from_midnight_to_midnight() {
        // 10:00–14:00 on Tuesday 12 May 2026 (summer time, UTC+2).
        let (starts, ends) = (amsterdam(2026, 5, 12, 10, 0), amsterdam(2026, 5, 12, 14, 0));
        assert!(!is_meeting_day(
            amsterdam(2026, 5, 11, 23, 59),
            starts,
            ends
        ));
        assert!(is_meeting_day(amsterdam(2026, 5, 12, 0, 0), starts, ends));
        assert!(is_meeting_day(amsterdam(2026, 5, 12, 23, 59), starts, ends));
        assert!(!is_meeting_day(amsterdam(2026, 5, 13, 0, 0), starts, ends));
    }

    #[test]
    fn the_day_is_amsterdams_not_utcs() {
        // 00:30 in Amsterdam is still the day before in UTC.
        let starts = amsterdam(2026, 1, 15, 0, 30);
        let ends = amsterdam(2026, 1, 15, 3, 0);
        let late_the_evening_before = amsterdam(2026, 1, 14, 23, 30);
        assert_eq!(late_the_evening_before.date_naive(), starts.date_naive());
        assert!(!is_meeting_day(late_the_evening_before, starts, ends));
        assert!(is_meeting_day(amsterdam(2026, 1, 15, 0, 5), starts, ends));
    }

    #[test]
    fn a_meeting_over_two_days_admits_on_both() {
        let starts = amsterdam(2026, 3, 9, 9, 0);
        let ends = amsterdam(2026, 3, 10, 17, 0);
        assert!(is_meeting_day(amsterdam(2026, 3, 10, 8, 0), starts, ends));
        assert!(!is_meeting_day(amsterdam(2026, 3, 11, 8, 0), starts, ends));
    }

    #[test]
    fn only_confirmed_people_pass_and_another_day_needs_the_organisers_choice() {
        use CheckInDecision::*;
        use RegistrationStatus::*;
        assert_eq!(check_in(Waitlisted, false, true, true), NotConfirmed);
        assert_eq!(check_in(Cancelled, false, true, true), NotConfirmed);
        assert_eq!(check_in(Confirmed, true, false, false), AlreadyIn);
        assert_eq!(
            check_in(Confirmed, false, true, false),
            CheckIn {
                outside_meeting_day: false
            }
        );
        assert_eq!(
            check_in(Confirmed, false, true, true),
            CheckIn {
                outside_meeting_day: false
            },
            "on the day the override changes nothing"
        );
        assert_eq!(check_in(Confirmed, false, false, false), NotMeetingDay);
        assert_eq!(
            check_in(Confirmed, false, false, true),
            CheckIn {
                outside_meeting_day: true
            }
        );
    }
}
