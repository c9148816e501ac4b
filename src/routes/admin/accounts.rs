//! Staff accounts for admins: create, change a role, deactivate and
//! reactivate, send a password-reset link, reset two-factor, and whether
//! admins must use two-factor log-in. Each change is audited by its service.
use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page};
use crate::auth::Admin;
use crate::domain::{Lang, ParseError, Role};
use crate::error::AppError;
use crate::http::{Button, CsrfForm, CsrfToken};
use crate::services::staff::{self, manage, password_reset, Account, Actor};
use crate::services::{settings, Services};

#[derive(Serialize)]
struct AccountsPage {
    accounts: Vec<Account>,
    two_factor_required: bool,
}

#[rocket::get("/admin/accounts")]
async fn list(
    services: &State<Services>,
    lang: Lang,
    me: Admin,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let data = AccountsPage {
        accounts: staff::list(&services.db).await?,
        two_factor_required: settings::two_factor_required_for_admins(&services.db).await?,
    };
    render(services, "admin/accounts.html.tera", lang, &me, &csrf, data)
}

fn role(raw: &str) -> Result<Role, AppError> {
    Role::from_input(raw)
        .ok_or_else(|| AppError::Validation([("role", ParseError("required"))].into()))
}

#[derive(Debug, Default, rocket::FromForm)]
struct NewAccount {
    #[field(default = String::new())]
    email: String,
    #[field(default = String::new())]
    name: String,
    #[field(default = String::new())]
    role: String,
    #[field(default = String::new())]
    password: String,
}

#[rocket::post("/admin/accounts", data = "<form>")]
async fn create(
    services: &State<Services>,
    me: Admin,
    form: CsrfForm<NewAccount>,
) -> Result<Flash<Redirect>, AppError> {
    let role = role(&form.role)?;
    staff::create(
        &services.db,
        &form.email,
        &form.name,
        role,
        &form.password,
        &me.email,
    )
    .await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct NewRole {
    #[field(default = String::new())]
    role: String,
}

fn actor(me: &Admin) -> Actor<'_> {
    Actor {
        id: me.id,
        email: &me.email,
    }
}

#[rocket::post("/admin/accounts/<id>/role", data = "<form>")]
async fn set_role(
    services: &State<Services>,
    me: Admin,
    id: Uuid,
    form: CsrfForm<NewRole>,
) -> Result<Flash<Redirect>, AppError> {
    let role = role(&form.role)?;
    manage::set_role(&services.db, id, role, &actor(&me)).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Activation {
    #[field(default = false)]
    active: bool,
}

/// Deactivate (`active=false`) or reactivate (`active=true`).
#[rocket::post("/admin/accounts/<id>/active", data = "<form>")]
async fn set_active(
    services: &State<Services>,
    me: Admin,
    id: Uuid,
    form: CsrfForm<Activation>,
) -> Result<Flash<Redirect>, AppError> {
    manage::set_active(&services.db, id, form.active, &actor(&me)).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

#[rocket::post("/admin/accounts/<id>/password-reset", data = "<_form>")]
async fn send_reset(
    services: &State<Services>,
    me: Admin,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    password_reset::send_link(services, id, &actor(&me)).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-reset-sent"))
}

#[rocket::post("/admin/accounts/<id>/two-factor/reset", data = "<_form>")]
async fn reset_two_factor(
    services: &State<Services>,
    me: Admin,
    id: Uuid,
    _form: CsrfForm<Button>,
) -> Result<Flash<Redirect>, AppError> {
    manage::reset_two_factor(&services.db, id, &actor(&me)).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

#[derive(Debug, Default, rocket::FromForm)]
struct Requirement {
    #[field(default = false)]
    required: bool,
}

/// Whether admins must log in with two-factor; those without it are sent
/// to enrol at their next page.
#[rocket::post("/admin/accounts/two-factor-required", data = "<form>")]
async fn require_two_factor(
    services: &State<Services>,
    me: Admin,
    form: CsrfForm<Requirement>,
) -> Result<Flash<Redirect>, AppError> {
    settings::set_two_factor_required_for_admins(&services.db, form.required, &actor(&me)).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![
        list,
        create,
        set_role,
        set_active,
        send_reset,
        reset_two_factor,
        require_two_factor
    ]
}
