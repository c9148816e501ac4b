//! Which language a request is answered in: the `lang` field of a JSON
//! body once it is read, then `?lang=` (remembered in a cookie), then the
//! cookie, then Accept-Language, then Dutch.
use std::sync::OnceLock;

use rocket::http::{Cookie, SameSite};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use crate::domain::Lang;

/// The language a JSON body asked for, set once the body is read
/// ([`crate::http::json::JsonBody`]); an error found after that answers in it.
struct BodyLang(OnceLock<Lang>);

fn body_lang<'r>(req: &'r Request<'_>) -> &'r OnceLock<Lang> {
    &req.local_cache(|| BodyLang(OnceLock::new())).0
}

/// Records the language the body of `req` asks for; the first one counts.
pub fn asked_in_body(req: &Request<'_>, lang: Lang) {
    // Set already: a body is read once, so it holds the same language.
    let _ = body_lang(req).set(lang);
}

pub fn detect(req: &Request<'_>) -> Lang {
    if let Some(lang) = body_lang(req).get() {
        return *lang;
    }
    let from_query = req
        .query_value::<&str>("lang")
        .and_then(Result::ok)
        .and_then(Lang::parse);
    let from_cookie = || {
        req.cookies()
            .get("lang")
            .and_then(|c| Lang::parse(c.value()))
    };
    let from_header = || {
        req.headers()
            .get_one("Accept-Language")
            .and_then(Lang::from_accept_language)
    };
    from_query
        .or_else(from_cookie)
        .or_else(from_header)
        .unwrap_or_default()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let lang = detect(req);
        if req.query_value::<&str>("lang").is_some() {
            let cookie = Cookie::build(("lang", lang.code()))
                .path("/")
                .same_site(SameSite::Lax)
                .http_only(true);
            req.cookies().add(cookie);
        }
        Outcome::Success(lang)
    }
}

/// `?lang=nl` or `?lang=en`, as the suffix of a `uri!` so a redirect keeps
/// the language without a cookie.
pub fn query(lang: Lang) -> rocket::http::uri::Reference<'static> {
    match lang {
        Lang::Nl => rocket::uri!("?lang=nl"),
        Lang::En => rocket::uri!("?lang=en"),
    }
}
