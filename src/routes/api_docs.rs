//! The OpenAPI document of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Each `api_*` module documents its own handlers next to its `routes()`;
//! this one nests them under the mount point and adds the schemas of types
//! that live outside the routes (entities, domain), so those layers stay
//! free of documentation concerns. A test compares the document with the
//! mounted routes, so a route without docs fails the build.
use std::borrow::Cow;

use rocket::serde::json::Json;
use serde::Serialize;
use utoipa::openapi::schema::{Object, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::domain::{
    ApplicationStatus, EligibilityDecision, Email, RegistrationStatus, SectorGroup,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Aanmeldpunt API",
        description = "Public events and pilots (proeftuinen) of Dutch public employers, and \
            sign-ups for them. Answers in Dutch or English: `?lang=nl|en`, then the `lang` \
            cookie, then `Accept-Language`. Every error is a JSON `ErrorBody`.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    nest(
        (path = "/api/v1", api = super::api_events::Doc),
        (path = "/api/v1", api = super::api_pilots::Doc),
        (path = "/api/v1", api = super::api_sectors::Doc),
        (path = "/api/v1", api = super::api_partnerships::Doc),
        (path = "/api/v1", api = Doc),
    ),
    tags(
        (name = "events", description = "Partnership meetings and signing up for them"),
        (name = "pilots", description = "Pilots (proeftuinen) and applying for them"),
        (name = "reference", description = "Lists the forms need"),
        (name = "partnerships", description = "Public figures"),
        (name = "health", description = "Probes for load balancers and orchestrators"),
    )
)]
struct ApiDoc;

/// The whole document, with the version of this build. The health probes
/// live outside `/api/v1`, so they are merged in at the root.
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::health::Doc::openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

#[derive(OpenApi)]
#[openapi(paths(openapi_json))]
struct Doc;

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "reference",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
)]
#[rocket::get("/openapi.json")]
fn openapi_json() -> Json<Document> {
    Json(document())
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![openapi_json]
}

/// A string schema whose values are what serde writes for `values`, so the
/// document cannot drift from the JSON the API sends.
pub(crate) fn string_enum<T: Serialize>(
    values: impl IntoIterator<Item = T>,
    description: &str,
) -> Object {
    let names: Vec<String> = values
        .into_iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .description(Some(description))
        .build()
}

/// Implements the schema of a type outside the routes as a string enum.
macro_rules! string_enum_schema {
    ($type:ty, $values:expr, $description:literal) => {
        impl PartialSchema for $type {
            fn schema() -> RefOr<Schema> {
                string_enum($values, $description).into()
            }
        }
        impl ToSchema for $type {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($type))
            }
        }
    };
}

fn sector_groups() -> [SectorGroup; 3] {
    // A new group fails to compile here until the list below has it.
    match SectorGroup::Other {
        SectorGroup::Overheid | SectorGroup::Onderwijs | SectorGroup::Other => {}
    }
    [
        SectorGroup::Overheid,
        SectorGroup::Onderwijs,
        SectorGroup::Other,
    ]
}

string_enum_schema!(
    SectorGroup,
    sector_groups(),
    "Overheid and onderwijs are the public groups of the banenafspraak."
);
string_enum_schema!(
    ApplicationStatus,
    ApplicationStatus::ALL.iter().copied(),
    "A new application is `unverified` until the contact confirms the address."
);
string_enum_schema!(
    EligibilityDecision,
    EligibilityDecision::ALL.iter().copied(),
    "`needs_review`: staff check the organisation by hand. Ineligible applications are \
     refused with 403 and not stored."
);

/// The status of a new sign-up: never `cancelled`.
pub(crate) fn sign_up_status() -> Object {
    string_enum(
        [
            RegistrationStatus::Confirmed,
            RegistrationStatus::Waitlisted,
        ],
        "`waitlisted` when no seat was left; the waiting list is served in order.",
    )
}

/// Characters a free-text field may hold anywhere: no control characters
/// except tab and line breaks, no line separators or bidi overrides.
const TEXT_CHAR: &str =
    r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069]";
/// Characters a one-line field may hold anywhere: no control characters at
/// all, no line separators or bidi overrides.
const LINE_CHAR: &str = r"[^\x00-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069]";
/// Characters that do not count because they are trimmed off the ends.
const TRIMMED: &str =
    r"[\t\n\x0B\x0C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// A character that is neither trimmed nor a control character.
const SOLID_CHAR: &str = r"[^\t\n\x0B\x0C\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202A-\u202F\u205F\u2066-\u2069\u3000\x00-\x1F\x7F-\x9F]";

/// Exactly what the domain's text types accept: after trimming, 1 to `max`
/// characters of `inner` between solid ones.
fn pattern(max: usize, inner: &str) -> String {
    format!(
        "^{TRIMMED}*(?:{SOLID_CHAR}|{SOLID_CHAR}{inner}{{0,{}}}{SOLID_CHAR}){TRIMMED}*$",
        max - 2
    )
}

/// A required free-text field of at most `max` characters (`BoundedText`).
pub(crate) fn text<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern(MAX, TEXT_CHAR)))
        .description(Some(format!(
            "Trimmed; 1 to {MAX} characters, no control characters but tab and line breaks."
        )))
        .build()
}

/// A required one-line field of at most `max` characters (`Line`).
pub(crate) fn line<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern(MAX, LINE_CHAR)))
        .description(Some(format!(
            "Trimmed; 1 to {MAX} characters on one line, no control characters."
        )))
        .build()
}

fn optional(value: Object, max: usize) -> RefOr<Schema> {
    let blank = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^{TRIMMED}*$")))
        .build();
    OneOfBuilder::new()
        .item(value)
        .item(blank)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(format!(
            "Optional: blank or null means absent, otherwise at most {max} characters."
        )))
        .into()
}

/// An optional free-text field: blank or null means absent.
pub(crate) fn optional_text<const MAX: usize>() -> RefOr<Schema> {
    optional(text::<MAX>(), MAX)
}

/// An optional one-line field: blank or null means absent.
pub(crate) fn optional_line<const MAX: usize>() -> RefOr<Schema> {
    optional(line::<MAX>(), MAX)
}

/// Exactly the addresses the sign-up accepts ([`Email::syntax`]), with the
/// spaces around them that are trimmed off.
pub(crate) fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(Email::MAX_LEN))
        .pattern(Some(email_pattern()))
        .description(Some(format!(
            "An e-mail address, at most {} characters as sent; stored trimmed and in lower \
             case. The domain may hold Latin letters with accents (`zëist.nl`), at most {} \
             characters in such a label.",
            Email::MAX_LEN,
            Email::MAX_IDN_LABEL
        )))
        .build()
}

fn email_pattern() -> String {
    format!("^{TRIMMED}*{}{TRIMMED}*$", Email::syntax())
}

/// `nl` or `en`, also as a regional form such as `en-GB`, in any case.
pub(crate) fn lang_field() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!(
                    "^{TRIMMED}*(?:[nN][lL]|[eE][nN])(?:[-_][\\s\\S]*)?$"
                ))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Language of the mails: `nl` or `en` (regional forms like `en-GB` too). \
             Absent or null: the language of the request.",
        ))
        .into()
}

/// One of the sector codes of `GET /api/v1/sectors`.
pub(crate) fn sector_code() -> Object {
    let codes: Vec<&str> = crate::domain::SectorCode::all().map(|s| s.code()).collect();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(
            "A code from `GET /api/v1/sectors` (case does not matter).",
        ))
        .build()
}

/// A phone number: 8 to 15 digits with spaces, `+`, `-` and brackets, at
/// most 30 characters; blank or null means none.
pub(crate) fn phone() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(30))
                .pattern(Some(r"^[ +()-]*(?:[0-9][ +()-]*){8,15}$")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("^{TRIMMED}*$"))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Optional: 8 to 15 digits with spaces, `+`, `-` and brackets.",
        ))
        .into()
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;

    /// The published pattern and the parser agree on every character in
    /// every place of an address, and on the addresses around the limits.
    #[test]
    fn the_email_pattern_accepts_exactly_what_the_parser_accepts() {
        let pattern = Regex::new(&email_pattern()).unwrap();
        let agree = |raw: &str| {
            let documented = pattern.is_match(raw) && raw.chars().count() <= Email::MAX_LEN;
            assert_eq!(
                documented,
                Email::parse(raw).is_ok(),
                "{raw:?}: the document says {documented}"
            );
        };
        for c in (0..=0xFFFF)
            .chain(0x1F600..0x1F610)
            .filter_map(char::from_u32)
        {
            agree(&format!("a{c}b@zeist.nl"));
            agree(&format!("anna@z{c}ist.nl"));
            agree(&format!("{c}anna@zeist.nl{c}"));
        }
        for raw in [
            "dup@zëist.nl",
            " Dup@ZËIST.nl\t",
            "a@xn--zëist.nl",
            "a@ab--ë.nl",
            "a@ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ.nl",
            "a@ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ.nl",
            "a@[127.0.0.1]",
            "a@localhost",
            "a@zeist.nl.",
            "a..b@zeist.nl",
            ".a@zeist.nl",
        ] {
            agree(raw);
        }
    }
}
