//! The role table (`auth::roles::ROLE_TABLE`) against the routes: every
//! `/admin` route, for every role and for a visitor who is not signed in,
//! answers as the table says. A new back-office route fails this test until
//! it is listed below with the capability its guard asks for.
use aanmeldpunt::auth::roles::{allows, ROLE_TABLE};
use aanmeldpunt::auth::Capability;
use aanmeldpunt::domain::Role;
use rocket::http::{ContentType, Method, Status};

use crate::helpers::{spawn_app, EventSpec, TestApp};

const SLUG: &str = "partnerships-voor-meer-banen";

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Needs {
    Nobody,
    Capability(Capability),
}

use Capability::*;
use Needs::Nobody;

const fn can(capability: Capability) -> Needs {
    Needs::Capability(capability)
}

/// Every back-office route with the capability its signature asks for.
const ROUTES: &[(Method, &str, Needs)] = &[
    (Method::Get, "/admin/login?<next>", Nobody),
    (Method::Post, "/admin/login", Nobody),
    (Method::Get, "/admin/login/code", Nobody),
    (Method::Post, "/admin/login/code", Nobody),
    (Method::Get, "/admin/password/<token>", Nobody),
    (Method::Post, "/admin/password/<token>", Nobody),
    (Method::Post, "/admin/logout", can(Read)),
    (Method::Get, "/admin", can(Read)),
    (
        Method::Get,
        "/admin/events/<slug>/attendees?<query..>",
        can(Organise),
    ),
    (
        Method::Get,
        "/admin/events/<slug>/attendees/export/<format>?<query..>",
        can(Organise),
    ),
    (Method::Get, "/admin/events/<slug>/sectors", can(Organise)),
    (
        Method::Get,
        "/admin/events/<slug>/checkin?<query..>",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/registrations/<id>/checkin",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/registrations/<id>/checkin/undo",
        can(Organise),
    ),
    (
        Method::Get,
        "/admin/registrations/<id>/cancel",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/registrations/<id>/cancel",
        can(Organise),
    ),
    (Method::Get, "/admin/events/<slug>/cancel", can(Organise)),
    (Method::Get, "/admin/events/<slug>/copy", can(Organise)),
    (Method::Get, "/admin/events/<slug>/messages", can(Organise)),
    (Method::Post, "/admin/events/<slug>/messages", can(Organise)),
    (
        Method::Post,
        "/admin/events/<slug>/messages/preview",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/events/<slug>/messages/edit",
        can(Organise),
    ),
    (Method::Post, "/admin/events/<slug>/cancel", can(Organise)),
    (
        Method::Post,
        "/admin/registrations/<id>/move",
        can(Organise),
    ),
    (
        Method::Get,
        "/admin/registrations/<id>/erase",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/registrations/<id>/erase",
        can(Organise),
    ),
    (
        Method::Post,
        "/admin/events/<slug>/attendees",
        can(Organise),
    ),
    (Method::Get, "/admin/checkin/<token>", can(Organise)),
    (Method::Get, "/admin/events/new", can(Organise)),
    (Method::Post, "/admin/events/new", can(Organise)),
    (Method::Get, "/admin/events/<slug>/edit", can(Organise)),
    (Method::Post, "/admin/events/<slug>/edit", can(Organise)),
    (Method::Post, "/admin/events/<slug>/<change>", can(Organise)),
    (Method::Get, "/admin/mail?<query..>", can(Organise)),
    (Method::Post, "/admin/mail/<id>/resend", can(Organise)),
    (
        Method::Get,
        "/admin/applications?<q>&<status>&<after>&<before>",
        can(RunProgramme),
    ),
    (
        Method::Get,
        "/admin/applications/export/<format>",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/applications/<id>/decide",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/applications/<id>/vouch",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/applications/<id>/merge",
        can(RunProgramme),
    ),
    (
        Method::Get,
        "/admin/register?<q>&<after>&<before>",
        can(RunProgramme),
    ),
    (
        Method::Get,
        "/admin/register/organisations/<id>?<changed>",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/register/organisations/<id>/domains",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/register/organisations/<id>/corrections",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/applications/<id>/partnership",
        can(RunProgramme),
    ),
    (Method::Get, "/admin/pilots", can(RunProgramme)),
    (Method::Get, "/admin/pilots/new", can(RunProgramme)),
    (Method::Post, "/admin/pilots/new", can(RunProgramme)),
    (Method::Get, "/admin/pilots/<slug>/edit", can(RunProgramme)),
    (Method::Post, "/admin/pilots/<slug>/edit", can(RunProgramme)),
    (
        Method::Post,
        "/admin/pilots/<slug>/<wanted>",
        can(RunProgramme),
    ),
    (
        Method::Get,
        "/admin/partnerships?<q>&<after>&<before>",
        can(Read),
    ),
    (Method::Post, "/admin/partnerships", can(RunProgramme)),
    (
        Method::Post,
        "/admin/partnerships/<id>/stage",
        can(RunProgramme),
    ),
    (
        Method::Post,
        "/admin/partnerships/<id>/hours",
        can(RunProgramme),
    ),
    (Method::Post, "/admin/partnerships/target", can(Administer)),
    (
        Method::Get,
        "/admin/partnerships/export/<format>",
        can(Read),
    ),
    (
        Method::Get,
        "/admin/partnerships/dashboard?<year>",
        can(Read),
    ),
    (Method::Get, "/admin/me?<changed>", can(Read)),
    (Method::Post, "/admin/me/password", can(Read)),
    (Method::Post, "/admin/me/sessions/end", can(Read)),
    (Method::Get, "/admin/me/two-factor", can(Read)),
    (Method::Post, "/admin/me/two-factor/start", can(Read)),
    (Method::Post, "/admin/me/two-factor/<change>", can(Read)),
    (Method::Get, "/admin/audit?<query..>", can(Administer)),
    (Method::Get, "/admin/accounts", can(Administer)),
    (Method::Post, "/admin/accounts", can(Administer)),
    (Method::Post, "/admin/accounts/<id>/role", can(Administer)),
    (Method::Post, "/admin/accounts/<id>/active", can(Administer)),
    (
        Method::Post,
        "/admin/accounts/<id>/password-reset",
        can(Administer),
    ),
    (
        Method::Post,
        "/admin/accounts/<id>/two-factor/reset",
        can(Administer),
    ),
    (
        Method::Post,
        "/admin/accounts/two-factor-required",
        can(Administer),
    ),
];

/// A request path for a route pattern: its segments filled in with values
/// of the right shape, its query left out.
fn concrete(pattern: &str) -> String {
    let path = pattern.split('?').next().unwrap_or(pattern);
    path.split('/')
        .map(|segment| match segment {
            "<slug>" => SLUG,
            "<id>" => "0b7a2f0e-8d4c-4c1e-9a57-3c2d1e0f9b8a",
            "<token>" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "<format>" => "csv",
            "<change>" if pattern.starts_with("/admin/me/") => "confirm",
            "<change>" | "<wanted>" => "close",
            other => other,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn request(app: &TestApp, method: Method, path: &str, csrf: &str) -> Status {
    let response = match method {
        Method::Get => app.client.get(path.to_owned()).dispatch().await,
        _ => {
            app.client
                .post(path.to_owned())
                .header(ContentType::Form)
                .body(format!("csrf={csrf}"))
                .dispatch()
                .await
        }
    };
    let status = response.status();
    let to_login = response
        .headers()
        .get_one("Location")
        .is_some_and(|to| to.starts_with("/admin/login"));
    let ends_session = response
        .headers()
        .get("Set-Cookie")
        .any(|c| c.starts_with("staff_session="));
    // Sent to the log-in page without a session ended: the guard did not
    // know who this is. (A log-out also lands there, ending the session.)
    if status == Status::SeeOther && to_login && !ends_session {
        Status::Unauthorized
    } else {
        status
    }
}

#[rocket::async_test]
async fn every_admin_route_answers_each_role_as_the_role_table_says() {
    // Each role in its own app: one cookie jar, one person signed in.
    for role in [
        None,
        Some(Role::Admin),
        Some(Role::Organiser),
        Some(Role::Programme),
        Some(Role::Viewer),
    ] {
        let app = spawn_app().await;
        app.create_event(EventSpec::default()).await;
        let mounted: Vec<(Method, String)> = app
            .client
            .rocket()
            .routes()
            .filter(|r| r.uri.path().starts_with("/admin"))
            .map(|r| (r.method, r.uri.to_string()))
            .collect();
        for (method, uri) in &mounted {
            assert!(
                ROUTES.iter().any(|(m, u, _)| m == method && u == uri),
                "{method} {uri} is not in this test's list: which capability does it need?"
            );
        }
        assert_eq!(
            mounted.len(),
            ROUTES.len(),
            "a listed route is no longer mounted"
        );

        let mut csrf = match role {
            Some(role) => app.log_in_as(role).await,
            None => app.csrf_token().await,
        };
        // The ones that end the session last: the other rows need it.
        let ends_session = |uri: &str| uri == "/admin/logout" || uri == "/admin/me/sessions/end";
        let mut routes: Vec<_> = ROUTES.iter().collect();
        routes.sort_by_key(|(_, uri, _)| ends_session(uri));
        for (method, uri, needs) in routes {
            if let (true, Some(role)) = (ends_session(uri), role) {
                // The row before may have ended the session: sign in anew.
                let email = format!("{}@dnz.nl", role.as_str());
                app.log_in(&email, crate::helpers::STAFF_PASSWORD).await;
                csrf = app.csrf_token().await;
            }
            let path = concrete(uri);
            let status = request(&app, *method, &path, &csrf).await;
            let who = role.map_or("a visitor".to_owned(), |r| r.as_str().to_owned());
            assert!(status.code < 500, "{method} {path} as {who}: {status}");
            match (needs, role) {
                // The log-in answers 401 to wrong credentials, to everyone.
                (Nobody, _) => assert_ne!(
                    status,
                    Status::Forbidden,
                    "{method} {path} is open to all, but {who} got {status}"
                ),
                (Needs::Capability(_), None) => assert_eq!(
                    status,
                    Status::Unauthorized,
                    "{method} {path}: {who} is sent to the log-in"
                ),
                (Needs::Capability(capability), Some(role)) if allows(role, *capability) => {
                    assert!(
                        status != Status::Forbidden && status != Status::Unauthorized,
                        "{method} {path}: {who} may ({capability:?}) but got {status}"
                    )
                }
                (Needs::Capability(capability), Some(_)) => assert_eq!(
                    status,
                    Status::Forbidden,
                    "{method} {path}: {who} may not ({capability:?})"
                ),
            }
        }
    }
}

#[rocket::async_test]
async fn programme_staff_and_viewers_see_no_attendee_data() {
    for role in [Role::Programme, Role::Viewer] {
        let app = spawn_app().await;
        app.create_event(EventSpec::default()).await;
        app.sign_up_api(SLUG, "anna@utrecht.nl").await;
        app.log_in_as(role).await;
        for path in [
            format!("/admin/events/{SLUG}/attendees"),
            format!("/admin/events/{SLUG}/attendees/export/csv"),
            format!("/admin/events/{SLUG}/sectors"),
            format!("/admin/events/{SLUG}/checkin"),
            "/admin/mail".to_owned(),
        ] {
            assert_eq!(app.get(&path).await.status(), Status::Forbidden, "{path}");
        }
        let overview = app.get("/admin").await.into_string().await.unwrap();
        assert!(
            !overview.contains("/attendees"),
            "the overview offers no attendee list to {role}"
        );
    }
}

#[test]
fn the_readme_shows_the_role_table_as_the_code_has_it() {
    let roles = [Role::Admin, Role::Organiser, Role::Programme, Role::Viewer];
    let mut table = String::from("| capability |");
    for role in roles {
        table.push_str(&format!(" {} |", role.as_str()));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(roles.len()));
    for (capability, _) in ROLE_TABLE {
        table.push_str(&format!("\n| {capability:?} |"));
        for role in roles {
            table.push_str(if allows(role, capability) {
                " yes |"
            } else {
                " no |"
            });
        }
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(readme.contains(&table), "README.md should hold:\n{table}");
}
