//! Stage 4, input, Parquet: what a column of a customers file holds, by
//! its Parquet type, and what each column must hold to be read.

use super::super::schema_types::Types;
use crate::syntax::ast::ValueType;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::schema::types::Type;

/// What a column holds, by its Parquet type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Whole,
    Fraction,
    /// A decimal of this scale.
    Decimal(i32),
    Bool,
    Date,
    /// A moment since 1970, in units of this many per second.
    Timestamp(i64),
    /// A moment without a zone: whose nine o'clock would it be?
    LocalTimestamp,
    ListOfText,
    Other,
}

impl Kind {
    pub(super) fn of(field: &Type) -> Kind {
        let info = field.get_basic_info();
        if info.has_repetition() && info.repetition() == Repetition::REPEATED {
            return Kind::Other;
        }
        if !field.is_primitive() {
            let list = matches!(info.logical_type_ref(), Some(LogicalType::List))
                || info.converted_type() == ConvertedType::LIST;
            return if list && list_of_text(field) {
                Kind::ListOfText
            } else {
                Kind::Other
            };
        }
        let logical = info.logical_type_ref();
        match (field.get_physical_type(), logical) {
            (PhysicalType::BOOLEAN, _) => Kind::Bool,
            (PhysicalType::INT32 | PhysicalType::INT64, Some(LogicalType::Date)) => Kind::Date,
            (PhysicalType::INT32 | PhysicalType::INT64, Some(LogicalType::Decimal(d))) => {
                Kind::Decimal(d.scale)
            }
            (PhysicalType::INT64, Some(LogicalType::Timestamp(t))) if !t.is_adjusted_to_u_t_c => {
                Kind::LocalTimestamp
            }
            (PhysicalType::INT64, Some(LogicalType::Timestamp(t))) => {
                Kind::Timestamp(match t.unit {
                    TimeUnit::MILLIS => 1_000,
                    TimeUnit::MICROS => 1_000_000,
                    TimeUnit::NANOS => 1_000_000_000,
                })
            }
            (PhysicalType::INT32 | PhysicalType::INT64, None | Some(LogicalType::Integer(_))) => {
                match info.converted_type() {
                    ConvertedType::DATE => Kind::Date,
                    ConvertedType::TIMESTAMP_MILLIS => Kind::Timestamp(1_000),
                    ConvertedType::TIMESTAMP_MICROS => Kind::Timestamp(1_000_000),
                    ConvertedType::DECIMAL => Kind::Decimal(field.get_scale()),
                    ConvertedType::TIME_MILLIS | ConvertedType::TIME_MICROS => Kind::Other,
                    _ => Kind::Whole,
                }
            }
            // Spark's old timestamps, kept in UTC.
            (PhysicalType::INT96, _) => Kind::Timestamp(1_000),
            (PhysicalType::FLOAT | PhysicalType::DOUBLE, _) => Kind::Fraction,
            (
                PhysicalType::BYTE_ARRAY,
                None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json),
            ) => Kind::Text,
            (
                PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY,
                Some(LogicalType::Decimal(d)),
            ) => Kind::Decimal(d.scale),
            _ => Kind::Other,
        }
    }

    pub(super) fn words(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Whole => "whole numbers",
            Kind::Fraction => "floating-point numbers",
            Kind::Decimal(_) => "decimals",
            Kind::Bool => "booleans",
            Kind::Date => "dates",
            Kind::Timestamp(_) => "timestamps",
            Kind::LocalTimestamp => "timestamps without a time zone",
            Kind::ListOfText => "lists of text",
            Kind::Other => {
                "values of a type nurture does not read (nested, binary or a time of day)"
            }
        }
    }
}

/// A list whose one leaf is text (three-level lists, and the older
/// two-level ones).
fn list_of_text(field: &Type) -> bool {
    let mut at = field;
    for _ in 0..3 {
        let fields = at.get_fields();
        let [only] = fields else { return false };
        if only.is_primitive() {
            return only.get_physical_type() == PhysicalType::BYTE_ARRAY
                && matches!(
                    only.get_basic_info().logical_type_ref(),
                    None | Some(LogicalType::String | LogicalType::Enum | LogicalType::Json)
                );
        }
        at = only;
    }
    false
}

/// What a column must hold, and how to say it.
pub(super) fn accepts(
    name: &str,
    types: Option<&Types<'_>>,
) -> Option<(&'static [Kind], &'static str)> {
    use Kind::*;
    const WHEN: &[Kind] = &[Date, Timestamp(0), Text];
    Some(match name {
        "id" => (&[Text, Whole], "text or whole numbers"),
        "time_zone" => (&[Text], "text (IANA time zone names)"),
        "phase" => (&[Text], "text"),
        "consents" | "tags" | "segments" => {
            (&[ListOfText, Text], "lists of text (or `;`-separated text)")
        }
        "score" => (&[Whole, Text], "whole numbers"),
        _ if name.starts_with("last_event_at.") => (WHEN, "dates or UTC timestamps"),
        _ => match types?.attributes.get(name)? {
            ValueType::Number => (&[Whole, Fraction, Decimal(0), Text], "numbers"),
            ValueType::Bool => (&[Bool, Text], "booleans"),
            ValueType::Date => (WHEN, "dates or UTC timestamps"),
            ValueType::Text => (&[Text, Whole], "text"),
            ValueType::Enum(_) => (&[Text], "text (one of the declared words)"),
            ValueType::Duration => (
                &[Text],
                "text like `3d` (durations are written as in programs)",
            ),
            ValueType::ListOfText => (&[ListOfText, Text], "lists of text (or `;`-separated text)"),
        },
    })
}

pub(super) fn same_kind(a: Kind, b: Kind) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// The built-in fields, read whatever the plans read.
pub(super) fn built_in(name: &str) -> bool {
    matches!(
        name,
        "id" | "time_zone" | "consents" | "tags" | "segments" | "score" | "phase"
    )
}
