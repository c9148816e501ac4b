//! A meeting that moves (another date, time or place): the confirmed get
//! an updated invite for the calendar entry they have, the waiting list a
//! notice, and the reminder goes again for the new time. What changed is
//! worked out here without a database; [`LockedEvent::tell_of_move`]
//! queues the mails under the event's lock.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::mail::{MailFlags, Occasion};
use super::LockedEvent;
use crate::domain::{Lang, MailKind, RegistrationStatus};
use crate::entities::{event, registration};
use crate::error::AppError;
use crate::format;

/// What of a meeting a calendar entry holds and a move changes. The title
/// is not here: renaming a meeting moves nobody, and a new SUMMARY alone
/// is not worth a mail to everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
}

impl Meeting {
    pub fn of(event: &event::Model) -> Self {
        Meeting {
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            location: event.location.clone(),
        }
    }

    /// Whether a calendar entry of `self` is wrong for `after`, as a
    /// reader sees it: to the minute, the form's precision.
    pub fn moved_to(&self, after: &Meeting) -> bool {
        !changes(self, after, Lang::Nl).is_empty()
    }
}

/// One changed field as the mail and the organiser's question name it:
/// "Gewijzigd: tijd 13:00 – 17:00 → 14:00 – 18:00".
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChangeLine {
    /// `mail-changed-date`, `-time` or `-place`.
    pub key: &'static str,
    pub old: String,
    pub new: String,
}

/// The changed fields, in the order a reader checks them: day, hours,
/// place. A start an hour earlier on the same day is a change of time
/// only; a meeting on another day at the same hours one of date only.
pub fn changes(before: &Meeting, after: &Meeting, lang: Lang) -> Vec<ChangeLine> {
    let fields = [
        (
            "mail-changed-date",
            format::long_date(before.starts_at, lang),
            format::long_date(after.starts_at, lang),
        ),
        (
            "mail-changed-time",
            format::time_range(before.starts_at, before.ends_at),
            format::time_range(after.starts_at, after.ends_at),
        ),
        (
            "mail-changed-place",
            before.location.clone(),
            after.location.clone(),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(key, old, new)| ChangeLine { key, old, new })
        .collect()
}

/// What `reminder_sent_at` becomes when the people were told of a move.
/// The reminder is kept to the time it belongs to: a start that did not
/// move, or moved into the past (a record put right afterwards), changes
/// nothing. Otherwise it goes again before the new start; but when that
/// moment has already come, the change mail itself, with the invite and
/// the new time, is the reminder, and a second mail minutes later would
/// only repeat it.
pub fn reminder_after_move(
    before_start: DateTime<Utc>,
    event: &event::Model,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let unchanged = event.reminder_sent_at;
    if event.starts_at == before_start || event.starts_at <= now || event.reminder_days_before <= 0
    {
        return unchanged;
    }
    let due = event.starts_at - Duration::days(i64::from(event.reminder_days_before));
    if due <= now {
        Some(now)
    } else {
        None
    }
}

/// How many people a move would mail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reach {
    /// Confirmed attendees: an updated invite.
    pub confirmed: u64,
    /// People on the waiting list: a notice, no invite.
    pub waitlisted: u64,
}

impl Reach {
    pub fn anyone(&self) -> bool {
        self.confirmed + self.waitlisted > 0
    }
}

impl LockedEvent<'_> {
    /// The live sign-ups a move would mail. Someone this transaction
    /// already mails (moved up by more seats in the same edit) is left
    /// out: that mail is written at commit and so carries the new time.
    async fn to_tell(&self) -> Result<Vec<registration::Model>, AppError> {
        let live = registration::Entity::find()
            .filter(registration::Column::EventId.eq(self.event().id))
            .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled))
            .order_by_asc(registration::Column::QueueNumber)
            .all(self.txn())
            .await?;
        Ok(live
            .into_iter()
            .filter(|reg| !self.mails_to(reg.id))
            .collect())
    }

    /// Who would be told if the meeting moved now; a meeting that is
    /// over is put right without telling anyone.
    pub async fn reach(&self) -> Result<Reach, AppError> {
        if self.event().ends_at <= Utc::now() {
            return Ok(Reach::default());
        }
        let mut reach = Reach::default();
        for reg in self.to_tell().await? {
            match reg.status {
                RegistrationStatus::Confirmed => reach.confirmed += 1,
                _ => reach.waitlisted += 1,
            }
        }
        Ok(reach)
    }

    /// Tells everyone of the move from `before`, after the event itself was
    /// changed: a new SEQUENCE on each confirmed sign-up's calendar entry
    /// (same UID, so the calendar updates the entry it has), a mail to
    /// each, and the reminder set for the new start.
    pub async fn tell_of_move(&mut self, before: Meeting) -> Result<Reach, AppError> {
        let reminder = reminder_after_move(before.starts_at, self.event(), Utc::now());
        if reminder != self.event().reminder_sent_at {
            self.update_event(|active| active.reminder_sent_at = Set(reminder))
                .await?;
        }
        let reach = self.reach().await?;
        if !reach.anyone() {
            return Ok(reach);
        }
        let flags = MailFlags::because(Occasion::MeetingMoved);
        for reg in self.to_tell().await? {
            let reg = if reg.status == RegistrationStatus::Confirmed {
                self.save(reg, |active| {
                    active.ics_sequence = Set(active.ics_sequence.as_ref() + 1);
                })
                .await?
            } else {
                reg
            };
            self.mail(&reg, MailKind::MeetingChanged, flags);
        }
        self.set_moved_from(before);
        Ok(reach)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, day, hour, 0, 0).unwrap()
    }

    fn meeting(start: u32, day: u32, location: &str) -> Meeting {
        Meeting {
            starts_at: at(start, day),
            ends_at: at(start + 4, day),
            location: location.into(),
        }
    }

    #[test]
    fn a_later_start_the_same_day_is_a_change_of_time_only() {
        let lines = changes(
            &meeting(11, 14, "Utrecht"),
            &meeting(12, 14, "Utrecht"),
            Lang::Nl,
        );
        assert_eq!(
            lines,
            vec![ChangeLine {
                key: "mail-changed-time",
                old: "13:00 – 17:00".into(),
                new: "14:00 – 18:00".into(),
            }]
        );
    }

    #[test]
    fn another_day_and_place_name_both_and_the_same_meeting_names_nothing() {
        let before = meeting(11, 14, "Utrecht");
        let lines = changes(&before, &meeting(11, 15, "Zwolle"), Lang::En);
        let keys: Vec<_> = lines.iter().map(|l| l.key).collect();
        assert_eq!(keys, ["mail-changed-date", "mail-changed-place"]);
        assert_eq!(lines[0].new, "Saturday 15 June 2030");
        assert!(changes(&before, &before.clone(), Lang::Nl).is_empty());
        assert!(!before.moved_to(&before.clone()));
    }

    fn event(start: DateTime<Utc>, sent: Option<DateTime<Utc>>) -> event::Model {
        event::Model {
            id: uuid::Uuid::nil(),
            slug: "x".into(),
            title_nl: String::new(),
            title_en: String::new(),
            description_nl: String::new(),
            description_en: String::new(),
            location: String::new(),
            starts_at: start,
            ends_at: start + Duration::hours(4),
            capacity: 10,
            waitlist_enabled: true,
            eligibility: crate::domain::Eligibility::Open,
            status: crate::domain::EventStatus::Published,
            registration_opens_at: None,
            registration_closes_at: None,
            created_at: start,
            updated_at: start,
            reminder_days_before: 2,
            reminder_sent_at: sent,
            call_off_message: None,
            confirmation_note_nl: None,
            confirmation_note_en: None,
        }
    }

    #[test]
    fn the_reminder_goes_again_before_a_new_start_unless_its_moment_has_come() {
        let now = at(10, 1);
        let sent = Some(at(9, 1));
        // Moved to later in the month: a reminder two days before it.
        assert_eq!(
            reminder_after_move(at(12, 3), &event(at(12, 20), sent), now),
            None
        );
        // Moved to tomorrow: the change mail is the reminder.
        assert_eq!(
            reminder_after_move(at(12, 20), &event(at(12, 2), None), now),
            Some(now)
        );
        // Same start (only the place changed), or a start in the past.
        assert_eq!(
            reminder_after_move(at(12, 3), &event(at(12, 3), sent), now),
            sent
        );
        assert_eq!(
            reminder_after_move(at(12, 3), &event(at(12, 1) - Duration::days(1), sent), now),
            sent
        );
    }
}
