//! Who may do what in the back office. The role table below is the only
//! place that says it; each capability has a request guard, so a route's
//! signature says who may call it (`staff: Organiser`), and
//! `tests/api/roles.rs` walks every `/admin` route for every role.
use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use super::Staff;
use crate::domain::Role;

/// What a back-office route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Overviews and figures without personal data: the meetings with
    /// their counts, the partnerships and the dashboard.
    Read,
    /// Meetings, their attendee lists and exports, the door and check-in,
    /// and the mail log.
    Organise,
    /// Pilot applications (with their exports) and partnerships.
    RunProgramme,
    /// Staff accounts, the audit log and the yearly targets.
    Administer,
}

/// Capability × role. Organisers see the people who come to meetings;
/// programme staff see the people who apply for pilots; neither sees the
/// other's, viewers see neither (AVG: data minimisation).
pub const ROLE_TABLE: [(Capability, &[Role]); 4] = [
    (
        Capability::Read,
        &[Role::Admin, Role::Organiser, Role::Programme, Role::Viewer],
    ),
    (Capability::Organise, &[Role::Admin, Role::Organiser]),
    (Capability::RunProgramme, &[Role::Admin, Role::Programme]),
    (Capability::Administer, &[Role::Admin]),
];

pub fn allows(role: Role, capability: Capability) -> bool {
    ROLE_TABLE
        .iter()
        .any(|(c, roles)| *c == capability && roles.contains(&role))
}

macro_rules! capability_guard {
    ($(#[$meta:meta])* $guard:ident => $capability:expr) => {
        $(#[$meta])*
        pub struct $guard(pub Staff);

        impl $guard {
            pub const CAPABILITY: Capability = $capability;
        }

        impl std::ops::Deref for $guard {
            type Target = Staff;

            fn deref(&self) -> &Staff {
                &self.0
            }
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $guard {
            type Error = ();

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
                let staff = try_outcome!(req.guard::<Staff>().await);
                if allows(staff.role, Self::CAPABILITY) {
                    Outcome::Success($guard(staff))
                } else {
                    Outcome::Error((Status::Forbidden, ()))
                }
            }
        }
    };
}

capability_guard!(
    /// Any signed-in staff member: overviews and figures.
    Reader => Capability::Read
);
capability_guard!(
    /// Meetings and the people who sign up for them.
    Organiser => Capability::Organise
);
capability_guard!(
    /// Pilots, applications and partnerships.
    Programme => Capability::RunProgramme
);
capability_guard!(
    /// Accounts, audit log, targets.
    Admin => Capability::Administer
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_may_do_everything_and_viewers_only_read() {
        for (capability, _) in ROLE_TABLE {
            assert!(allows(Role::Admin, capability));
        }
        assert!(allows(Role::Viewer, Capability::Read));
        assert!(!allows(Role::Viewer, Capability::Organise));
        assert!(!allows(Role::Programme, Capability::Organise));
        assert!(!allows(Role::Organiser, Capability::RunProgramme));
    }
}
