//! The mails of a sign-up, rendered into the outbox with their calendar
//! invite (or its cancellation) and links.
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;

use super::waitlist_position;
use crate::domain::Lang;
use crate::entities::{access_token, event, outbox, registration};
use crate::error::AppError;
use crate::format;
use crate::mail::ics;
use crate::mail::outbox::{pending_row, NewMail};
use crate::services::{tokens, Services};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MailKind {
    Confirmed,
    Waitlisted,
    Cancelled,
    Reminder,
}

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
    /// Shown as a QR code (the `qr_table` filter) for staff to scan at the
    /// door; drawn when the mail is rendered, outside the sign-up's lock.
    check_in_url: Option<String>,
}

/// The rows a mail adds: its link tokens and its outbox row.
pub(super) struct PreparedMail {
    pub(super) tokens: Vec<access_token::ActiveModel>,
    pub(super) outbox: outbox::ActiveModel,
}

/// Queues a mail about `reg` on the caller's transaction.
pub(super) async fn queue_mail(
    txn: &impl ConnectionTrait,
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
) -> Result<(), AppError> {
    let position = match flags.waitlist_position {
        Some(known) => Some(known),
        None => waitlist_position(txn, reg).await?,
    };
    let flags = MailFlags {
        waitlist_position: position,
        ..flags
    };
    let mail = prepare_mail(services, event, reg, kind, flags)?;
    access_token::Entity::insert_many(mail.tokens)
        .exec_without_returning(txn)
        .await?;
    outbox::Entity::insert(mail.outbox)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// The rows of a mail about `reg`, without touching the database, so a
/// batch of sign-ups can insert all of them in a few statements.
/// `flags.waitlist_position` must already be known for a waiting person.
pub(super) fn prepare_mail(
    services: &Services,
    event: &event::Model,
    reg: &registration::Model,
    kind: MailKind,
    flags: MailFlags,
) -> Result<PreparedMail, AppError> {
    let lang = Lang::parse(&reg.lang).unwrap_or_default();
    let title = match lang {
        Lang::Nl => &event.title_nl,
        Lang::En => &event.title_en,
    };
    let event_url = services.link(&format!("/events/{}?lang={}", event.slug, lang.code()));
    let mut tokens = Vec::with_capacity(2);
    let manage_url = match kind {
        MailKind::Cancelled => None,
        _ => {
            let (token, row) = tokens::new_token(tokens::MANAGE_REGISTRATION, reg.id, None);
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
    let (template, ics) = match kind {
        MailKind::Reminder => (
            "registration_reminder",
            Some(ics::render(&invite, ics::Method::Request)),
        ),
        MailKind::Confirmed => (
            "registration_confirmed",
            Some(ics::render(&invite, ics::Method::Request)),
        ),
        MailKind::Waitlisted => (
            "registration_waitlisted",
            flags
                .cancel_invite
                .then(|| ics::render(&invite, ics::Method::Cancel)),
        ),
        MailKind::Cancelled => (
            "registration_cancelled",
            flags
                .cancel_invite
                .then(|| ics::render(&invite, ics::Method::Cancel)),
        ),
    };
    let check_in_url = match kind {
        MailKind::Confirmed | MailKind::Reminder => {
            let (token, row) = tokens::new_token(tokens::CHECK_IN, reg.id, Some(event.ends_at));
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
            kind: template,
            recipient: &reg.email,
            context: &context,
            ics,
            event_id: Some(event.id),
            registration_id: Some(reg.id),
        },
    )?;
    Ok(PreparedMail { tokens, outbox })
}
