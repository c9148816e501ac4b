//! Calendar attachments (RFC 5545 / iTIP RFC 5546).
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, Property};
use uuid::Uuid;

/// The UID of a sign-up's calendar entry: the same whatever domain the app
/// runs on, so a later update or cancellation finds the entry.
pub fn calendar_uid(registration_id: Uuid) -> String {
    format!("{registration_id}@aanmeldpunt")
}

/// The UID invites had before it was stored with the sign-up; kept for
/// those, so their updates still find the entries already in calendars.
pub fn old_calendar_uid(registration_id: Uuid, mail_host: &str) -> String {
    format!("registration-{registration_id}@{mail_host}")
}

pub enum Method {
    /// An invitation the calendar adds (or updates, by UID and SEQUENCE).
    Request,
    /// Withdraws the entry with the same UID.
    Cancel,
}

pub struct Invite<'a> {
    pub uid: String,
    pub sequence: i32,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub organiser_email: &'a str,
    pub attendee_name: &'a str,
    pub attendee_email: &'a str,
    pub url: &'a str,
}

/// A parameter value cannot hold a double quote or a control character
/// (RFC 5545 3.2), and `icalendar` only quotes values with `:;,`. Names are
/// refused with control characters when typed; this keeps the invite whole
/// whatever reaches it.
fn parameter_value(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect()
}

/// Times are written in UTC ("...Z"), which every calendar converts to the
/// reader's zone without needing a VTIMEZONE block.
pub fn render(invite: &Invite<'_>, method: Method) -> String {
    let (method_name, status) = match method {
        Method::Request => ("REQUEST", icalendar::EventStatus::Confirmed),
        Method::Cancel => ("CANCEL", icalendar::EventStatus::Cancelled),
    };
    let mut attendee = Property::new("ATTENDEE", format!("mailto:{}", invite.attendee_email));
    attendee
        .add_parameter("CN", &parameter_value(invite.attendee_name))
        .add_parameter("ROLE", "REQ-PARTICIPANT")
        .add_parameter("RSVP", "FALSE");
    let mut organiser = Property::new("ORGANIZER", format!("mailto:{}", invite.organiser_email));
    organiser.add_parameter("CN", "Aanmeldpunt");

    let event = icalendar::Event::with_uid(&invite.uid)
        .summary(invite.title)
        .description(invite.description)
        .location(invite.location)
        .starts(invite.starts_at)
        .ends(invite.ends_at)
        .status(status)
        .url(invite.url)
        .add_property("SEQUENCE", invite.sequence.to_string())
        .append_property(organiser)
        .append_property(attendee)
        .done();
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Aanmeldpunt//NL"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", method_name))
        .push(event);
    calendar.done().to_string()
}

/// A public meeting in a calendar feed or an "add to calendar" file: no
/// attendee and no organiser, so nothing in it is about a person.
pub struct Listing<'a> {
    pub uid: String,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub url: &'a str,
    /// Called off: subscribed calendars show it struck through until its
    /// date instead of silently dropping it.
    pub cancelled: bool,
}

/// The UID of a meeting in the public feed; not a sign-up's UID, so a
/// subscription and a personal invite stay two entries.
pub fn listing_uid(event_id: Uuid) -> String {
    format!("event-{event_id}@aanmeldpunt")
}

/// A published calendar (METHOD:PUBLISH) of `listings`, named `name`.
pub fn render_listings(name: &str, listings: &[Listing<'_>]) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Aanmeldpunt//NL"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .append_property(Property::new("X-WR-CALNAME", name));
    for listing in listings {
        let status = match listing.cancelled {
            true => icalendar::EventStatus::Cancelled,
            false => icalendar::EventStatus::Confirmed,
        };
        let description = format!("{}\n\n{}", listing.description, listing.url);
        calendar.push(
            icalendar::Event::with_uid(&listing.uid)
                .summary(listing.title)
                .description(&description)
                .location(listing.location)
                .starts(listing.starts_at)
                .ends(listing.ends_at)
                .status(status)
                .url(listing.url)
                .done(),
        );
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn invite() -> Invite<'static> {
        Invite {
            uid: "registration-1@aanmeldpunt.test".into(),
            sequence: 2,
            title: "Partnerships voor meer banen",
            description: "Bijeenkomst",
            location: "Den Haag",
            starts_at: Utc.with_ymd_and_hms(2026, 12, 14, 12, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 12, 14, 16, 0, 0).unwrap(),
            organiser_email: "noreply@aanmeldpunt.test",
            attendee_name: "Anna",
            attendee_email: "anna@utrecht.nl",
            url: "https://aanmeldpunt.test/events/x",
        }
    }

    #[test]
    fn a_request_carries_uid_times_and_sequence() {
        let ics = render(&invite(), Method::Request);
        assert!(ics.contains("METHOD:REQUEST"), "{ics}");
        assert!(ics.contains("UID:registration-1@aanmeldpunt.test"), "{ics}");
        assert!(ics.contains("DTSTART:20261214T120000Z"), "{ics}");
        assert!(ics.contains("DTEND:20261214T160000Z"), "{ics}");
        assert!(ics.contains("SEQUENCE:2"), "{ics}");
        let parsed: Calendar = ics.parse().expect("valid iCalendar");
        assert_eq!(parsed.events().count(), 1);
    }

    #[test]
    fn a_hostile_name_or_title_yields_one_event_with_one_attendee_and_folded_lines() {
        let name = "Anna\r\nATTENDEE:mailto:evil@example.com\r\nDTSTART:19700101T000000Z\r\nX-EVIL:1 \"quoted\"; comma, back\\slash";
        let long_title =
            "Partnerships voor meer banen; een heel lange titel, met komma's en \\ ".repeat(4);
        let invite = Invite {
            attendee_name: name,
            title: &long_title,
            location: "Den Haag\nBEGIN:VEVENT",
            ..invite()
        };
        let ics = render(&invite, Method::Request);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line:?}");
        }
        let parsed: Calendar = ics.parse().expect("valid iCalendar");
        let events: Vec<_> = parsed.events().collect();
        assert_eq!(events.len(), 1, "{ics}");
        let event = events[0];
        let attendees: Vec<_> = event
            .multi_properties()
            .get("ATTENDEE")
            .map(|all| all.iter().collect())
            .unwrap_or_default();
        assert_eq!(attendees.len(), 1, "{ics}");
        assert_eq!(attendees[0].value(), "mailto:anna@utrecht.nl");
        assert_eq!(event.property_value("DTSTART"), Some("20261214T120000Z"));
        assert!(event.property_value("X-EVIL").is_none(), "{ics}");
        assert_eq!(event.get_summary(), Some(long_title.as_str()));
        assert_eq!(event.get_location(), Some("Den Haag\nBEGIN:VEVENT"));
    }

    #[test]
    fn a_cancel_marks_the_event_cancelled() {
        let ics = render(&invite(), Method::Cancel);
        assert!(ics.contains("METHOD:CANCEL"), "{ics}");
        assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    }
}
