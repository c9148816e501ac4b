//! Two-factor log-in on one's own account page: enrol (a QR code, the
//! `otpauth://` URI and the secret as text, then a code to confirm) or
//! switch it off with a code.
use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{uri, State};
use serde::Serialize;

use super::{render_with, Page};
use crate::auth::two_factor::{self, TotpKey};
use crate::auth::Reader;
use crate::domain::{FieldErrors, Lang, Role};
use crate::error::{field_messages, AppError};
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::services::staff::two_factor::{self as service, State as Enrolment};
use crate::services::staff::Actor;
use crate::services::{settings, Services};

#[derive(Serialize)]
struct TwoFactorPage {
    state: &'static str,
    /// While enrolling: what the app needs.
    uri: Option<String>,
    qr_png: Option<String>,
    secret: Option<String>,
    required: bool,
    errors: BTreeMap<&'static str, String>,
}

async fn page(
    services: &Services,
    key: &TotpKey,
    lang: Lang,
    staff: &Reader,
    csrf: &CsrfToken,
    status: Status,
    errors: &FieldErrors,
) -> Result<Page, AppError> {
    let state = service::state(&services.db, key, staff.id).await?;
    let required =
        staff.role == Role::Admin && settings::two_factor_required_for_admins(&services.db).await?;
    let (name, secret) = match state {
        Enrolment::Off => ("off", None),
        Enrolment::Enrolling(secret) => ("enrolling", Some(secret)),
        Enrolment::On => ("on", None),
    };
    let uri = secret
        .as_deref()
        .map(|s| two_factor::otpauth_uri(s, &staff.email));
    let data = TwoFactorPage {
        state: name,
        qr_png: uri
            .as_deref()
            .and_then(crate::mail::qr::png)
            .map(|qr| STANDARD.encode(qr.png)),
        secret: secret.as_deref().map(two_factor::secret_text),
        uri,
        required,
        errors: field_messages(errors, lang),
    };
    let template = "admin/two_factor.html.tera";
    render_with(services, status, template, lang, staff, csrf, data)
}

#[rocket::get("/admin/me/two-factor")]
async fn show(
    services: &State<Services>,
    key: &State<TotpKey>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let none = FieldErrors::new();
    page(services, key, lang, &staff, &csrf, Status::Ok, &none).await
}

#[rocket::post("/admin/me/two-factor/start", data = "<_form>")]
async fn start(
    services: &State<Services>,
    key: &State<TotpKey>,
    staff: Reader,
    _form: CsrfForm<Button>,
) -> Result<Redirect, AppError> {
    let by = Actor {
        id: staff.id,
        email: &staff.email,
    };
    service::start(&services.db, key, &by).await?;
    Ok(Redirect::to(uri!(show)))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Code {
    #[field(default = String::new())]
    code: String,
}

/// `confirm` or `disable`: both take a code from the app.
#[rocket::post("/admin/me/two-factor/<change>", data = "<form>", rank = 2)]
async fn with_code(
    services: &State<Services>,
    key: &State<TotpKey>,
    lang: Lang,
    staff: Reader,
    csrf: CsrfToken,
    change: &str,
    form: CsrfForm<Code>,
) -> Result<Result<Redirect, Page>, AppError> {
    let by = Actor {
        id: staff.id,
        email: &staff.email,
    };
    let done = match change {
        "confirm" => service::confirm(&services.db, key, &by, &form.code).await,
        "disable" => service::disable(&services.db, key, &by, &form.code).await,
        _ => return Err(AppError::NotFound),
    };
    match done {
        Ok(()) => Ok(Ok(Redirect::to(uri!(show)))),
        Err(AppError::Validation(errors)) => {
            let status = Status::UnprocessableEntity;
            page(services, key, lang, &staff, &csrf, status, &errors)
                .await
                .map(Err)
        }
        Err(other) => Err(other),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![show, start, with_code]
}
