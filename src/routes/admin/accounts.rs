use rocket::response::{Flash, Redirect};
use rocket::{uri, State};
use serde::Serialize;
use uuid::Uuid;

use super::{render, Page};
use crate::auth::Admin;
use crate::domain::{Lang, ParseError, Role};
use crate::error::AppError;
use crate::http::{CsrfForm, CsrfToken};
use crate::services::staff::{self, Account, Actor};
use crate::services::Services;

#[derive(Serialize)]
struct AccountsPage {
    accounts: Vec<Account>,
}

#[rocket::get("/admin/accounts")]
async fn list(
    services: &State<Services>,
    lang: Lang,
    me: Admin,
    csrf: CsrfToken,
) -> Result<Page, AppError> {
    let accounts = staff::list(&services.db).await?;
    render(
        services,
        "admin/accounts.html.tera",
        lang,
        &me,
        &csrf,
        AccountsPage { accounts },
    )
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
struct Change {
    #[field(default = String::new())]
    role: String,
    #[field(default = false)]
    active: bool,
}

#[rocket::post("/admin/accounts/<id>", data = "<form>")]
async fn update(
    services: &State<Services>,
    me: Admin,
    id: Uuid,
    form: CsrfForm<Change>,
) -> Result<Flash<Redirect>, AppError> {
    let role = role(&form.role)?;
    let by = Actor {
        id: me.id,
        email: &me.email,
    };
    staff::update(&services.db, id, role, form.active, &by).await?;
    Ok(super::saved(Redirect::to(uri!(list)), "saved-account"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, create, update]
}
