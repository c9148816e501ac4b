use rocket::form::Form;
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::State;
use serde::Serialize;
use uuid::Uuid;

use super::{render, Html};
use crate::auth::{csrf, CsrfToken, Role, Staff};
use crate::domain::{Lang, ParseError};
use crate::error::AppError;
use crate::services::staff::{self, Account, CreateError};
use crate::services::Services;

#[derive(Serialize)]
struct AccountsPage {
    accounts: Vec<Account>,
}

/// Admins only.
#[rocket::get("/admin/accounts")]
async fn list(
    services: &State<Services>,
    lang: Lang,
    me: Staff,
    csrf: CsrfToken,
) -> Result<Html, AppError> {
    me.require(&[])?;
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

#[derive(rocket::FromForm)]
struct NewAccount {
    #[field(default = String::new())]
    csrf: String,
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
    jar: &CookieJar<'_>,
    me: Staff,
    form: Form<NewAccount>,
) -> Result<Redirect, AppError> {
    me.require(&[])?;
    csrf::verify(jar, &form.csrf)?;
    let role = Role::parse(&form.role)
        .ok_or_else(|| AppError::Validation([("role", ParseError("required"))].into()))?;
    match staff::create(
        &services.db,
        &form.email,
        &form.name,
        role,
        &form.password,
        &me.email,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/admin/accounts")),
        Err(CreateError::Exists) => Err(AppError::Conflict("error-account-exists")),
        Err(CreateError::Invalid { field, code }) => {
            Err(AppError::Validation([(field, ParseError(code))].into()))
        }
        Err(CreateError::Database(e)) => Err(e.into()),
        Err(CreateError::Failed(e)) => Err(e),
    }
}

#[derive(rocket::FromForm)]
struct Change {
    #[field(default = String::new())]
    csrf: String,
    #[field(default = String::new())]
    role: String,
    #[field(default = false)]
    active: bool,
}

#[rocket::post("/admin/accounts/<id>", data = "<form>")]
async fn update(
    services: &State<Services>,
    jar: &CookieJar<'_>,
    me: Staff,
    id: &str,
    form: Form<Change>,
) -> Result<Redirect, AppError> {
    me.require(&[])?;
    csrf::verify(jar, &form.csrf)?;
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let role = Role::parse(&form.role)
        .ok_or_else(|| AppError::Validation([("role", ParseError("required"))].into()))?;
    staff::update(&services.db, id, role, form.active, &me).await?;
    Ok(Redirect::to("/admin/accounts"))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, create, update]
}
