//! The fields of each public use case, one type for the HTML form and the
//! JSON API alike, parsed into its domain type in one place. Every field
//! defaults to empty, so a missing one is reported per field like a wrong
//! one; the JSON API refuses fields it does not know.
use rocket::form::{self, FromFormField, ValueField};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ApplicationInput, FieldErrors, Lang, NewApplication, NewRegistration, ParseError,
    RegistrationInput,
};
use crate::http::json::AsksLanguage;
use crate::routes::api_docs;

/// A sign-up for a meeting.
#[derive(Debug, Default, rocket::FromForm, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpFields {
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::line::<200>, required)]
    pub name: String,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::email, required)]
    pub email: String,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::line::<200>, required)]
    pub organisation: String,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::sector_code, required)]
    pub sector: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::optional_line::<200>)]
    pub job_title: Option<String>,
    #[serde(default)]
    #[schema(schema_with = api_docs::optional_text::<2000>)]
    pub remarks: Option<String>,
    /// The language of the mails and of the answer; absent: the request's.
    #[serde(default)]
    #[schema(schema_with = api_docs::lang_field)]
    pub lang: Option<String>,
    /// The idempotency key of this copy of the HTML form (the API sends
    /// `Idempotency-Key` instead).
    #[field(default = String::new())]
    #[serde(skip)]
    #[schema(ignore)]
    pub form_token: String,
}

impl SignUpFields {
    pub fn parse(&self, lang: Lang) -> Result<NewRegistration, FieldErrors> {
        let input = RegistrationInput {
            name: self.name.clone(),
            email: self.email.clone(),
            organisation: self.organisation.clone(),
            sector: self.sector.clone(),
            job_title: self.job_title.clone().unwrap_or_default(),
            remarks: self.remarks.clone().unwrap_or_default(),
        };
        NewRegistration::parse(&input, self.lang(lang)?)
    }

    /// The language the body asks for, or `fallback`.
    pub fn lang(&self, fallback: Lang) -> Result<Lang, FieldErrors> {
        body_lang(self.lang.as_deref(), fallback)
    }
}

impl AsksLanguage for SignUpFields {
    fn language(&self) -> Option<Lang> {
        self.lang.as_deref().and_then(Lang::parse)
    }
}

impl AsksLanguage for ApplicationFields {
    fn language(&self) -> Option<Lang> {
        self.lang.as_deref().and_then(Lang::parse)
    }
}

fn body_lang(raw: Option<&str>, fallback: Lang) -> Result<Lang, FieldErrors> {
    match raw {
        None => Ok(fallback),
        Some(raw) => Lang::parse(raw).ok_or_else(|| [("lang", ParseError("lang-unknown"))].into()),
    }
}

/// An application for a pilot on behalf of an organisation.
#[derive(Debug, Default, rocket::FromForm, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationFields {
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::line::<300>, required)]
    pub organisation: String,
    /// The register entry, from `GET /api/v1/organisations`.
    #[serde(default)]
    #[schema(value_type = Option<uuid::Uuid>, nullable)]
    pub organisation_id: RegisterChoice,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::sector_code, required)]
    pub sector: String,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::line::<200>, required)]
    pub contact_name: String,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::email, required)]
    pub email: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::phone)]
    pub phone: Option<String>,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<2000>, required)]
    pub current_suppliers: String,
    #[serde(default)]
    #[schema(schema_with = api_docs::optional_line::<300>)]
    pub market_partner: Option<String>,
    #[field(default = String::new())]
    #[serde(default)]
    #[schema(schema_with = api_docs::text::<4000>, required)]
    pub motivation: String,
    /// A JSON number: `4.0` is the integer 4, as JSON Schema has it.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 0, maximum = 1000, required)]
    pub expected_jobs: WholeNumber,
    #[serde(default)]
    #[schema(schema_with = api_docs::lang_field)]
    pub lang: Option<String>,
}

impl ApplicationFields {
    pub fn parse(&self, lang: Lang) -> Result<NewApplication, FieldErrors> {
        let input = ApplicationInput {
            organisation: self.organisation.clone(),
            organisation_id: self.organisation_id.0.clone(),
            sector: self.sector.clone(),
            contact_name: self.contact_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone().unwrap_or_default(),
            current_suppliers: self.current_suppliers.clone(),
            market_partner: self.market_partner.clone().unwrap_or_default(),
            motivation: self.motivation.clone(),
            expected_jobs: self.expected_jobs.0.clone(),
        };
        NewApplication::parse(&input, self.lang(lang)?)
    }

    pub fn lang(&self, fallback: Lang) -> Result<Lang, FieldErrors> {
        body_lang(self.lang.as_deref(), fallback)
    }

    /// The applicant said none of the register's candidates is theirs.
    pub fn chose_none(&self) -> bool {
        self.organisation_id.0.trim() == "none"
    }
}

/// The register entry an applicant picked: a UUID, `none`, or nothing. The
/// form sends it as text, the API as a UUID or null.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct RegisterChoice(String);

impl<'de> Deserialize<'de> for RegisterChoice {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = Option::<uuid::Uuid>::deserialize(deserializer)?;
        Ok(RegisterChoice(
            id.map(|id| id.to_string()).unwrap_or_default(),
        ))
    }
}

#[rocket::async_trait]
impl<'v> FromFormField<'v> for RegisterChoice {
    fn default() -> Option<Self> {
        Some(<Self as Default>::default())
    }

    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        Ok(RegisterChoice(field.value.to_owned()))
    }
}

/// A count as the form types it, or as a JSON number: integral floats such
/// as `4.0` lose their fraction, anything else is passed on as written for
/// the parser to refuse.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(transparent)]
pub struct WholeNumber(String);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = Option::<serde_json::Number>::deserialize(deserializer)?;
        Ok(WholeNumber(number.map(whole).unwrap_or_default()))
    }
}

fn whole(n: serde_json::Number) -> String {
    let integral = n
        .as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f));
    match (n.as_u64(), integral) {
        (Some(whole), _) => whole.to_string(),
        // In range and without a fraction, so the cast is exact.
        (None, Some(f)) => (f as u64).to_string(),
        (None, None) => n.to_string(),
    }
}

#[rocket::async_trait]
impl<'v> FromFormField<'v> for WholeNumber {
    fn default() -> Option<Self> {
        Some(<Self as Default>::default())
    }

    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        Ok(WholeNumber(field.value.to_owned()))
    }
}
