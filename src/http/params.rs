//! Path segments as the routes take them. A segment that does not have the
//! shape of what it names (a slug, a link token) never reaches a service or
//! the database: the route forwards and the fallback answers 404. That keeps
//! a `%00` or a megabyte of text out of PostgreSQL, which would refuse it
//! with an error instead of "not found".
use rocket::http::impl_from_uri_param_identity;
use rocket::http::uri::fmt::{Formatter, FromUriParam, Path, UriDisplay};
use rocket::request::FromParam;

use crate::domain::Slug;

/// An event's or pilot's slug: 3 to 120 of `a-z 0-9 -`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlugParam<'a>(&'a str);

impl<'a> SlugParam<'a> {
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl<'a> FromParam<'a> for SlugParam<'a> {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        match Slug::parse(param) {
            Ok(slug) if slug.as_str() == param => Ok(SlugParam(param)),
            _ => Err(param),
        }
    }
}

impl UriDisplay<Path> for SlugParam<'_> {
    fn fmt(&self, f: &mut Formatter<'_, Path>) -> std::fmt::Result {
        // Only URL-safe characters get past `from_param`.
        f.write_raw(self.0)
    }
}

impl_from_uri_param_identity!([Path] ('a) SlugParam<'a>);

/// A slug the app made itself (a new event's), for `uri!`.
impl<'a> FromUriParam<Path, &'a str> for SlugParam<'_> {
    type Target = &'a str;

    fn from_uri_param(slug: &'a str) -> &'a str {
        slug
    }
}

impl FromUriParam<Path, String> for SlugParam<'_> {
    type Target = String;

    fn from_uri_param(slug: String) -> String {
        slug
    }
}

impl std::ops::Deref for SlugParam<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

/// A link token as the app hands them out: 43 characters of base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenParam<'a>(&'a str);

impl<'a> TokenParam<'a> {
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

impl<'a> FromParam<'a> for TokenParam<'a> {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if param.len() == 43 && param.bytes().all(base64url) {
            Ok(TokenParam(param))
        } else {
            Err(param)
        }
    }
}

impl UriDisplay<Path> for TokenParam<'_> {
    fn fmt(&self, f: &mut Formatter<'_, Path>) -> std::fmt::Result {
        f.write_raw(self.0)
    }
}

impl_from_uri_param_identity!([Path] ('a) TokenParam<'a>);

impl std::ops::Deref for TokenParam<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_segments_pass() {
        assert!(SlugParam::from_param("partnerships-2027").is_ok());
        for bad in ["Upper", "a\u{0}b", "-x-", "ab", &"a".repeat(121), "a b"] {
            assert!(SlugParam::from_param(bad).is_err(), "{bad:?}");
        }
        assert!(TokenParam::from_param(&"A".repeat(43)).is_ok());
        for bad in [
            &"A".repeat(42),
            &"A".repeat(44),
            &format!("{}\u{0}", "A".repeat(42)),
        ] {
            assert!(TokenParam::from_param(bad).is_err(), "{bad:?}");
        }
    }
}
