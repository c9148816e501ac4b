//! CSRF protection: a random token in a private (encrypted, authenticated)
//! cookie, repeated in every form as the field `csrf`. Every form that
//! changes something is read through [`CsrfForm`], which accepts it only
//! when the two match; no handler compares tokens itself.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use rocket::data::{self, Data, FromData};
use rocket::form::{self, DataField, Form, FromForm, Options, ValueField};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

const COOKIE: &str = "csrf";
const FIELD: &str = "csrf";

/// The current token, created on first use; put it in forms as `csrf`.
pub struct CsrfToken(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(current_or_new(req))
    }
}

fn current_or_new(req: &Request<'_>) -> CsrfToken {
    let jar = req.cookies();
    if let Some(existing) = jar.get_private(COOKIE) {
        return CsrfToken(existing.value().to_owned());
    }
    let token = new_token();
    add_cookie(jar, &token, super::secure_cookies(req));
    CsrfToken(token)
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn add_cookie(jar: &CookieJar<'_>, token: &str, secure: bool) {
    jar.add_private(
        Cookie::build((COOKIE, token.to_owned()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure),
    );
}

/// A fresh token, for a change of who is signed in (log-in, log-out): a
/// token seen before it cannot be replayed after it.
pub fn rotate(jar: &CookieJar<'_>, secure: bool) -> CsrfToken {
    let token = new_token();
    add_cookie(jar, &token, secure);
    CsrfToken(token)
}

fn matches(jar: &CookieJar<'_>, submitted: &str) -> bool {
    jar.get_private(COOKIE)
        .is_some_and(|c| constant_time_eq(c.value().as_bytes(), submitted.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form posted with this site's CSRF token: the fields `T`, without the
/// token. Taken directly, a refused token answers 403 "this form expired";
/// taken as `Result<CsrfForm<T>, Refused<T>>`, the handler gets the fields
/// back to show the form again, filled in.
pub struct CsrfForm<T>(pub T);

impl<T> std::ops::Deref for CsrfForm<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Why a form was not accepted.
pub enum Refused<T> {
    /// Well formed, but with a token that is missing, old or foreign.
    Expired(T),
    /// Not a form of this shape at all (or too large), with Rocket's status.
    Malformed(Status),
}

/// The error for a form that could not be read at all.
pub fn unreadable(status: Status) -> crate::error::AppError {
    use crate::error::AppError;
    match status.code {
        408 => AppError::RequestTimeout,
        413 => AppError::PayloadTooLarge,
        _ => AppError::Validation(Default::default()),
    }
}

impl<T> std::fmt::Debug for Refused<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Expired(_) => "form token expired",
            Refused::Malformed(_) => "malformed form",
        })
    }
}

/// Set on a request whose form was refused for its token, so the catcher
/// answers "this form expired" rather than "no access".
#[derive(Clone, Copy, Default)]
pub(crate) struct TokenRefused(pub bool);

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + Send + 'r> FromData<'r> for CsrfForm<T> {
    type Error = Refused<T>;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let read = tokio::time::timeout(
            super::json::BODY_TIMEOUT,
            Form::<WithToken<T>>::from_data(req, data),
        );
        let Ok(read) = read.await else {
            let status = Status::RequestTimeout;
            return data::Outcome::Error((status, Refused::Malformed(status)));
        };
        match read {
            data::Outcome::Success(form) => {
                let WithToken { token, fields } = form.into_inner();
                if matches(req.cookies(), &token) {
                    data::Outcome::Success(CsrfForm(fields))
                } else {
                    req.local_cache(|| TokenRefused(true));
                    data::Outcome::Error((Status::Forbidden, Refused::Expired(fields)))
                }
            }
            data::Outcome::Error((status, _)) => {
                data::Outcome::Error((status, Refused::Malformed(status)))
            }
            data::Outcome::Forward(forward) => data::Outcome::Forward(forward),
        }
    }
}

/// The fields of `T` plus the token, which `T` itself never sees.
struct WithToken<T> {
    token: String,
    fields: T,
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromForm<'r> for WithToken<T> {
    type Context = (Option<String>, T::Context);

    fn init(opts: Options) -> Self::Context {
        (None, T::init(opts))
    }

    fn push_value(ctxt: &mut Self::Context, field: ValueField<'r>) {
        if field.name == FIELD {
            ctxt.0 = Some(field.value.to_owned());
        } else {
            T::push_value(&mut ctxt.1, field);
        }
    }

    async fn push_data(ctxt: &mut Self::Context, field: DataField<'r, '_>) {
        T::push_data(&mut ctxt.1, field).await;
    }

    fn finalize(ctxt: Self::Context) -> form::Result<'r, Self> {
        Ok(WithToken {
            token: ctxt.0.unwrap_or_default(),
            fields: T::finalize(ctxt.1)?,
        })
    }
}

/// A form whose only field is the token: a button that acts at once.
#[derive(Debug, Default)]
pub struct Button;

#[rocket::async_trait]
impl<'r> FromForm<'r> for Button {
    type Context = ();

    fn init(_: Options) -> Self::Context {}

    fn push_value(_: &mut Self::Context, _: ValueField<'r>) {}

    async fn push_data(_: &mut Self::Context, _: DataField<'r, '_>) {}

    fn finalize(_: Self::Context) -> form::Result<'r, Self> {
        Ok(Button)
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
