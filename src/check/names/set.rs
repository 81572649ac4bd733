//! `set ATTRIBUTE = VALUE`: the attribute must exist (N203) and the value
//! fit its type (N212), or be one of its choices (N211). The same for
//! `set ATTRIBUTE = trigger.PROPERTY`, whose type is the property's;
//! `= answer.PROPERTY` depends on the arm that led there
//! (`check/data.rs`).

use super::conditions::{Meaning, Names, unknown_choice, value_ty};
use super::known::{Known, Ty};
use super::uses::{Scope, statements};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Name;
use crate::syntax::ast::{DataRef, Program, StatementKind, ValueKind};

pub(super) fn check(program: &Program, source: &str, known: &Known, found: &mut Vec<Diagnostic>) {
    let names = Names {
        known,
        source,
        scope: Scope::Customer,
    };
    for statement in statements(program) {
        if let StatementKind::Keep { attribute, from } = &statement.kind {
            kept(&names, attribute, from, found);
            continue;
        }
        let StatementKind::Set { attribute, value } = &statement.kind else {
            continue;
        };
        // `set score` and `set phase` are N215 (`builtins.rs`).
        if super::builtins::builtin(attribute.as_str()).is_some() {
            continue;
        }
        let ty = match names.resolve(attribute) {
            Meaning::Typed(ty) => ty,
            Meaning::Unknown => {
                found.push(names.unknown_name(attribute, value_ty(&value.value), false));
                continue;
            }
            Meaning::Unchecked => continue,
        };
        let a = attribute.as_str();
        let written = source.get(value.span.start..value.span.end).unwrap_or("");
        let help = match (&value.value, ty) {
            (ValueKind::Word(word) | ValueKind::Text(word), Ty::Enum(choices)) => {
                if !choices.iter().any(|c| c.as_str() == word) {
                    found.push(unknown_choice(word, value.span, a, choices));
                }
                continue;
            }
            (kind, _) if value_ty(kind).is_some_and(|vt| fits(ty, vt)) => continue,
            (ValueKind::Word(word), Ty::Text) => {
                format!("write the text in quotes: `set {a} = \"{word}\"`")
            }
            (ValueKind::Text(text), Ty::Bool)
                if matches!(text.as_str(), "yes" | "no" | "true" | "false") =>
            {
                let yes = matches!(text.as_str(), "yes" | "true");
                format!("write `set {a} = {yes}` without quotes")
            }
            (_, Ty::Date) => format!(
                "a program cannot write a date; `{a}` is filled by the systems that record what customers do"
            ),
            (_, Ty::List) => {
                format!(
                    "`set` writes one value and `{a}` holds a list; to mark customers, use `tag`"
                )
            }
            _ => format!("write {}, like `set {a} = {}`", ty.describe(), ty.example()),
        };
        let value_ty =
            value_ty(&value.value).map_or_else(|| "a bare word".to_string(), Ty::describe);
        found.push(
            Diagnostic::new(
                Code::SetTypeMismatch,
                format!("`{a}` is {}, but `{written}` is {value_ty}", ty.describe()),
            )
            .label(value.span, format!("this is {value_ty}"))
            .label(attribute.span, format!("this is {}", ty.describe()))
            .help(help),
        );
    }
}

/// `set ATTRIBUTE = trigger.PROPERTY`.
fn kept(names: &Names, attribute: &Name, from: &DataRef, found: &mut Vec<Diagnostic>) {
    if super::builtins::builtin(attribute.as_str()).is_some() {
        return; // N215
    }
    let value = match names.known.data_type(from) {
        Meaning::Typed(ty) => Some(ty),
        _ => None,
    };
    let ty = match names.resolve(attribute) {
        Meaning::Typed(ty) => ty,
        Meaning::Unknown => {
            found.push(names.unknown_name(attribute, value, false));
            return;
        }
        Meaning::Unchecked => return,
    };
    if let Some(value) = value {
        if let Some(problem) = keeps(attribute, ty, &format_data(from), from.span, value) {
            found.push(problem);
        }
    }
}

/// `trigger.interest`.
pub(crate) fn format_data(data: &DataRef) -> String {
    format!("{}.{}", data.source.as_str(), data.property.as_str())
}

/// N212 when an event's property of type `value` cannot be kept in an
/// attribute of type `ty`: the types must be the same, but for a fixed
/// choice kept in a text, or in a fixed choice that has all its words.
pub(crate) fn keeps(
    attribute: &Name,
    ty: Ty,
    written: &str,
    span: crate::span::Span,
    value: Ty,
) -> Option<Diagnostic> {
    let fits = match (ty, value) {
        (Ty::Enum(wanted), Ty::Enum(given)) => given
            .iter()
            .all(|g| wanted.iter().any(|w| w.as_str() == g.as_str())),
        (Ty::Text, Ty::Enum(_)) => true,
        (Ty::Number, Ty::Number | Ty::Percent) => true,
        (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
    };
    if fits {
        return None;
    }
    let a = attribute.as_str();
    let help = match (ty, value) {
        (Ty::Enum(_), Ty::Enum(_)) => format!(
            "`{a}` lacks some of the choices `{written}` may have: add them to `{a}` in the schema"
        ),
        (Ty::Enum(_), Ty::Text) => format!(
            "`{written}` may be any text: keep it in a `text` attribute, or test it in a `branch` and `set {a}` to a choice"
        ),
        _ => format!("keep it in an attribute that is {}", value.describe()),
    };
    Some(
        Diagnostic::new(
            Code::SetTypeMismatch,
            format!(
                "`{a}` is {}, but `{written}` is {}",
                ty.describe(),
                value.describe()
            ),
        )
        .label(span, format!("this is {}", value.describe()))
        .label(attribute.span, format!("this is {}", ty.describe()))
        .help(help),
    )
}

/// Whether a value of type `value` may be written to an attribute of type `attribute`.
fn fits(attribute: Ty, value: Ty) -> bool {
    matches!(
        (attribute, value),
        (Ty::Text, Ty::Text)
            | (Ty::Number, Ty::Number | Ty::Percent)
            | (Ty::Bool, Ty::Bool)
            | (Ty::Duration, Ty::Duration)
    )
}
