//! Where the log-in returns to: the back-office page that sent a visitor
//! there (the attendee behind a scanned QR code, say). Only a path of this
//! site under `/admin` is taken, so a link to the log-in cannot send anyone
//! on to another site after they typed their password.
use rocket::form::{self, FromFormField, ValueField};
use rocket::http::uri::Origin;

/// Longer than any page of ours with its search.
const LONGEST: usize = 1000;

/// A back-office page of this site, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPage(String);

impl NextPage {
    pub fn parse(raw: &str) -> Option<Self> {
        // `//host` and `/\host` are other sites to a browser.
        let plain = raw.len() <= LONGEST
            && !raw.contains('\\')
            && !raw.chars().any(char::is_control)
            && (raw == "/admin" || raw.starts_with("/admin/"))
            && !raw.starts_with("/admin/login");
        let origin = Origin::parse(raw).ok().filter(|_| plain)?;
        Some(NextPage(origin.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The log-in page that comes back to `self` afterwards. Slashes stay
    /// as they are, so the log's scrubbing still finds a link token in it.
    pub fn login_uri(&self) -> String {
        const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'/')
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        format!(
            "/admin/login?next={}",
            percent_encoding::utf8_percent_encode(&self.0, KEEP)
        )
    }
}

#[rocket::async_trait]
impl<'v> FromFormField<'v> for NextPage {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        NextPage::parse(field.value).ok_or_else(|| form::Error::validation("next").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_back_office_paths_of_this_site_are_taken() {
        for fine in [
            "/admin",
            "/admin/checkin/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg",
            "/admin/events/x/checkin?q=de%20Vries",
        ] {
            assert_eq!(NextPage::parse(fine).map(|n| n.0), Some(fine.to_owned()));
        }
        for foreign in [
            "https://evil.example/admin",
            "//evil.example/admin",
            "/\\evil.example",
            "/admin\\..\\evil",
            "/events/x",
            "admin/events",
            "/administer",
            "/admin/login?next=/admin",
            "/admin/\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(NextPage::parse(foreign), None, "{foreign:?}");
        }
        assert_eq!(
            NextPage::parse(&format!("/admin/{}", "a".repeat(LONGEST))),
            None
        );
    }

    #[test]
    fn the_login_uri_keeps_slashes_and_escapes_the_rest() {
        let next =
            NextPage::parse("/admin/events/x/checkin?q=de%20Vries&x=1").map(|n| n.login_uri());
        assert_eq!(
            next.as_deref(),
            Some("/admin/login?next=/admin/events/x/checkin%3Fq%3Dde%2520Vries%26x%3D1")
        );
    }
}
