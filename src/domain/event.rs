use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;

use super::registration::FieldErrors;
use super::{BoundedText, Line, OptionalText, ParseError};

/// The web address part of an event: lower-case letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let slug = raw.trim().to_lowercase();
        if slug.is_empty() {
            return Err(ParseError("required"));
        }
        let well_formed = (3..=120).contains(&slug.len())
            && slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        well_formed
            .then_some(Slug(slug))
            .ok_or(ParseError("slug-invalid"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Seats at an event: at least one, at most what any venue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity(i32);

impl Capacity {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.trim().parse::<i32>() {
            Ok(n) if (1..=100_000).contains(&n) => Ok(Capacity(n)),
            _ if raw.trim().is_empty() => Err(ParseError("required")),
            _ => Err(ParseError("capacity-invalid")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// An event form's fields, as typed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EventInput {
    pub slug: String,
    pub title_nl: String,
    pub title_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub location: String,
    /// YYYY-MM-DD, Amsterdam time.
    pub date: String,
    /// HH:MM
    pub start_time: String,
    pub end_time: String,
    pub capacity: String,
    pub waitlist: bool,
    pub public_sector_only: bool,
    pub reminder_days: String,
    /// When sign-ups open and close, `YYYY-MM-DDTHH:MM` (a browser's
    /// `datetime-local`) in Amsterdam time; blank for "now" and "at the start".
    pub registration_opens: String,
    pub registration_closes: String,
    /// A paragraph for the confirmation mail, plain text; blank for none.
    pub confirmation_note_nl: String,
    pub confirmation_note_en: String,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub slug: Slug,
    pub title_nl: Line<200>,
    pub title_en: Line<200>,
    pub description_nl: BoundedText<5000>,
    pub description_en: BoundedText<5000>,
    pub location: Line<300>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Capacity,
    pub waitlist: bool,
    pub public_sector_only: bool,
    pub reminder_days: i32,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub confirmation_note_nl: OptionalText<2000>,
    pub confirmation_note_en: OptionalText<2000>,
}

/// A time on the clocks of Amsterdam. The hour skipped when summer time
/// starts (02:00 to 03:00 on the last Sunday of March) does not exist; of
/// the hour that comes twice when it ends (in October) the first is meant,
/// and the form says so ([`EventInput::times_that_occur_twice`]).
pub(super) fn amsterdam(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, ParseError> {
    match Amsterdam.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(ParseError("time-does-not-exist")),
    }
}

/// A moment of the registration window: blank is none; a date and a time
/// (`T` or a space between them) read in Amsterdam.
pub(super) fn moment(raw: &str) -> Result<Option<DateTime<Utc>>, ParseError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (date, time) = raw
        .split_once(['T', ' '])
        .ok_or(ParseError("moment-invalid"))?;
    let date =
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| ParseError("moment-invalid"))?;
    // A browser may send seconds.
    let time = NaiveTime::parse_from_str(time, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
        .map_err(|_| ParseError("moment-invalid"))?;
    amsterdam(date, time).map(Some)
}

impl EventInput {
    /// The time fields whose time comes twice on the form's day, when the
    /// clocks go back: the first is taken, and the form should say so.
    pub fn times_that_occur_twice(&self) -> Vec<&'static str> {
        let Ok(date) = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d") else {
            return Vec::new();
        };
        [
            ("start_time", &self.start_time),
            ("end_time", &self.end_time),
        ]
        .into_iter()
        .filter(|(_, raw)| {
            NaiveTime::parse_from_str(raw.trim(), "%H:%M").is_ok_and(|time| {
                matches!(
                    Amsterdam.from_local_datetime(&date.and_time(time)),
                    LocalResult::Ambiguous(..)
                )
            })
        })
        .map(|(field, _)| field)
        .collect()
    }
}

impl NewEvent {
    pub fn parse(input: &EventInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        macro_rules! field {
            ($name:literal, $result:expr) => {
                match $result {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.insert($name, e);
                        None
                    }
                }
            };
        }
        let slug = field!("slug", Slug::parse(&input.slug));
        let title_nl = field!("title_nl", Line::parse(&input.title_nl));
        let title_en = field!("title_en", Line::parse(&input.title_en));
        let description_nl = field!("description_nl", BoundedText::parse(&input.description_nl));
        let description_en = field!("description_en", BoundedText::parse(&input.description_en));
        let location = field!("location", Line::parse(&input.location));
        let date = field!(
            "date",
            NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d")
                .map_err(|_| ParseError("date-invalid"))
        );
        let time = |raw: &str| {
            NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| ParseError("time-invalid"))
        };
        let start = field!("start_time", time(&input.start_time));
        let end = field!("end_time", time(&input.end_time));
        let capacity = field!("capacity", Capacity::parse(&input.capacity));
        let reminder_days = field!(
            "reminder_days",
            match input.reminder_days.trim() {
                "" => Ok(2),
                raw => raw
                    .parse::<i32>()
                    .ok()
                    .filter(|d| (0..=30).contains(d))
                    .ok_or(ParseError("reminder-invalid")),
            }
        );
        let note_nl = field!(
            "confirmation_note_nl",
            OptionalText::parse(&input.confirmation_note_nl)
        );
        let note_en = field!(
            "confirmation_note_en",
            OptionalText::parse(&input.confirmation_note_en)
        );
        let opens_at = field!("registration_opens", moment(&input.registration_opens));
        let closes_at = field!("registration_closes", moment(&input.registration_closes));
        let (starts_at, ends_at) = match (date, start, end) {
            (Some(date), Some(start), Some(end)) if end > start => (
                field!("start_time", amsterdam(date, start)),
                field!("end_time", amsterdam(date, end)),
            ),
            (Some(_), Some(_), Some(_)) => {
                errors.insert("end_time", ParseError("end-before-start"));
                (None, None)
            }
            _ => (None, None),
        };
        if let (Some(Some(closes)), Some(starts)) = (closes_at, starts_at) {
            if closes > starts {
                errors.insert("registration_closes", ParseError("closes-after-start"));
            }
        }
        if let (Some(Some(opens)), Some(Some(closes))) = (opens_at, closes_at) {
            if opens >= closes {
                errors.insert("registration_closes", ParseError("closes-before-opens"));
            }
        }
        if let (Some(Some(opens)), Some(starts)) = (opens_at, starts_at) {
            if opens >= starts {
                errors.insert("registration_opens", ParseError("opens-after-start"));
            }
        }
        match (
            slug,
            title_nl,
            title_en,
            description_nl,
            description_en,
            location,
            starts_at,
            ends_at,
            capacity,
            reminder_days,
        ) {
            (
                Some(slug),
                Some(title_nl),
                Some(title_en),
                Some(description_nl),
                Some(description_en),
                Some(location),
                Some(starts_at),
                Some(ends_at),
                Some(capacity),
                Some(reminder_days),
            ) if errors.is_empty() => Ok(NewEvent {
                slug,
                title_nl,
                title_en,
                description_nl,
                description_en,
                location,
                starts_at,
                ends_at,
                capacity,
                waitlist: input.waitlist,
                public_sector_only: input.public_sector_only,
                reminder_days,
                registration_opens_at: opens_at.flatten(),
                registration_closes_at: closes_at.flatten(),
                confirmation_note_nl: note_nl.unwrap_or_default(),
                confirmation_note_en: note_en.unwrap_or_default(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> EventInput {
        EventInput {
            slug: "partnerships-2027".into(),
            title_nl: "Partnerships".into(),
            title_en: "Partnerships".into(),
            description_nl: "Bijeenkomst".into(),
            description_en: "Meeting".into(),
            location: "Den Haag".into(),
            date: "2027-06-14".into(),
            start_time: "13:00".into(),
            end_time: "17:00".into(),
            capacity: "80".into(),
            waitlist: true,
            public_sector_only: false,
            reminder_days: "".into(),
            registration_opens: "".into(),
            registration_closes: "".into(),
            confirmation_note_nl: "".into(),
            confirmation_note_en: "".into(),
        }
    }

    #[test]
    fn the_registration_window_is_read_in_amsterdam_and_must_end_by_the_start() {
        let window = EventInput {
            registration_opens: "2027-05-01T09:00".into(),
            registration_closes: "2027-06-14 12:00".into(),
            ..valid()
        };
        let event = NewEvent::parse(&window).unwrap();
        assert_eq!(
            event.registration_opens_at,
            Some(Utc.with_ymd_and_hms(2027, 5, 1, 7, 0, 0).unwrap())
        );
        assert_eq!(
            event.registration_closes_at,
            Some(Utc.with_ymd_and_hms(2027, 6, 14, 10, 0, 0).unwrap())
        );
        assert_eq!(
            NewEvent::parse(&valid()).unwrap().registration_opens_at,
            None
        );

        let errors = |input: EventInput| NewEvent::parse(&input).unwrap_err();
        let late = errors(EventInput {
            registration_closes: "2027-06-14T13:30".into(),
            ..valid()
        });
        assert_eq!(
            late.get("registration_closes"),
            Some(&ParseError("closes-after-start"))
        );
        let backwards = errors(EventInput {
            registration_opens: "2027-06-01T09:00".into(),
            registration_closes: "2027-05-01T09:00".into(),
            ..valid()
        });
        assert_eq!(
            backwards.get("registration_closes"),
            Some(&ParseError("closes-before-opens"))
        );
        let after_start = errors(EventInput {
            registration_opens: "2027-07-01T09:00".into(),
            ..valid()
        });
        assert_eq!(
            after_start.get("registration_opens"),
            Some(&ParseError("opens-after-start"))
        );
        let garbled = errors(EventInput {
            registration_opens: "morgen".into(),
            ..valid()
        });
        assert_eq!(
            garbled.get("registration_opens"),
            Some(&ParseError("moment-invalid"))
        );
    }

    #[test]
    fn summer_times_are_read_in_amsterdam() {
        let event = NewEvent::parse(&valid()).unwrap();
        assert_eq!(
            event.starts_at,
            Utc.with_ymd_and_hms(2027, 6, 14, 11, 0, 0).unwrap()
        );
        assert_eq!(event.reminder_days, 2, "two days before by default");
    }

    #[test]
    fn the_skipped_hour_does_not_exist_and_of_the_doubled_hour_the_first_is_taken() {
        let spring = EventInput {
            date: "2027-03-28".into(),
            start_time: "02:30".into(),
            end_time: "04:00".into(),
            ..valid()
        };
        let errors = NewEvent::parse(&spring).unwrap_err();
        assert_eq!(
            errors.get("start_time"),
            Some(&ParseError("time-does-not-exist"))
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(spring.times_that_occur_twice().is_empty());

        let autumn = EventInput {
            date: "2027-10-31".into(),
            start_time: "02:30".into(),
            end_time: "04:00".into(),
            ..valid()
        };
        let event = NewEvent::parse(&autumn).unwrap();
        assert_eq!(
            event.starts_at,
            Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap(),
            "02:30 summer time (UTC+2), the first of the two"
        );
        assert_eq!(
            event.ends_at,
            Utc.with_ymd_and_hms(2027, 10, 31, 3, 0, 0).unwrap()
        );
        assert_eq!(autumn.times_that_occur_twice(), ["start_time"]);
        assert!(valid().times_that_occur_twice().is_empty());
    }

    #[test]
    fn slugs_capacities_and_times_are_checked() {
        let input = EventInput {
            slug: "Met spaties!".into(),
            capacity: "0".into(),
            end_time: "12:00".into(),
            ..valid()
        };
        let errors = NewEvent::parse(&input).unwrap_err();
        assert_eq!(errors.get("slug"), Some(&ParseError("slug-invalid")));
        assert_eq!(
            errors.get("capacity"),
            Some(&ParseError("capacity-invalid"))
        );
        assert_eq!(
            errors.get("end_time"),
            Some(&ParseError("end-before-start"))
        );
    }
}
