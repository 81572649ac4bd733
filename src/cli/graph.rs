//! `nurture graph FILE`: the program as a flow chart on stdout. A program
//! that does not parse is refused with its syntax errors on stderr; one with
//! other mistakes is still drawn, since a picture helps to find them.

use super::args::{GraphArgs, GraphFormat};
use super::{complain, exit, files, print};
use crate::render::FileReport;
use crate::render::chart;
use crate::render::human::{self, HumanOptions};
use crate::render::svg;
use std::io::Write;

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
    let drawn = chart::chart(&program, &source);
    print(&match args.format {
        GraphFormat::Mermaid => chart::mermaid(&drawn),
        GraphFormat::Dot => chart::dot(&drawn),
        GraphFormat::Svg => svg::svg(&drawn),
    });
    exit::CLEAN
}
