//! `nurture graph FILE`: the program as a flow chart on stdout. A program
//! that does not parse is refused with its syntax errors on stderr; one with
//! other mistakes is still drawn, since a picture helps to find them.
//!
//! With `--sim REPORT.json`, the simulator's counts for the program are
//! written on the arrows. A report that cannot be read is refused (exit 2),
//! one that is not a report, has no counts for the program or was made from
//! another version of it (its digest) is a finding (exit 1), as `replay`
//! does with its input files.

use super::args::{GraphArgs, GraphFormat};
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::diagnostic::Severity;
use crate::render::FileReport;
use crate::render::chart::{self, FlowCount};
use crate::render::human::{self, HumanOptions};
use crate::render::{flow, svg};
use crate::syntax::ast::Program;
use std::io::Write;
use std::path::Path;

pub fn run(args: &GraphArgs) -> i32 {
    let path = args.file.display().to_string();
    let bytes = match files::read(&args.file) {
        Ok(bytes) => bytes,
        Err(problem) => {
            complain(&problem);
            return exit::TROUBLE;
        }
    };
    let (source, not_utf8) = crate::syntax::decode(&bytes);
    let parsed = crate::syntax::parse(&source);
    let mut problems: Vec<_> = not_utf8.into_iter().collect();
    problems.extend(parsed.diagnostics);
    let program = match parsed.program {
        Some(program) if parsed.complete && problems.is_empty() => program,
        _ => {
            let report = FileReport {
                path: path.clone(),
                source,
                diagnostics: problems,
            };
            let options = HumanOptions {
                color: false,
                width: 100,
            };
            let _ = std::io::stderr()
                .lock()
                .write_all(human::render(&report, &options).as_bytes());
            complain(&format!(
                "`{path}` cannot be drawn until it reads as a program"
            ));
            return exit::FINDINGS;
        }
    };
    let mut drawn = chart::chart(&program, &source);
    if let Some(report) = &args.sim {
        let digest = match digest(args, &bytes, &program) {
            Ok(digest) => digest,
            Err(code) => return code,
        };
        match simulated(report, program.name.as_str(), &digest) {
            Ok(flow) => chart::annotate(&mut drawn, &flow),
            Err(code) => return code,
        }
    }
    print(&match args.format {
        GraphFormat::Mermaid => chart::mermaid(&drawn),
        GraphFormat::Dot => chart::dot(&drawn),
        GraphFormat::Svg => match svg::svg(&drawn) {
            Ok(svg) => svg,
            Err(too_large) => {
                complain(&format!(
                    "`{path}`: {too_large}; write it with `--format dot` for Graphviz, or `--format mermaid`"
                ));
                return exit::FINDINGS;
            }
        },
    });
    exit::CLEAN
}

/// The digest of the plan `simulate` would have run for this program, with
/// the schema it would have found: what a report's counts must be of.
fn digest(args: &GraphArgs, bytes: &[u8], program: &Program) -> Result<String, i32> {
    let path = args.file.display().to_string();
    let mut schemas = Schemas::new(args.schema.as_deref());
    let schema = schemas.for_file(&args.file, bytes);
    let (_, diagnostics) = crate::check::check_bytes_with(bytes, schema);
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        complain(&format!(
            "`{path}` has errors, so no simulator report is of it (`nurture check {path}` shows them)"
        ));
        return Err(exit::FINDINGS);
    }
    Ok(crate::plan::compile(program, schema).digest)
}

/// The counts a simulator report holds for `program`, or the exit code after
/// saying what is wrong with the report.
fn simulated(path: &Path, program: &str, digest: &str) -> Result<Vec<FlowCount>, i32> {
    let file = path.display().to_string();
    let bytes = files::read_all(path).map_err(|problem| {
        complain(&problem);
        exit::TROUBLE
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        complain(&format!("`{file}` is not UTF-8 text"));
        return Err(exit::FINDINGS);
    };
    flow::read_report(&text, program, digest).map_err(|error| {
        complain(&error.describe(&file));
        exit::FINDINGS
    })
}
