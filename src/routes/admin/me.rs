//! A staff member's own account: their sessions, "log out everywhere", and
//! changing their password (counted like log-ins: per client, and a wrong
//! current password toward the lock-out). Two-factor log-in is in
//! `two_factor`.
use crate::http::next::NextPage;
use std::collections::BTreeMap;

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use super::{render_with, Page};
use crate::auth::session::{self, Sessions};
use crate::auth::Reader;
use crate::config::AppConfig;
use crate::domain::{FieldErrors, Lang};
use crate::error::{field_messages, AppError};
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::routes::protection::LoginAllowed;
use crate::services::sessions::{self, SessionView};
use crate::services::staff::{self, Actor};
use crate::services::Services;

#[derive(Serialize)]
struct AccountPage {
    sessions: Vec<SessionView>,
    errors: BTreeMap<&'static str, String>,
    changed: bool,
}

/// Who looks at the page, and from where.
struct Viewer<'a> {
    lang: Lang,
    staff: &'a Reader,
    csrf: &'a CsrfToken,
}

async fn page(
    services: &Services,
    config: &AppConfig,
    viewer: Viewer<'_>,
    status: Status,
    errors: &FieldErrors,
    changed: bool,
) -> Result<Page, AppError> {
    let Viewer { lang, staff, csrf } = viewer;
    let lifetimes = session::lifetimes(config);
    let data = AccountPage {
        sessions: sessions::of(&services.db, staff.id, &staff.session, lifetimes).await?,
        errors: field_messages(errors, lang),
        changed,
    };
    render_with(
        services,
        status,
        "admin/me.html.tera",
        lang,
        staff,
        csrf,
        data,
    )
}

#[rocket::get("/admin/me?<changed>")]
async fn show(
    services: &State<Services>,
    config: &State<AppConfig>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
    changed: Option<bool>,
) -> Result<Page, AppError> {
    let viewer = Viewer {
        lang,
        staff: &staff,
        csrf: &csrf,
    };
    let changed = changed.unwrap_or(false);
    page(
        services,
        config,
        viewer,
        Status::Ok,
        &FieldErrors::new(),
        changed,
    )
    .await
}

#[derive(Debug, Default, rocket::FromForm)]
struct NewPassword {
    #[field(default = String::new())]
    current_password: String,
    #[field(default = String::new())]
    new_password: String,
    #[field(default = String::new())]
    repeated_password: String,
}

#[rocket::post("/admin/me/password", data = "<form>")]
#[allow(clippy::too_many_arguments)]
async fn change_password(
    services: &State<Services>,
    config: &State<AppConfig>,
    lang: Lang,
    sessions: Sessions<'_>,
    staff: Reader,
    csrf: CsrfToken,
    allowed: LoginAllowed<'_>,
    form: CsrfForm<NewPassword>,
) -> Result<Result<Redirect, Page>, AppError> {
    let by = Actor {
        id: staff.id,
        email: &staff.email,
    };
    let changed = staff::change_password(
        &services.db,
        allowed.0,
        &by,
        &form.current_password,
        &form.new_password,
        &form.repeated_password,
    )
    .await;
    match changed {
        Ok(()) => {
            // Every session ended with the old password; this browser
            // signs in again with the new one.
            let account = staff::active_account(&services.db, staff.id)
                .await?
                .ok_or(AppError::SignInRequired)?;
            sessions.start(&account).await?;
            Ok(Ok(Redirect::to(uri!(show(Some(true))))))
        }
        Err(AppError::Validation(errors)) => {
            let viewer = Viewer {
                lang,
                staff: &staff,
                csrf: &csrf,
            };
            let status = Status::UnprocessableEntity;
            page(services, config, viewer, status, &errors, false)
                .await
                .map(Err)
        }
        Err(other) => Err(other),
    }
}

/// Ends every session of the account, this one too.
#[rocket::post("/admin/me/sessions/end", data = "<_form>")]
async fn end_sessions(
    services: &State<Services>,
    sessions: Sessions<'_>,
    staff: Reader,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    let by = Actor {
        id: staff.id,
        email: &staff.email,
    };
    staff::end_sessions(&services.db, &by).await?;
    sessions.end().await?;
    Ok(Redirect::to(uri!(super::login::form(_))))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, change_password, end_sessions]
}
