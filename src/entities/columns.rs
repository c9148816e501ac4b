//! Domain types stored as checked text columns. The domain stays free of
//! database imports; here each type learns to travel as its stable name,
//! and a row whose column holds an unknown name fails to load instead of
//! turning into some default.
use crate::domain::{
    ApplicationStatus, Audience, Category, CorrectionAction, DomainSource, Eligibility,
    EligibilityDecision, EventStatus, Lang, MailKind, OutboxStatus, PilotSectors, PilotStatus,
    RegistrationStatus, Role, SectorCode, Stage, TokenPurpose,
};

/// A column value that is not one of the type's names.
#[derive(Debug, thiserror::Error)]
#[error("{column_type}: unknown value {value:?}")]
pub struct UnknownName {
    column_type: &'static str,
    value: String,
}

macro_rules! text_column {
    ($type:ty, $to_str:expr, $from_str:expr) => {
        impl From<$type> for sea_orm::Value {
            fn from(value: $type) -> Self {
                sea_orm::Value::String(Some(($to_str)(value).to_owned()))
            }
        }

        impl sea_orm::TryGetable for $type {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<Self, sea_orm::TryGetError> {
                let raw = String::try_get_by(res, idx)?;
                ($from_str)(raw.as_str()).ok_or_else(|| {
                    sea_orm::TryGetError::DbErr(sea_orm::DbErr::TryIntoErr {
                        from: "String",
                        into: stringify!($type),
                        source: std::sync::Arc::new(UnknownName {
                            column_type: stringify!($type),
                            value: raw,
                        }),
                    })
                })
            }
        }

        impl sea_orm::sea_query::ValueType for $type {
            fn try_from(value: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
                let raw = <String as sea_orm::sea_query::ValueType>::try_from(value)?;
                ($from_str)(raw.as_str()).ok_or(sea_orm::sea_query::ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($type).to_owned()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::String(sea_orm::sea_query::StringLen::N(40))
            }
        }

        impl sea_orm::sea_query::Nullable for $type {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }

        impl sea_orm::IntoActiveValue<$type> for $type {
            fn into_active_value(self) -> sea_orm::ActiveValue<$type> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    };
}

macro_rules! named_column {
    ($($type:ty),+ $(,)?) => {
        $(text_column!($type, <$type>::as_str, <$type>::from_name);)+
    };
}

named_column!(
    ApplicationStatus,
    Audience,
    Category,
    CorrectionAction,
    DomainSource,
    Eligibility,
    EligibilityDecision,
    EventStatus,
    MailKind,
    OutboxStatus,
    PilotStatus,
    RegistrationStatus,
    Role,
    Stage,
    TokenPurpose,
);
text_column!(Lang, Lang::code, Lang::from_code);
text_column!(SectorCode, SectorCode::code, |code| SectorCode::parse(code)
    .ok());
text_column!(
    PilotSectors,
    |sectors: PilotSectors| sectors.to_text(),
    PilotSectors::from_text
);
