use sea_orm::entity::prelude::*;

use crate::domain::Role;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Argon2id in PHC string form.
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// The TOTP secret, encrypted (`auth::two_factor`); a database dump
    /// alone does not give it away.
    pub totp_secret: Option<String>,
    /// When the staff member confirmed their authenticator; `None` while
    /// enrolment is unfinished or two-factor is off.
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last time step whose code was accepted, so no code counts twice.
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
