//! The mails of a sign-up, rendered into the outbox with their calendar
//! invite (or its cancellation) and links.
use serde::Serialize;

use crate::domain::{Lang, MailKind, TokenPurpose};
use crate::entities::{access_token, event, outbox, registration};
use crate::error::AppError;
use crate::format;
use crate::mail::ics;
use crate::mail::outbox::{pending_row, About, NewMail};
use crate::services::{tokens, Services};

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
    manage_url: Option<String>,
    waitlist_position: Option<u64>,
    resent: bool,
    promoted: bool,
    calendar_attached: bool,
    event_cancelled: bool,
    /// Shown as a QR code (a PNG, `mail::qr`) for staff to scan at the
    /// door; drawn when the mail is rendered, outside the sign-up's lock.
    check_in_url: Option<String>,
}

/// The rows a mail adds: its link tokens and its outbox row.
pub(super) struct PreparedMail {
    pub(super) tokens: Vec<access_token::ActiveModel>,
    pub(super) outbox: outbox::ActiveModel,
}

/// The rows of a mail about `reg`, without touching the database, so a
/// transaction can insert all of its mails in a few statements.
pub(super) fn prepare_mail(
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
) -> Result<PreparedMail, AppError> {
    let lang = reg.lang;
    let title = match lang {
        Lang::Nl => &event.title_nl,
        Lang::En => &event.title_en,
    };
    let event_url = services.link(&format!("/events/{}?lang={}", event.slug, lang.code()));
    let mut tokens = Vec::with_capacity(2);
    let manage_url = match kind {
        MailKind::RegistrationCancelled => None,
        _ => {
            let (token, row) = tokens::new_token(TokenPurpose::ManageRegistration, reg.id, None);
            tokens.push(row);
            Some(services.link(&format!("/manage/{token}")))
        }
    };
    let invite = ics::Invite {
        uid: format!("registration-{}@{}", reg.id, services.mail_host()),
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
    let check_in_url = match kind {
        MailKind::RegistrationConfirmed | MailKind::RegistrationReminder => {
            let (token, row) =
                tokens::new_token(TokenPurpose::CheckIn, reg.id, Some(event.ends_at));
            tokens.push(row);
            Some(services.link(&format!("/admin/checkin/{token}")))
        }
        _ => None,
    };
    let context = RegistrationMail {
        check_in_url,
        lang: lang.code(),
        name: &reg.name,
        event_title: title,
        date: format::long_date(event.starts_at, lang),
        time: format::time_range(event.starts_at, event.ends_at),
        location: &event.location,
        event_url: event_url.clone(),
        manage_url,
        waitlist_position: flags.waitlist_position,
        resent: flags.resent,
        promoted: flags.promoted,
        calendar_attached: ics.is_some(),
        event_cancelled: flags.event_cancelled,
    };
    let outbox = pending_row(
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
    )?;
    Ok(PreparedMail { tokens, outbox })
}
