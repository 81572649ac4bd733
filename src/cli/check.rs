//! `nurture check`: read, parse and check programs, print what was found.

use super::args::{CheckArgs, ColorChoice, OutputFormat};
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::check::facts::Facts;
use crate::check::handoff::AtOnce;
use crate::check::portfolio::Member;
use crate::diagnostic::Severity;
use crate::render::json::Portfolio;
use crate::render::{self, FileReport, Totals, human::HumanOptions};
use crate::syntax::ast::Program;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A program checked without errors, kept for the checks across programs:
/// its steps only when the caps across programs read them, and what it does
/// at once.
type Kept = (Program, AtOnce);

/// A file read for checking: its path as given, its bytes, its schema's key
/// (`Schemas::key_for_file`) and the schema's path as found.
type Read = (String, Vec<u8>, Option<PathBuf>, Option<PathBuf>);

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
    // Read in order, each file with its schema, so that what is said on
    // stderr (a file that cannot be read, a schema that cannot be used)
    // comes in the order of the files; then checked on every core.
    let mut schemas = Schemas::new(args.schema.as_deref());
    // Each file: its path, its bytes, its schema's key, and the schema's
    // path as found (for the caps across programs).
    let mut read: Vec<Read> = Vec::with_capacity(paths.len().max(1));
    if from_stdin {
        match files::read_stdin() {
            Ok(bytes) => {
                // Named, and its schema found, as the file it stands for.
                let path = args
                    .stdin_filename
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(files::STDIN_NAME));
                let schema_path = schemas.path_for(&path);
                let schema = schemas.key_for_file(&path, &bytes);
                read.push((path.display().to_string(), bytes, schema, schema_path));
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
                let schema_path = schemas.path_for(path);
                let schema = schemas.key_for_file(path, &bytes);
                read.push((path.display().to_string(), bytes, schema, schema_path));
            }
            Err(problem) => {
                complain(&problem);
                problems.push(problem);
                trouble = true;
            }
        }
    }
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n as usize,
    );
    let checked = in_parallel(&read, threads, |(path, bytes, key, schema_path)| {
        let schema = key.as_deref().and_then(|key| schemas.get(key));
        let checked = crate::check::check_bytes_keeping(bytes, schema);
        // The program is kept only when checked without errors: the checks
        // across programs and the facts take it as it is, so no file is
        // parsed twice.
        let facts = match (&checked.program, args.summary) {
            (Some(program), true) => Some((
                path.clone(),
                crate::check::facts::facts_with(program, schema),
            )),
            _ => None,
        };
        // A program checked without errors against a schema with caps
        // across programs (N316), by the schema's path.
        let member = match (schema_path, schema) {
            (Some(schema_path), Some(schema)) if !schema.caps.is_empty() => {
                checked.program.as_ref().map(|_| schema_path.clone())
            }
            _ => None,
        };
        let report = FileReport {
            path: path.clone(),
            source: checked.source,
            diagnostics: checked.diagnostics,
        };
        // The checks across a folder read a program's header and what it
        // does at once; only the caps across programs read its steps, so
        // they are let go here unless those need them (ten thousand
        // programs' steps were most of the memory).
        let at_once = checked.at_once;
        let kept = checked.program.map(|mut program| {
            // Worked out on the graph checks' flow; a program they did not
            // run on (none kept today) has its own flow built here.
            let quick = at_once.unwrap_or_else(|| crate::check::handoff::at_once(&program));
            if member.is_none() {
                program.steps = Vec::new();
            }
            (program, quick)
        });
        (report, facts, member, kept)
    });
    let mut reports = Vec::with_capacity(checked.len());
    let mut facts: Vec<(String, Facts)> = Vec::new();
    let mut programs: Vec<Option<Kept>> = Vec::with_capacity(checked.len());
    let mut members: Vec<Option<PathBuf>> = Vec::with_capacity(checked.len());
    for (report, found, member, program) in checked {
        facts.extend(found);
        members.push(member);
        programs.push(program);
        reports.push(report);
    }
    let mut portfolio: BTreeMap<PathBuf, Vec<&Program>> = BTreeMap::new();
    for (member, kept) in members.into_iter().zip(&programs) {
        if let (Some(schema_path), Some((program, _))) = (member, kept) {
            portfolio.entry(schema_path).or_default().push(program);
        }
    }

    let bounds = portfolio_checks(&schemas, portfolio, &mut reports, args.summary);
    folder_checks(&mut reports, &programs);
    drop(programs);
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
            for portfolio in &bounds {
                out.push('\n');
                out.push_str(&crate::printable::printable(&render::facts::portfolio(
                    portfolio,
                )));
            }
            out
        }
        OutputFormat::Json => {
            render::json::render_with_facts(&reports, files_checked, &facts, &bounds)
        }
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

/// The caps of each schema across the programs checked against it
/// (`check/portfolio.rs`): what they find is the schema file's, added to
/// its report, or to a report of its own when it was not among the paths.
/// With `summary`, what each schema's caps come to.
fn portfolio_checks(
    schemas: &Schemas,
    portfolio: BTreeMap<PathBuf, Vec<&Program>>,
    reports: &mut Vec<FileReport>,
    summary: bool,
) -> Vec<Portfolio> {
    let mut bounds = Vec::new();
    for (schema_path, programs) in portfolio {
        let Some(schema) = schemas.usable(&schema_path) else {
            continue;
        };
        let members: Vec<Member> = programs
            .into_iter()
            .map(|program| Member { program })
            .collect();
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

/// The programs of each folder checked together, whatever their schema
/// (`check/overlap.rs`, N317–N319; `check/handoff.rs`, N331): each
/// program checked without errors, what is found added to its own report.
/// `programs` are the reports' programs, by place, each kept when its file
/// was checked without errors.
fn folder_checks(reports: &mut [FileReport], programs: &[Option<Kept>]) {
    let mut folders: BTreeMap<PathBuf, Vec<(usize, &Kept)>> = BTreeMap::new();
    for (at, report) in reports.iter().enumerate() {
        if report
            .diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
        {
            continue;
        }
        let Some(Some(program)) = programs.get(at) else {
            continue;
        };
        let folder = Path::new(&report.path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        folders.entry(folder).or_default().push((at, program));
    }
    for members in folders.values() {
        if members.len() < 2 {
            continue;
        }
        let programs: Vec<&Program> = members.iter().map(|(_, (p, _))| p).collect();
        let quick: Vec<&AtOnce> = members.iter().map(|(_, (_, q))| q).collect();
        let mut found = crate::check::overlap::check(&programs);
        found.extend(crate::check::handoff::loops_with(&programs, &quick));
        found.extend(crate::check::handoff::in_group(&programs, &quick));
        for (member, diagnostic) in found {
            if let Some(&(at, _)) = members.get(member) {
                reports[at].diagnostics.push(diagnostic);
            }
        }
        for (at, _) in members {
            crate::diagnostic::sort(&mut reports[*at].diagnostics);
        }
    }
}

/// `work` done on each of `items` on up to `threads` threads, the results
/// in the order of the items whatever thread did which: each thread takes
/// the next item not yet taken, so a long file holds up no other.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            return mine;
                        };
                        mine.push((index, work(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            // A worker that panicked (a fault in nurture) would lose its
            // files' reports: its panic goes on, as on one thread.
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
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

/// The checks across programs that `nurture check` makes over `paths` (the
/// schema's caps, N316; the programs of one folder, N317–N319, N331,
/// N332), for a command that runs them: what check refuses, no runtime
/// runs. Each file's own diagnostics were shown when it was loaded; what
/// these find is shown on stderr as `check` renders it. An error refuses
/// the run (exit 1); warnings are shown and do not.
pub(super) fn across(paths: &[PathBuf], schema_path: Option<&Path>) -> Result<(), i32> {
    let mut schemas = Schemas::new(schema_path);
    let mut reports = Vec::with_capacity(paths.len());
    let mut programs: Vec<Option<Kept>> = Vec::with_capacity(paths.len());
    let mut members: Vec<Option<PathBuf>> = Vec::with_capacity(paths.len());
    for path in paths {
        // Each was read and loaded a moment ago; one that cannot be read
        // now has already been refused or is told by its loading.
        let Ok(bytes) = files::read(path) else {
            continue;
        };
        let found_at = schemas.path_for(path);
        let key = schemas.key_for_file(path, &bytes);
        let schema = key.as_deref().and_then(|key| schemas.get(key));
        let checked = crate::check::check_bytes_keeping(&bytes, schema);
        let member = match (found_at, schema) {
            (Some(at), Some(schema)) if !schema.caps.is_empty() => {
                checked.program.as_ref().map(|_| at)
            }
            _ => None,
        };
        members.push(member);
        programs.push(checked.program.map(|program| {
            let quick = crate::check::handoff::at_once(&program);
            (program, quick)
        }));
        // The file's own diagnostics were shown by its loading: only what
        // the checks across programs add is shown here.
        reports.push(FileReport {
            path: path.display().to_string(),
            source: checked.source,
            diagnostics: Vec::new(),
        });
    }
    let mut portfolio: BTreeMap<PathBuf, Vec<&Program>> = BTreeMap::new();
    for (member, kept) in members.into_iter().zip(&programs) {
        if let (Some(at), Some((program, _))) = (member, kept) {
            portfolio.entry(at).or_default().push(program);
        }
    }
    portfolio_checks(&schemas, portfolio, &mut reports, false);
    folder_checks(&mut reports, &programs);
    let options = HumanOptions {
        color: false,
        width: terminal_width(),
    };
    let mut errors = 0;
    let mut err = std::io::stderr().lock();
    for report in reports.iter().filter(|r| !r.diagnostics.is_empty()) {
        errors += report
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        let rendered = render::human::render_first(
            report,
            &options,
            "`nurture check --output-format json` lists them all",
        );
        let _ = std::io::Write::write_all(&mut err, rendered.as_bytes());
    }
    if errors > 0 {
        let noun = if errors == 1 { "error" } else { "errors" };
        complain(&format!(
            "the programs together have {errors} {noun}, as `nurture check` finds them"
        ));
        return Err(exit::FINDINGS);
    }
    Ok(())
}
