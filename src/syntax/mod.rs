//! Stage 1: from text to the syntax tree.
//!
//! `parse` reads one file's text: it guards against hostile input
//! (`limits`), reads a well-formed file with the hand-written reader
//! (`descent`) or else parses with the pest grammar (`grammar`), both into
//! one parse tree (`tree`), lowers that to the spanned syntax tree (`lower`,
//! `values`) and, when the text does not parse,
//! walks it construct by construct to report every mistake (`recover`,
//! `expected`, and `near_miss` for constructs that are almost right). A
//! file holds one program or the customer schema; both are read here. No
//! pest type leaves this module.

pub mod ast;
mod descent;
mod expected;
mod grammar;
pub mod limits;
mod lower;
pub mod next;
pub(crate) use expected::example;
pub(crate) use lower::{word_choice, word_list};
mod near_miss;
mod prepass;
mod recover;
mod tree;
mod values;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use ast::{Program, Schema};
use grammar::{NurtureParser, Rule};
use pest::Parser;

/// Whether a (possibly dotted) name is or holds a reserved word, which
/// parsing has refused already (N001): later stages neither report it again
/// nor suggest declaring it.
pub fn is_reserved(name: &str) -> bool {
    name.split('.').any(|part| lower::RESERVED.contains(&part))
}

/// What parsing one file gives.
#[derive(Debug)]
pub struct Parsed {
    /// The program, when the file holds one. After a syntax error it holds
    /// the constructs that could be read, and `complete` is false.
    pub program: Option<Program>,
    /// The customer schema, when the file holds one instead of a program.
    /// After a syntax error it holds the entries that could be read.
    pub schema: Option<Schema>,
    /// Whether every construct in the file was read: checks that look for
    /// missing pieces only run on complete programs.
    pub complete: bool,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of one `.nurture` file.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = read(text);
    parsed
        .diagnostics
        .extend(prepass::controls_in_comments(text));
    if let Some(too_many) = parsed.program.as_ref().and_then(limits::too_many_steps) {
        parsed.diagnostics.push(too_many);
    }
    parsed
}

/// Reads the file's text into a program or a schema, within the limits on
/// size and nesting.
fn read(text: &str) -> Parsed {
    limits::set_call_limit();
    let prepared = match limits::too_large(text).map_or_else(|| prepass::prepare(text), Err) {
        Ok(prepared) => prepared,
        Err(problem) => {
            return Parsed {
                program: None,
                schema: None,
                complete: false,
                diagnostics: vec![problem],
            };
        }
    };
    let text = prepared.as_str();
    // Most files are well formed and read without pest; pest reads the
    // rest, and its error is where recovery starts.
    let parsed = match descent::parse(text) {
        Some(tree) => Ok(tree),
        None => {
            NurtureParser::parse(Rule::file, text).map(|pairs| tree::Tree::from_pairs(text, pairs))
        }
    };
    match parsed {
        Ok(tree) => {
            let mut lowerer = lower::Lowerer::new();
            let mut program = None;
            let mut schema = None;
            for pair in tree.root().into_iter().flat_map(|file| file.into_inner()) {
                match pair.as_rule() {
                    Rule::program => program = Some(lowerer.program(pair)),
                    Rule::schema => schema = Some(lowerer.schema(pair)),
                    _ => {}
                }
            }
            let mut diagnostics = lowerer.diagnostics;
            if program.is_none() && schema.is_none() {
                let at = 0;
                diagnostics.push(
                    Diagnostic::new(Code::NoProgram, "this file holds no program")
                        .label(Span::at(at), "expected `program NAME {` here")
                        .help("a nurture file holds one program: `program NAME { … }` with its header and steps"),
                );
            }
            Parsed {
                complete: program.is_some() || schema.is_some(),
                program,
                schema,
                diagnostics,
            }
        }
        Err(error) if limits::is_call_limit(&error) => Parsed {
            // Recovery would parse the pieces again and report whatever the
            // parser gave up on as a syntax error, which it is not.
            program: None,
            schema: None,
            complete: false,
            diagnostics: vec![limits::too_complex(&error)],
        },
        Err(error) => {
            let recovered = recover::parse(text, &error);
            Parsed {
                program: recovered.program,
                schema: recovered.schema,
                complete: false,
                diagnostics: recovered.diagnostics,
            }
        }
    }
}

/// The text with every comment (and a byte-order mark) blanked, offsets
/// unchanged: for showing a construct's text by its span without the
/// comments inside it.
pub fn without_comments(text: &str) -> String {
    prepass::prepare(text).unwrap_or_else(|_| text.to_string())
}

/// Whether the text starts (after comments) with `schema`: a schema file, to
/// be checked as one rather than against one.
pub fn holds_schema(text: &str) -> bool {
    let start = recover::skip_trivia(text, 0);
    expected::word_at(text, start) == "schema"
}

/// Decodes a file's bytes. Text that is not UTF-8 is decoded lossily, so the
/// diagnostic can show where the problem is, and is not parsed.
pub fn decode(bytes: &[u8]) -> (String, Option<Diagnostic>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(error) => {
            let at = error.valid_up_to();
            let byte = bytes.get(at).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(bytes).into_owned();
            let width = text[at..].chars().next().map(char::len_utf8).unwrap_or(0);
            let diagnostic = Diagnostic::new(Code::NotUtf8, "this file is not UTF-8 text")
                .label(
                    Span::new(at, at + width),
                    format!("byte 0x{byte:02X} at offset {at} is not UTF-8"),
                )
                .help("save the file as UTF-8 text (most editors offer it when saving); binary files are not programs");
            (text, Some(diagnostic))
        }
    }
}

/// A duration written as in a program (`30m`, `12h`, `3d`, `2w`), in
/// minutes: for the files read beside programs, like the simulator's
/// behaviour model. The error says what to write instead.
pub fn duration_minutes(text: &str) -> Result<u64, String> {
    match values::duration(text, crate::span::Span::at(0)) {
        (duration, None) => Ok(duration.minutes),
        (_, Some(problem)) => Err(problem.help),
    }
}
