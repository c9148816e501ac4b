//! The mails of a sign-up, rendered into the outbox with their calendar
//! invite (or its cancellation) and links.
use serde::Serialize;

use crate::domain::{Lang, MailKind, TokenPurpose};
use crate::entities::{event, outbox, registration};
use crate::error::AppError;
use crate::format;
use crate::mail::ics;
use crate::mail::links::{LinkToIssue, LinksToIssue};
use crate::mail::outbox::{pending_row, About, NewMail};
use crate::services::Services;

#[derive(Clone, Copy, Default)]
pub(super) struct MailFlags {
    pub(super) resent: bool,
    pub(super) promoted: bool,
    pub(super) cancel_invite: bool,
    pub(super) event_cancelled: bool,
    /// The waiting-list position when the caller already knows it.
    pub(super) waitlist_position: Option<u64>,
}

impl MailFlags {
    pub(super) const NONE: Self = Self {
        resent: false,
        promoted: false,
        cancel_invite: false,
        event_cancelled: false,
        waitlist_position: None,
    };
    pub(super) const RESENT: Self = Self {
        resent: true,
        ..Self::NONE
    };
    pub(super) const PROMOTED: Self = Self {
        promoted: true,
        ..Self::NONE
    };
    pub(super) const WITH_CANCEL_INVITE: Self = Self {
        cancel_invite: true,
        ..Self::NONE
    };
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
    waitlist_position: Option<u64>,
    resent: bool,
    promoted: bool,
    calendar_attached: bool,
    event_cancelled: bool,
}

/// The outbox row of a mail about `reg`, without touching the database, so
/// a transaction can insert all of its mails in a few statements.
pub(super) fn prepare_mail(
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
) -> Result<outbox::ActiveModel, AppError> {
    let lang = reg.lang;
    let title = match lang {
        Lang::Nl => &event.title_nl,
        Lang::En => &event.title_en,
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
    let ics = match kind {
        MailKind::RegistrationReminder | MailKind::RegistrationConfirmed => {
            Some(ics::render(&invite, ics::Method::Request))
        }
        _ => flags
            .cancel_invite
            .then(|| ics::render(&invite, ics::Method::Cancel)),
    };
    if matches!(
        kind,
        MailKind::RegistrationConfirmed | MailKind::RegistrationReminder
    ) {
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
        waitlist_position: flags.waitlist_position,
        resent: flags.resent,
        promoted: flags.promoted,
        calendar_attached: ics.is_some(),
        event_cancelled: flags.event_cancelled,
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
