//! The customer's built-in fields, `score` and `phase`: every program may
//! read them in a condition, with or without a schema, and they have a
//! type of their own. `score` is the lead score, a number (`score +10`
//! changes it); `phase` is the lifecycle phase a `phase` statement sets,
//! one of the phases any program can set. After `EVENT where`, a property
//! of the event of that name comes first, as everywhere.
//!
//! A schema may declare them again with their own type (`attribute score:
//! number`, `attribute phase: text` or a choice of phases), never with
//! another (N214). A program changes them with `score` and `phase`, not
//! with `set`, which would write an attribute no condition reads (N215).

use super::known::Ty;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span};
use crate::syntax::ast::{Phase, Program, Schema, StatementKind, ValueType};
use std::sync::LazyLock;

/// The phases, as choices.
static PHASES: LazyLock<Vec<Name>> = LazyLock::new(|| {
    Phase::ALL
        .iter()
        .map(|phase| Name::new(phase.as_str().to_string(), Span::default()))
        .collect()
});

/// The type of a built-in field, or `None` for any other name.
pub(super) fn builtin(name: &str) -> Option<Ty<'static>> {
    match name {
        "score" => Some(Ty::Number),
        "phase" => Some(Ty::Enum(PHASES.as_slice())),
        _ => None,
    }
}

/// Whether `choices` are the built-in phases (for the help of N211).
pub(super) fn are_phases(choices: &[Name]) -> bool {
    std::ptr::eq(choices.as_ptr(), PHASES.as_ptr())
}

/// What the built-in holds, for messages.
fn holds(name: &str) -> &'static str {
    if name == "score" {
        "the lead score, a number"
    } else {
        "the lifecycle phase: `welcome`, `develop`, `retain` or `win_back`"
    }
}

/// N214: the schema declares `score` or `phase` with another type.
pub(super) fn check_schema(schema: &Schema, found: &mut Vec<Diagnostic>) {
    for attribute in &schema.attributes {
        let name = attribute.name.as_str();
        let fits = match (name, &attribute.value_type.value) {
            ("score", ValueType::Number) => true,
            ("phase", ValueType::Text) => true,
            ("phase", ValueType::Enum(choices)) => choices
                .iter()
                .all(|c| Phase::from_word(c.as_str()).is_some()),
            ("score" | "phase", _) => false,
            _ => true,
        };
        if fits {
            continue;
        }
        let written = if name == "score" {
            "attribute score: number"
        } else {
            "attribute phase: welcome | develop | retain | win_back"
        };
        found.push(
            Diagnostic::new(
                Code::BuiltinRedeclared,
                format!("`{name}` is built in, as {}", holds(name)),
            )
            .label(
                attribute.value_type.span,
                "another type than the built-in one",
            )
            .label(
                attribute.name.span,
                format!("every program reads `{name}` as {}", holds(name)),
            )
            .help(format!(
                "remove this line (programs know `{name}` without it), or write `{written}`"
            )),
        );
    }
}

/// N215: `set score = …` or `set phase = …`.
pub(super) fn set_builtins(program: &Program, source: &str, found: &mut Vec<Diagnostic>) {
    for statement in program.steps.iter().flat_map(|s| &s.statements) {
        let (attribute, written) = match &statement.kind {
            StatementKind::Set { attribute, value } => (
                attribute,
                source.get(value.span.start..value.span.end).unwrap_or(""),
            ),
            StatementKind::Keep { attribute, .. } => (attribute, ""),
            _ => continue,
        };
        let name = attribute.as_str();
        if builtin(name).is_none() {
            continue;
        }
        let help = if name == "score" {
            "change the score with `score +N` or `score -N`".to_string()
        } else if written.is_empty() {
            "set the phase with `phase PHASE`, one of `welcome`, `develop`, `retain` or `win_back`"
                .to_string()
        } else {
            format!("write `phase {}`", written.trim_matches('"'))
        };
        found.push(
            Diagnostic::new(
                Code::SetBuiltin,
                format!("`{name}` is built in and cannot be `set`"),
            )
            .label(
                statement.span,
                format!("this would write an attribute `{name}` that no condition reads"),
            )
            .help(help),
        );
    }
}
