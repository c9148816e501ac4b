//! The closed sets of values that pages, the API and the database share.
//! Each value has one stable name: the one stored in its column, sent in
//! JSON and used in translation keys. A name that is not in the set never
//! becomes a default: [`from_name`](RegistrationStatus::from_name) says
//! `None`, and a database row holding it fails to load.

/// Defines an enum whose values each have one stable name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value with exactly this name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;

named_enum! {
    /// Where one person's sign-up for a meeting stands.
    pub enum RegistrationStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
    }
}

named_enum! {
    /// Whether a meeting can be seen and signed up for.
    pub enum EventStatus {
        Draft = "draft",
        Published = "published",
        /// Called off by the organiser; every attendee was told.
        Cancelled = "cancelled",
    }
}

named_enum! {
    /// Who may sign up for a meeting.
    pub enum Eligibility {
        Open = "open",
        /// Only employers of the sectors Overheid and Onderwijs.
        PublicSector = "public_sector",
    }
}

named_enum! {
    /// `draft -> open <-> closed -> archived`; an archived pilot is done
    /// with: it is listed nowhere, its page says it has ended.
    pub enum PilotStatus {
        Draft = "draft",
        Open = "open",
        Closed = "closed",
        Archived = "archived",
    }
}

named_enum! {
    /// `unverified -> submitted -> accepted | rejected | withdrawn`.
    pub enum ApplicationStatus {
        Unverified = "unverified",
        Submitted = "submitted",
        Accepted = "accepted",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        /// Not confirmed within the verification period: it holds nothing.
        Expired = "expired",
        /// A second application of an organisation that staff folded into
        /// the one that holds the organisation's place.
        Merged = "merged",
    }
}

impl ApplicationStatus {
    /// Still waiting for the applicant or for staff.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Unverified | ApplicationStatus::Submitted
        )
    }
}

named_enum! {
    /// The register's answer to "may this organisation take part?".
    pub enum EligibilityDecision {
        Eligible = "eligible",
        /// Staff check the organisation by hand.
        NeedsReview = "needs_review",
        Ineligible = "ineligible",
    }
}

named_enum! {
    /// Where an organisation's domain comes from. Re-importing the register
    /// replaces only its own domains; corrections and staff additions stay.
    pub enum DomainSource {
        Register = "register",
        /// From the curated corrections file in the repository.
        Correction = "correction",
        /// Added in the back office, with a reason, audited.
        Staff = "staff",
    }
}

named_enum! {
    /// One curated correction of a register entry; the file's and the back
    /// office's are applied after every import.
    pub enum CorrectionAction {
        AddDomain = "add-domain",
        RemoveDomain = "remove-domain",
        /// A sector code, `OVERIG` for a market body, or `review`.
        Sector = "sector",
        /// Another name the organisation is known by ("Friesland").
        Alias = "alias",
    }
}

named_enum! {
    /// What a link token opens; a token opens nothing else.
    pub enum TokenPurpose {
        ManageRegistration = "manage_registration",
        /// Opens an attendee's check-in for staff (the QR code in the mail).
        CheckIn = "check_in",
        VerifyApplication = "verify_application",
        ManageApplication = "manage_application",
        /// Sets a staff member's password once, within an hour of the mail.
        PasswordReset = "password_reset",
    }
}

named_enum! {
    /// Which mail an outbox row is: `templates/mail/<name>.{subject,txt,html}.tera`.
    pub enum MailKind {
        RegistrationConfirmed = "registration_confirmed",
        RegistrationWaitlisted = "registration_waitlisted",
        RegistrationCancelled = "registration_cancelled",
        RegistrationReminder = "registration_reminder",
        /// The meeting moved: what changed, with the updated invite for
        /// the confirmed.
        MeetingChanged = "meeting_changed",
        ApplicationVerify = "application_verify",
        ApplicationStatus = "application_status",
        /// An organiser's own message to a meeting's people.
        EventMessage = "event_message",
        /// An admin sent a staff member a link to set a new password.
        PasswordReset = "password_reset",
    }
}

named_enum! {
    /// Who of a meeting's people an organiser's message goes to.
    pub enum Audience {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        CheckedIn = "checked_in",
        /// Everyone who is still coming or waiting: not the cancelled.
        Everyone = "everyone",
    }
}

named_enum! {
    /// Where an outbox row stands.
    pub enum OutboxStatus {
        Pending = "pending",
        /// Claimed by a worker until its lease runs out.
        Sending = "sending",
        Sent = "sent",
        /// Gave up after the last attempt; organisers can send it again.
        Failed = "failed",
    }
}

named_enum! {
    /// A staff member's role; what each may do is the role table in
    /// `auth::roles`.
    pub enum Role {
        /// Everything, including accounts and the audit log.
        Admin = "admin",
        /// Meetings, their attendee lists, the door and the mail log.
        Organiser = "organiser",
        /// Pilots, applications and partnerships.
        Programme = "programme",
        /// Reads the overviews and figures; changes nothing.
        Viewer = "viewer",
    }
}

impl Role {
    /// A role as a person types it: any case, British or American spelling.
    pub fn from_input(raw: &str) -> Option<Self> {
        match raw.trim().to_lowercase().as_str() {
            "organizer" => Some(Role::Organiser),
            "program" => Some(Role::Programme),
            other => Role::from_name(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_value_and_nothing_else_does() {
        for status in RegistrationStatus::ALL {
            assert_eq!(
                RegistrationStatus::from_name(status.as_str()),
                Some(*status)
            );
        }
        assert_eq!(RegistrationStatus::from_name("Confirmed"), None);
        assert_eq!(RegistrationStatus::from_name(""), None);
        assert_eq!(
            serde_json::to_string(&EligibilityDecision::NeedsReview).unwrap(),
            "\"needs_review\""
        );
    }
}
