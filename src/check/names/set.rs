//! `set ATTRIBUTE = VALUE`: the attribute must exist (N203) and the value
//! fit its type (N212), or be one of its choices (N211).

use super::conditions::{Meaning, Names, unknown_choice, value_ty};
use super::known::{Known, Ty};
use super::uses::{Scope, statements};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Program, StatementKind, ValueKind};

pub(super) fn check(program: &Program, source: &str, known: &Known, found: &mut Vec<Diagnostic>) {
    let names = Names {
        known,
        source,
        scope: Scope::Customer,
    };
    for statement in statements(program) {
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
