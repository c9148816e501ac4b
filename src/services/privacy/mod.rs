//! Personal data (AVG/GDPR): where it lives ([`PERSONAL_DATA`]), how a
//! person or staff erase it ([`erase`]), how it goes after the retention
//! periods ([`purge`]), and what a person can see of it ([`access`]).
pub mod access;
pub mod erase;
pub mod purge;
mod scrub;

pub use erase::{erase_application_by_token, erase_by_manage_token, erase_by_staff};
pub use purge::{purge, Purged, Retention};

/// Marks an address as anonymised; `.invalid` can never receive mail.
pub const ANONYMISED_DOMAIN: &str = "anonymised.invalid";

/// Whose data a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// People who sign up for meetings.
    Attendee,
    /// Contacts of organisations that apply for pilots.
    Applicant,
    /// Staff of the programme, for as long as they have an account.
    Staff,
    /// Whoever staff name in free-text notes, though the form asks not to.
    Named,
}

/// A table's columns that can hold personal data, whose it is, and what
/// erasure and the purge do with it. Erasure, the purge and the test that
/// walks the schema all read this list: a column that holds a name or an
/// address and is not here fails `tests/api/personal_data.rs`.
pub struct PersonalData {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub whose: Whose,
    pub erased: &'static str,
}

pub const PERSONAL_DATA: &[PersonalData] = &[
    PersonalData {
        table: "registrations",
        columns: &[
            "name",
            "email",
            "job_title",
            "remarks",
            "checked_in_at",
            "changed_by_attendee_at",
            "submission_key",
            "search_key",
        ],
        whose: Whose::Attendee,
        erased: "anonymised in place: the row stays for the seat counts",
    },
    PersonalData {
        table: "access_tokens",
        columns: &["subject_id"],
        whose: Whose::Attendee,
        erased: "deleted: links of an erased person open nothing",
    },
    PersonalData {
        table: "outbox",
        columns: &["recipient", "subject", "ics", "context", "last_error"],
        whose: Whose::Attendee,
        erased:
            "unsent mail deleted; sent or failed mail keeps kind, times and a hash of the address",
    },
    PersonalData {
        table: "pilot_applications",
        columns: &[
            "contact_name",
            "email",
            "phone",
            "motivation",
            "typed_organisation",
            "vouch_reason",
        ],
        whose: Whose::Applicant,
        erased: "anonymised in place: the organisation from the register and the decision stay",
    },
    PersonalData {
        table: "pilot_applications",
        columns: &["vouched_by"],
        whose: Whose::Staff,
        erased: "kept with the decision: who vouched for the organisation",
    },
    PersonalData {
        table: "application_transitions",
        columns: &["reason", "actor"],
        whose: Whose::Applicant,
        erased: "the message to the applicant is removed; who decided (staff) and when stay",
    },
    PersonalData {
        table: "audit_log",
        columns: &["actor", "subject", "before", "after"],
        whose: Whose::Staff,
        erased: "rows name staff and ids, never attendees' addresses; the purge deletes old rows",
    },
    PersonalData {
        table: "staff_users",
        columns: &["email", "name", "last_login_at"],
        whose: Whose::Staff,
        erased: "kept while the account exists",
    },
    PersonalData {
        table: "app_settings",
        columns: &["updated_by"],
        whose: Whose::Staff,
        erased: "kept with the setting: which admin changed it last",
    },
    PersonalData {
        table: "organisation_corrections",
        columns: &["actor"],
        whose: Whose::Staff,
        erased: "kept with the correction to the register",
    },
    PersonalData {
        table: "register_imports",
        columns: &["actor"],
        whose: Whose::Staff,
        erased: "kept with the record of the import",
    },
    PersonalData {
        table: "partnership_stage_changes",
        columns: &["actor"],
        whose: Whose::Staff,
        erased: "kept with the partnership's history",
    },
    PersonalData {
        table: "partnership_targets",
        columns: &["updated_by"],
        whose: Whose::Staff,
        erased: "kept with the target",
    },
    PersonalData {
        table: "event_messages",
        columns: &["sent_by"],
        whose: Whose::Staff,
        erased: "names the organiser who sent it, as the audit log does; kept with the meeting",
    },
    PersonalData {
        table: "partnerships",
        columns: &["notes"],
        whose: Whose::Named,
        erased: "kept with the partnership; the form asks for no names",
    },
    PersonalData {
        table: "staff_sessions",
        columns: &["user_agent"],
        whose: Whose::Staff,
        erased: "deleted at log-out, password change, deactivation and expiry",
    },
];
