//! `nurture check`: read, parse and check programs, print what was found.

use super::args::{CheckArgs, ColorChoice, OutputFormat};
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::check::facts::Facts;
use crate::check::portfolio::Member;
use crate::diagnostic::Severity;
use crate::render::json::Portfolio;
use crate::render::{self, FileReport, Totals, human::HumanOptions};
use crate::syntax::ast::{Program, Schema};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub fn run(args: &CheckArgs) -> i32 {
    let (paths, problems) = files::collect(&args.paths);
    let mut trouble = !problems.is_empty();
    for problem in &problems {
        complain(problem);
    }
    let mut reports = Vec::with_capacity(paths.len());
    let mut facts: Vec<(String, Facts)> = Vec::new();
    let mut schemas = Schemas::new(args.schema.as_deref());
    // The programs checked without errors against each schema with caps
    // across programs (N316), by the schema's path.
    let mut portfolio: BTreeMap<PathBuf, Vec<Program>> = BTreeMap::new();
    for path in &paths {
        match files::read(path) {
            Ok(bytes) => {
                let schema_path = schemas.path_for(path);
                let schema = schemas.for_file(path, &bytes);
                let report = check_bytes(path.display().to_string(), &bytes, schema);
                // Facts only for files without errors: about a broken
                // program they would mislead.
                let clean = !report
                    .diagnostics
                    .iter()
                    .any(|d| d.severity() == Severity::Error);
                if clean && schema.is_some_and(|s| !s.caps.is_empty()) {
                    if let (Some(program), Some(schema_path)) =
                        (crate::syntax::parse(&report.source).program, schema_path)
                    {
                        portfolio.entry(schema_path).or_default().push(program);
                    }
                }
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

    let bounds = portfolio_checks(&schemas, portfolio, &mut reports, args.summary);
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
            for portfolio in &bounds {
                out.push('\n');
                out.push_str(&render::facts::portfolio(portfolio));
            }
            out
        }
        OutputFormat::Json => {
            render::json::render_with_facts(&reports, files_checked, &facts, &bounds)
        }
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

/// The caps of each schema across the programs checked against it
/// (`check/portfolio.rs`): what they find is the schema file's, added to
/// its report, or to a report of its own when it was not among the paths.
/// With `summary`, what each schema's caps come to.
fn portfolio_checks(
    schemas: &Schemas,
    portfolio: BTreeMap<PathBuf, Vec<Program>>,
    reports: &mut Vec<FileReport>,
    summary: bool,
) -> Vec<Portfolio> {
    let mut bounds = Vec::new();
    for (schema_path, programs) in portfolio {
        let Some(schema) = schemas.usable(&schema_path) else {
            continue;
        };
        let members: Vec<Member> = programs.iter().map(|program| Member { program }).collect();
        if summary {
            bounds.push(Portfolio {
                schema: schema_path.display().to_string(),
                programs_checked: members.len(),
                caps: crate::check::portfolio::bounds(schema, &members),
            });
        }
        let mut found = crate::check::portfolio::check(schema, &members);
        if found.is_empty() {
            continue;
        }
        let at = reports
            .iter()
            .position(|r| schemas.same(Path::new(&r.path), &schema_path));
        match at {
            Some(at) => {
                reports[at].diagnostics.append(&mut found);
                crate::diagnostic::sort(&mut reports[at].diagnostics);
            }
            None => {
                let source = std::fs::read_to_string(&schema_path).unwrap_or_default();
                crate::diagnostic::sort(&mut found);
                reports.push(FileReport {
                    path: schema_path.display().to_string(),
                    source,
                    diagnostics: found,
                });
            }
        }
    }
    bounds
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
