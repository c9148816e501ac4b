//! Types that parse, not validate: once a value has one of these types it is
//! known to be well formed. No Rocket or database imports live here.
mod application;
mod email;
mod event;
mod lang;
pub mod mail_domain;
mod message;
mod names;
pub mod org_name;
mod paging;
mod partnership;
mod pilot;
mod registration;
mod search;
mod sector;
mod submission;
mod text;

pub use application::{ApplicationInput, NewApplication};
pub use email::Email;
pub use event::{Capacity, EventInput, NewEvent, Slug};
pub use lang::Lang;
pub use message::MessageDraft;
pub use names::{
    ApplicationStatus, Audience, CorrectionAction, DomainSource, Eligibility, EligibilityDecision,
    EventStatus, MailKind, OutboxStatus, PilotStatus, RegistrationStatus, Role, TokenPurpose,
};
pub use org_name::{KindHint, NameKey};
pub use paging::{PageAt, Window, PAGE_SIZE};
pub use partnership::{kvk_number, Category, HoursPerWeek, Stage, HOURS_PER_JOB};
pub use pilot::{NewPilot, PilotInput, PilotSectors, Places};
pub use registration::{FieldErrors, NewRegistration, RegistrationInput};
pub use search::{
    fold_for_search, partnership_search_key, sign_up_search_key, Search, LIKE_ESCAPE,
};
pub use sector::{SectorCode, SectorGroup};
pub use submission::SubmissionKey;
pub use text::{search_text, BoundedText, Line, OptionalLine, OptionalText};

/// Why a value was refused; the code is a translation key (`error-<code>`),
/// so pages and the API can explain it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError(pub &'static str);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod fuzz;
