//! `nurture check`: read, parse and check programs, print what was found.

use super::args::{CheckArgs, ColorChoice, OutputFormat};
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::check::facts::Facts;
use crate::diagnostic::Severity;
use crate::render::{self, FileReport, Totals, human::HumanOptions};
use crate::syntax::ast::Schema;
use std::io::IsTerminal;
use std::path::PathBuf;

pub fn run(args: &CheckArgs) -> i32 {
    let from_stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if from_stdin && args.paths.len() > 1 {
        complain("`-` (standard input) cannot be checked together with other paths");
        return exit::TROUBLE;
    }
    if args.stdin_filename.is_some() && !from_stdin {
        complain("`--stdin-filename` names standard input: give `-` as the path to read it");
        return exit::TROUBLE;
    }
    let (paths, mut problems) = if from_stdin {
        (Vec::new(), Vec::new())
    } else {
        files::collect(&args.paths)
    };
    let mut trouble = !problems.is_empty();
    for problem in &problems {
        complain(problem);
    }
    let mut reports = Vec::with_capacity(paths.len().max(1));
    let mut facts: Vec<(String, Facts)> = Vec::new();
    let mut schemas = Schemas::new(args.schema.as_deref());
    if from_stdin {
        match files::read_stdin() {
            Ok(bytes) => {
                // Named, and its schema found, as the file it stands for.
                let path = args
                    .stdin_filename
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(files::STDIN_NAME));
                let schema = schemas.for_file(&path, &bytes);
                let report = check_bytes(path.display().to_string(), &bytes, schema);
                if args.summary {
                    facts.extend(facts_of(&report, schema));
                }
                reports.push(report);
            }
            Err(problem) => {
                complain(&problem);
                problems.push(problem);
                trouble = true;
            }
        }
    }
    for path in &paths {
        match files::read(path) {
            Ok(bytes) => {
                let schema = schemas.for_file(path, &bytes);
                let report = check_bytes(path.display().to_string(), &bytes, schema);
                if args.summary {
                    facts.extend(facts_of(&report, schema));
                }
                reports.push(report);
            }
            Err(problem) => {
                complain(&problem);
                problems.push(problem);
                trouble = true;
            }
        }
    }

    trouble |= schemas.finish();
    problems.extend(schemas.problems().iter().cloned());
    let files_checked = reports.len();
    let totals = Totals::of(&reports);
    let output = match args.output_format {
        OutputFormat::Human => {
            let mut out = human(&reports, totals, files_checked, color(args.color));
            if args.deny_warnings && totals.errors == 0 && totals.warnings > 0 {
                out.push_str("Warnings fail the check because of --deny-warnings.\n");
            }
            for (path, facts) in &facts {
                out.push('\n');
                // The path is the user's; the facts name steps and outcomes.
                out.push_str(&crate::printable::printable(&render::facts::render(
                    path, facts,
                )));
            }
            out
        }
        OutputFormat::Json => render::json::render_with_facts(&reports, files_checked, &facts),
        OutputFormat::Github => render::github::render(&reports),
        OutputFormat::Sarif => render::sarif::render_run(
            &reports,
            &render::sarif::Invocation {
                problems,
                source_root: std::env::current_dir()
                    .ok()
                    .map(|cwd| render::sarif::folder_uri(&cwd)),
            },
        ),
    };
    print(&output);

    if trouble {
        exit::TROUBLE
    } else if totals.errors > 0 || (args.deny_warnings && totals.warnings > 0) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// Checks one file's bytes and keeps its path for the report.
fn check_bytes(path: String, bytes: &[u8], schema: Option<&Schema>) -> FileReport {
    let (source, diagnostics) = crate::check::check_bytes_with(bytes, schema);
    FileReport {
        path,
        source,
        diagnostics,
    }
}

fn human(reports: &[FileReport], totals: Totals, files: usize, color: bool) -> String {
    let options = HumanOptions {
        color,
        width: terminal_width(),
    };
    let mut out = String::new();
    for report in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        out.push_str(&render::human::render_first(
            report,
            &options,
            "--output-format json lists them all",
        ));
        out.push('\n');
    }
    if files > 0 {
        out.push_str(&render::human::summary_line(
            totals.errors,
            totals.warnings,
            files,
        ));
        out.push('\n');
    }
    out
}

/// `auto` colours only a terminal, and never when NO_COLOR is set to
/// anything (https://no-color.org); `always` overrides NO_COLOR.
fn color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    }
}

/// The width to wrap reports at: `COLUMNS` when the shell exports it, else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .unwrap_or(100)
}

/// The facts of a checked file, for `--summary`: only for a file without
/// errors, since about a broken program they would mislead.
fn facts_of(report: &FileReport, schema: Option<&Schema>) -> Option<(String, Facts)> {
    let clean = !report
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error);
    if !clean {
        return None;
    }
    crate::check::facts_of_text_with(&report.source, schema).map(|f| (report.path.clone(), f))
}
