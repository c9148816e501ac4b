//! The mails of a sign-up, rendered into the outbox with their calendar
//! invite (or its cancellation) and links.
use serde::Serialize;

use super::meeting_change::{changes, ChangeLine, Meeting};
use crate::domain::{Lang, MailKind, RegistrationStatus, TokenPurpose};
use crate::entities::{event, outbox, registration};
use crate::error::AppError;
use crate::format;
use crate::mail::ics;
use crate::mail::links::{LinkToIssue, LinksToIssue};
use crate::mail::outbox::{pending_row, About, NewMail};
use crate::services::Services;

/// What happened that this mail tells of. A mail that follows another
/// (a second sign-up after a cancellation, a move by the organiser) says
/// so, so that nobody looks for the earlier sign-up or calendar entry.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) enum Occasion {
    /// A first sign-up for this meeting from this address.
    #[default]
    SignedUp,
    /// A new sign-up from an address whose earlier one was cancelled.
    SignedUpAgain,
    /// The same address signed up again while its sign-up stands.
    Resent,
    /// A freed seat went to the first person waiting.
    Promoted,
    /// An organiser moved the person between the lists.
    MovedByOrganiser,
    /// The person cancelled through their link.
    CancelledByPerson,
    /// An organiser cancelled on the person's behalf.
    CancelledByOrganiser,
    /// The organiser called the whole meeting off.
    EventCalledOff,
    /// The organiser moved the meeting to another time or place.
    MeetingMoved,
}

#[derive(Clone, Copy, Default)]
pub(super) struct MailFlags {
    pub(super) occasion: Occasion,
    pub(super) cancel_invite: bool,
    /// The waiting-list position when the caller already knows it.
    pub(super) waitlist_position: Option<u64>,
}

impl MailFlags {
    pub(super) const NONE: Self = Self {
        occasion: Occasion::SignedUp,
        cancel_invite: false,
        waitlist_position: None,
    };

    pub(super) const fn because(occasion: Occasion) -> Self {
        Self {
            occasion,
            ..Self::NONE
        }
    }
}

/// The Fluent keys of the mail's opening paragraphs, in order.
fn intro(kind: MailKind, occasion: Occasion) -> Vec<&'static str> {
    use Occasion::*;
    match (kind, occasion) {
        (MailKind::RegistrationReminder, _) => vec!["mail-reminder-intro"],
        (MailKind::MeetingChanged, _) => vec!["mail-changed-intro"],
        (MailKind::RegistrationConfirmed, SignedUpAgain) => {
            vec!["mail-confirmed-intro", "mail-again-note-invite"]
        }
        (MailKind::RegistrationConfirmed, Resent) => {
            vec!["mail-resent-intro", "mail-confirmed-intro"]
        }
        (MailKind::RegistrationConfirmed, Promoted) => vec!["mail-promoted-intro"],
        (MailKind::RegistrationConfirmed, MovedByOrganiser) => {
            vec!["mail-moved-confirmed-intro"]
        }
        (MailKind::RegistrationWaitlisted, SignedUpAgain) => {
            vec!["mail-waitlisted-intro", "mail-again-note"]
        }
        (MailKind::RegistrationWaitlisted, Resent) => {
            vec!["mail-resent-intro", "mail-waitlisted-intro"]
        }
        (MailKind::RegistrationWaitlisted, MovedByOrganiser) => {
            vec!["mail-moved-waitlisted-intro"]
        }
        (MailKind::RegistrationCancelled, CancelledByOrganiser) => {
            vec!["mail-cancelled-by-organiser-intro"]
        }
        (MailKind::RegistrationCancelled, EventCalledOff) => vec!["mail-event-cancelled-intro"],
        (MailKind::RegistrationCancelled, _) => vec!["mail-cancelled-intro"],
        (MailKind::RegistrationWaitlisted, _) => vec!["mail-waitlisted-intro"],
        _ => vec!["mail-confirmed-intro"],
    }
}

#[derive(Serialize)]
struct RegistrationMail<'a> {
    lang: &'static str,
    name: &'a str,
    event_title: &'a str,
    date: String,
    time: String,
    location: &'a str,
    event_url: String,
    /// `manage_url`, and `check_in_url` (shown as a QR code for staff to
    /// scan at the door), issued when the mail is sent (`mail::links`).
    links_to_issue: LinksToIssue,
    /// 0 for mails that name no place: a template function takes no null.
    waitlist_position: u64,
    /// Fluent keys of the opening paragraphs (see [`intro`]).
    intro: Vec<&'static str>,
    calendar_attached: bool,
    /// A cancellation the person can undo by signing up anew.
    may_sign_up_again: bool,
    /// The organiser's words, in a mail about the meeting being called off.
    call_off_message: Option<&'a str>,
    /// The meeting's own paragraph, in the mails that carry the invite.
    note: Option<&'a str>,
    /// What moved, old and new, in a mail about a moved meeting.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<ChangeLine>,
}

/// The outbox row of a mail about `reg`, without touching the database, so
/// a transaction can insert all of its mails in a few statements.
pub(super) fn prepare_mail(
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
    moved_from: Option<&Meeting>,
) -> Result<outbox::ActiveModel, AppError> {
    let lang = reg.lang;
    let (title, note) = match lang {
        Lang::Nl => (&event.title_nl, &event.confirmation_note_nl),
        Lang::En => (&event.title_en, &event.confirmation_note_en),
    };
    let event_url = services.link(&format!("/events/{}?lang={}", event.slug, lang.code()));
    let mut links = LinksToIssue::new();
    if kind != MailKind::RegistrationCancelled {
        let manage = LinkToIssue::new(TokenPurpose::ManageRegistration, reg.id, "/manage/", None);
        links.insert("manage_url", manage);
    }
    let invite = ics::Invite {
        uid: reg
            .calendar_uid
            .clone()
            .unwrap_or_else(|| ics::old_calendar_uid(reg.id, services.mail_host())),
        sequence: reg.ics_sequence,
        title,
        description: &event_url,
        location: &event.location,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        organiser_email: &services.mail_from_address(),
        attendee_name: &reg.name,
        attendee_email: &reg.email,
        url: &event_url,
    };
    // Only a confirmed attendee has an entry for a move to update.
    let invited = match kind {
        MailKind::RegistrationReminder | MailKind::RegistrationConfirmed => true,
        MailKind::MeetingChanged => reg.status == RegistrationStatus::Confirmed,
        _ => false,
    };
    let ics = if invited {
        Some(ics::render(&invite, ics::Method::Request))
    } else {
        flags
            .cancel_invite
            .then(|| ics::render(&invite, ics::Method::Cancel))
    };
    if invited {
        let check_in = LinkToIssue::new(
            TokenPurpose::CheckIn,
            reg.id,
            "/admin/checkin/",
            Some(event.ends_at),
        );
        links.insert("check_in_url", check_in);
    }
    let context = RegistrationMail {
        lang: lang.code(),
        name: &reg.name,
        event_title: title,
        date: format::long_date(event.starts_at, lang),
        time: format::time_range(event.starts_at, event.ends_at),
        location: &event.location,
        event_url: event_url.clone(),
        links_to_issue: links,
        waitlist_position: flags.waitlist_position.unwrap_or(0),
        intro: intro(kind, flags.occasion),
        calendar_attached: ics.is_some(),
        may_sign_up_again: flags.occasion == Occasion::CancelledByPerson,
        call_off_message: event
            .call_off_message
            .as_deref()
            .filter(|_| flags.occasion == Occasion::EventCalledOff),
        note: note.as_deref().filter(|_| invited),
        changes: match (kind, moved_from) {
            (MailKind::MeetingChanged, Some(before)) => changes(before, &Meeting::of(event), lang),
            _ => Vec::new(),
        },
    };
    Ok(pending_row(
        &services.views,
        NewMail {
            kind,
            recipient: &reg.email,
            context: &context,
            ics,
            about: About::Registration {
                event_id: event.id,
                registration_id: reg.id,
            },
        },
    )?)
}

#[cfg(test)]
mod tests {
    use fluent_templates::Loader;

    use super::*;

    #[test]
    fn every_opening_a_mail_can_have_is_written_in_both_languages() {
        use Occasion::*;
        let kinds = [
            MailKind::RegistrationConfirmed,
            MailKind::RegistrationWaitlisted,
            MailKind::RegistrationCancelled,
            MailKind::RegistrationReminder,
            MailKind::MeetingChanged,
        ];
        let occasions = [
            SignedUp,
            SignedUpAgain,
            Resent,
            Promoted,
            MovedByOrganiser,
            CancelledByPerson,
            CancelledByOrganiser,
            EventCalledOff,
            MeetingMoved,
        ];
        for kind in kinds {
            for occasion in occasions {
                for key in intro(kind, occasion) {
                    // Both files hold the same keys (`i18n`'s own test).
                    let args = std::collections::HashMap::from([
                        ("title".into(), "Partnerdag".into()),
                        ("position".into(), 3.into()),
                    ]);
                    let text = crate::i18n::LOCALES.try_lookup_with_args(
                        &crate::i18n::langid(Lang::Nl),
                        key,
                        &args,
                    );
                    assert!(text.is_some(), "{key} ({kind:?}, {occasion:?}) has no text");
                }
            }
        }
    }
}
