//! `nurture check`: read, parse and check programs, print what was found.

use super::args::{CheckArgs, ColorChoice, OutputFormat};
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::check::facts::Facts;
use crate::diagnostic::Severity;
use crate::render::{self, FileReport, Totals, human::HumanOptions};
use crate::syntax::ast::Schema;
use std::io::IsTerminal;

pub fn run(args: &CheckArgs) -> i32 {
    let (paths, problems) = files::collect(&args.paths);
    let mut trouble = !problems.is_empty();
    for problem in &problems {
        complain(problem);
    }
    let mut reports = Vec::with_capacity(paths.len());
    let mut facts: Vec<(String, Facts)> = Vec::new();
    let mut schemas = Schemas::new(args.schema.as_deref());
    for path in &paths {
        match files::read(path) {
            Ok(bytes) => {
                let schema = schemas.for_file(path, &bytes);
                let report = check_bytes(path.display().to_string(), &bytes, schema);
                // Facts only for files without errors: about a broken
                // program they would mislead.
                let clean = !report
                    .diagnostics
                    .iter()
                    .any(|d| d.severity() == Severity::Error);
                if args.summary && clean {
                    facts.extend(
                        crate::check::facts_of_text_with(&report.source, schema)
                            .map(|f| (report.path.clone(), f)),
                    );
                }
                reports.push(report);
            }
            Err(problem) => {
                complain(&problem);
                trouble = true;
            }
        }
    }

    trouble |= schemas.finish();
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
                out.push_str(&render::facts::render(path, facts));
            }
            out
        }
        OutputFormat::Json => render::json::render_with_facts(&reports, files_checked, &facts),
        OutputFormat::Github => render::github::render(&reports),
        OutputFormat::Sarif => render::sarif::render(&reports),
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
