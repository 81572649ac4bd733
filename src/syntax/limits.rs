//! Limits that keep hostile input from costing more than a diagnostic:
//! a size limit, a nesting limit (checked by `prepass` before the parser
//! runs), pest's call limit as a last guard against runaway backtracking,
//! and a limit on the number of steps, checked once the program is read.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::Program;
use crate::syntax::grammar::Rule;
use std::num::NonZeroUsize;
use std::sync::Once;

/// The largest file nurture reads. Real programs are a few kilobytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting of `{`, `(` and `[` together. A real program nests
/// three or four deep; the limit keeps the parser's recursion shallow.
pub const MAX_NESTING: usize = 64;

/// The most steps a program may have. The longest real programs have a few
/// dozen; past this the file is generated, and the graph checks are skipped.
pub const MAX_STEPS: usize = 1_000;

/// The most statements the interpreter runs for one customer in one go,
/// before the customer waits or leaves (past it, the customer leaves as
/// `stuck`). `nurture check` refuses a program that could run more (N315),
/// so the one limit is proved where it is enforced.
pub const MAX_AT_ONCE: usize = 10_000;

/// Rule calls one parse may make. Linear grammars like ours make a few
/// hundred per line; this bounds a pathological input, not a real one.
const CALL_LIMIT: usize = 500_000_000;

pub(super) fn set_call_limit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
}

pub(super) fn too_large(text: &str) -> Option<Diagnostic> {
    (text.len() > MAX_FILE_BYTES).then(too_large_diagnostic)
}

/// The program has more than [`MAX_STEPS`] steps: said once, at the first
/// step past the limit.
pub(super) fn too_many_steps(program: &Program) -> Option<Diagnostic> {
    let first_over = program.steps.get(MAX_STEPS)?;
    Some(
        Diagnostic::new(
            Code::TooManySteps,
            format!(
                "this program has {} steps; a program may have at most {MAX_STEPS}",
                program.steps.len()
            ),
        )
        .label(first_over.name.span, format!("step {} starts here", MAX_STEPS + 1))
        .help("split the program into several programs, or let one step branch on the customer instead of writing a step per case"),
    )
}

/// Whether the parser stopped at [`CALL_LIMIT`] rather than at a mistake.
pub(super) fn is_call_limit(error: &pest::error::Error<Rule>) -> bool {
    matches!(
        &error.variant,
        pest::error::ErrorVariant::CustomError { message } if message == "call limit reached"
    )
}

/// The parser made [`CALL_LIMIT`] rule calls without finishing: said where
/// it was when it stopped.
pub(super) fn too_complex(error: &pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        pest::error::InputLocation::Pos(at) => at,
        pest::error::InputLocation::Span((at, _)) => at,
    };
    Diagnostic::new(
        Code::TooComplex,
        "this file is too complex to read: the parser gave up before the end",
    )
    .label(Span::at(at), "the parser was here when it stopped")
    .help("a program is a few kilobytes of plain statements; check that this is the file you meant, or split it up")
}

/// The file is larger than [`MAX_FILE_BYTES`]: said once, at its start.
pub fn too_large_diagnostic() -> Diagnostic {
    Diagnostic::new(
        Code::FileTooLarge,
        format!(
            "this file is larger than the {} MiB nurture reads",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
    .label(Span::at(0), "the file starts here")
    .help("a program is a few kilobytes of text; check that this is the file you meant")
}
