//! Stage 2: checking a program read by `syntax`.
//!
//! `structure` looks at the tree alone; `graph`, `arms`, `consent`, `cap`
//! and `kind` look at the program as a graph of steps (`flow` says how a
//! customer moves through it); `names` checks names and values against the
//! customer schema, and a schema file's own entries. Every check reports
//! diagnostics and never stops the others: a file reports all its problems
//! at once. The graph checks run only on programs without errors so far,
//! since after an error values may be stand-ins and steps missing.

pub mod arms;
pub mod at_once;
pub mod cap;
pub mod consent;
pub mod covering;
pub mod data;
pub mod deadline;
pub mod facts;
pub mod fixes;
pub mod flow;
pub mod graph;
pub mod guards;
pub mod handoff;
pub mod kind;
pub mod names;
pub mod overlap;
pub mod portfolio;
pub mod renames;
pub mod sends;
pub mod shadow;
pub mod structure;
pub mod timing;
pub mod window;

use crate::diagnostic::{self, Diagnostic};
use crate::syntax;
use crate::syntax::ast::Schema;

/// Checks one file's bytes: its size, its encoding, then [`check_text`].
/// Returns the text the diagnostics point into (decoded lossily when the
/// file is not UTF-8; empty when it is too large to read).
pub fn check_bytes(bytes: &[u8]) -> (String, Vec<Diagnostic>) {
    check_bytes_with(bytes, None)
}

/// [`check_bytes`], checking names and values against `schema`.
pub fn check_bytes_with(bytes: &[u8], schema: Option<&Schema>) -> (String, Vec<Diagnostic>) {
    if bytes.len() > syntax::limits::MAX_FILE_BYTES {
        return (String::new(), vec![syntax::limits::too_large_diagnostic()]);
    }
    match syntax::decode(bytes) {
        (source, Some(not_utf8)) => (source, vec![not_utf8]),
        (source, None) => {
            let found = check_text_with(&source, schema);
            (source, found)
        }
    }
}

/// What checking one file gives: the text the diagnostics point into, the
/// diagnostics, and the program when the file holds one read and checked
/// without errors (the checks across programs take it as it is, rather than
/// parsing the file again).
pub struct Checked {
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    pub program: Option<crate::syntax::ast::Program>,
    /// What the kept program does at once (for N331 across a folder),
    /// worked out on the flow the graph checks built (`None` when they did
    /// not run).
    pub at_once: Option<handoff::AtOnce>,
}

/// [`check_bytes_with`], keeping the program when it has no errors.
pub fn check_bytes_keeping(bytes: &[u8], schema: Option<&Schema>) -> Checked {
    if bytes.len() > syntax::limits::MAX_FILE_BYTES {
        return Checked {
            source: String::new(),
            diagnostics: vec![syntax::limits::too_large_diagnostic()],
            program: None,
            at_once: None,
        };
    }
    match syntax::decode(bytes) {
        (source, Some(not_utf8)) => Checked {
            source,
            diagnostics: vec![not_utf8],
            program: None,
            at_once: None,
        },
        (source, None) => {
            let parsed = syntax::parse(&source);
            let (diagnostics, at_once) = check_parsed_with_flow(&parsed, &source, schema);
            let clean = !diagnostics
                .iter()
                .any(|d| d.severity() == crate::diagnostic::Severity::Error);
            Checked {
                program: parsed.program.filter(|_| clean),
                at_once: at_once.filter(|_| clean),
                source,
                diagnostics,
            }
        }
    }
}

/// Parses and checks one file's text without a schema; the diagnostics come
/// sorted by place.
pub fn check_text(text: &str) -> Vec<Diagnostic> {
    check_text_with(text, None)
}

/// Parses and checks one file's text, a program's names and values against
/// `schema` when there is one. A file that holds a schema is checked as one.
pub fn check_text_with(text: &str, schema: Option<&Schema>) -> Vec<Diagnostic> {
    check_parsed(&syntax::parse(text), text, schema)
}

/// [`check_text_with`] on a file already parsed (an editor keeps the tree
/// for its own lookups and parses each version once).
pub fn check_parsed(
    parsed: &syntax::Parsed,
    text: &str,
    schema: Option<&Schema>,
) -> Vec<Diagnostic> {
    check_parsed_with_flow(parsed, text, schema).0
}

/// [`check_parsed`], with what the program does at once when the graph
/// checks ran: worked out on their flow, so that it is not built twice.
fn check_parsed_with_flow(
    parsed: &syntax::Parsed,
    text: &str,
    schema: Option<&Schema>,
) -> (Vec<Diagnostic>, Option<handoff::AtOnce>) {
    let mut at_once = None;
    let mut found = parsed.diagnostics.clone();
    if let Some(program) = &parsed.program {
        found.extend(structure::check(program, text, parsed.complete));
        // The graph checks need a sound tree: after an error, values may be
        // stand-ins and steps missing, and what they found would mislead.
        let sound = !found
            .iter()
            .any(|d| d.severity() == crate::diagnostic::Severity::Error);
        if parsed.complete && sound {
            let (graph, quick) = graph_checks_with_flow(program, text, schema);
            found.extend(graph);
            at_once = Some(quick);
        }
        found.extend(names::check(program, text, schema, &found));
    }
    if let Some(schema) = &parsed.schema {
        found.extend(names::check_schema(schema));
    }
    diagnostic::sort(&mut found);
    (found, at_once)
}

/// Without a schema saying otherwise, a call (a task for a salesperson) and a
/// letter need no opt-in; every other channel does.
pub fn default_needs_consent(channel: &str) -> bool {
    !matches!(channel, "call" | "letter")
}

/// The checks on the program as a graph of steps. The schema says which
/// channels need consent, and which attributes hold one value (for guards
/// that exclude each other).
pub fn graph_checks(
    program: &crate::syntax::ast::Program,
    text: &str,
    schema: Option<&Schema>,
) -> Vec<Diagnostic> {
    graph_checks_with_flow(program, text, schema).0
}

/// [`graph_checks`], and what the program does at once, on the same flow.
fn graph_checks_with_flow(
    program: &crate::syntax::ast::Program,
    text: &str,
    schema: Option<&Schema>,
) -> (Vec<Diagnostic>, handoff::AtOnce) {
    let needs_consent = |c: &str| names::needs_consent(schema, c);
    let guards = guards::Guards::new(program, schema, &needs_consent);
    let flow = flow::Flow::new(program);
    let mut found = graph::check_flow(&flow);
    found.extend(arms::check(program, text));
    found.extend(shadow::check(&flow));
    found.extend(at_once::check(&flow));
    found.extend(deadline::check(&flow));
    found.extend(consent::check(&flow, &needs_consent));
    found.extend(cap::check(&flow, &guards, text));
    found.extend(data::check(&flow, schema, timing::holds_sends(program)));
    found.extend(kind::check(program));
    found.extend(handoff::check(program));
    (found, handoff::at_once_in(&flow))
}

/// The static facts of a program (`nurture check --summary`), when the file
/// holds a program whose steps make a sound graph; facts about a broken one
/// would mislead. (Consent and caps do not change the facts; the CLI shows
/// facts only for files its full check found no error in.)
pub fn facts_of_text(text: &str) -> Option<facts::Facts> {
    facts_of_text_with(text, None)
}

/// [`facts_of_text`], with what the schema says of channels and attributes.
pub fn facts_of_text_with(text: &str, schema: Option<&Schema>) -> Option<facts::Facts> {
    let parsed = syntax::parse(text);
    let program = parsed.program.as_ref()?;
    let clean = parsed.complete
        && !parsed
            .diagnostics
            .iter()
            .any(|d| d.severity() == crate::diagnostic::Severity::Error)
        && !structure::check(program, text, true)
            .iter()
            .chain(graph::check(program).iter())
            .any(|d| d.severity() == crate::diagnostic::Severity::Error);
    clean.then(|| facts::facts_with(program, schema))
}
