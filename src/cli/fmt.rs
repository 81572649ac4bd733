//! `nurture fmt`: rewrite files in the canonical layout, or with `--check`
//! print a diff of what would change. A file that does not parse is reported
//! as `check` would report it and never rewritten.
//!
//! Standard output carries only the content (the diff, or the formatted text
//! read from standard input), so it can be piped; counts and problems go to
//! standard error.

use super::args::FmtArgs;
use super::{complain, exit, files, print, write};
use crate::format::{FormatError, format_source};
use crate::render::FileReport;
use crate::render::human::{self, HumanOptions};
use std::io::Write;

/// What became of one file.
enum Outcome {
    Unchanged,
    Changed {
        old: String,
        new: String,
    },
    /// It does not parse; its report for stderr.
    Refused(Box<FileReport>),
    /// nurture's own fault or an unreadable file; the message for stderr.
    Trouble(String),
}

#[derive(Default)]
struct Tally {
    unchanged: usize,
    changed: usize,
    refused: usize,
    trouble: bool,
}

pub fn run(args: &FmtArgs) -> i32 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            complain("`-` (standard input) cannot be formatted together with other paths");
            return exit::TROUBLE;
        }
        return standard_input(args.check);
    }
    let (paths, problems) = files::collect(&args.paths);
    let mut tally = Tally {
        trouble: !problems.is_empty(),
        ..Tally::default()
    };
    for problem in &problems {
        complain(problem);
    }
    for path in &paths {
        let shown = path.display().to_string();
        let outcome = match files::read(path) {
            Ok(bytes) => format_bytes(&shown, &bytes),
            Err(problem) => Outcome::Trouble(problem),
        };
        match outcome {
            Outcome::Changed { old, new } if args.check => {
                print(&diff(&shown, &old, &new));
                tally.changed += 1;
            }
            Outcome::Changed { new, .. } => match write::replace(path, new.as_bytes()) {
                Ok(()) => tally.changed += 1,
                Err(problem) => report(&mut tally, Outcome::Trouble(problem)),
            },
            other => report(&mut tally, other),
        }
    }
    summarise(&tally, args.check);
    if tally.trouble {
        exit::TROUBLE
    } else if tally.refused > 0 || (args.check && tally.changed > 0) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `nurture fmt -`: the formatted text on stdout (or, with `--check`, the
/// diff), nothing when the text does not parse.
fn standard_input(check: bool) -> i32 {
    const SHOWN: &str = files::STDIN_NAME;
    let bytes = match files::read_stdin() {
        Ok(bytes) => bytes,
        Err(problem) => {
            complain(&problem);
            return exit::TROUBLE;
        }
    };
    let mut tally = Tally::default();
    match format_bytes(SHOWN, &bytes) {
        Outcome::Unchanged if !check => print(&String::from_utf8_lossy(&bytes)),
        Outcome::Changed { old, new } if check => {
            print(&diff(SHOWN, &old, &new));
            return exit::FINDINGS;
        }
        Outcome::Changed { new, .. } => print(&new),
        other => report(&mut tally, other),
    }
    if tally.trouble {
        exit::TROUBLE
    } else if tally.refused > 0 {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn format_bytes(shown: &str, bytes: &[u8]) -> Outcome {
    let (text, not_utf8) = crate::syntax::decode(bytes);
    let result = match not_utf8 {
        Some(diagnostic) => Err(FormatError::Unreadable(vec![diagnostic])),
        None => format_source(&text),
    };
    match result {
        Ok(new) if new == text => Outcome::Unchanged,
        Ok(new) => Outcome::Changed { old: text, new },
        Err(FormatError::Unreadable(diagnostics)) => Outcome::Refused(Box::new(FileReport {
            path: shown.to_string(),
            source: text,
            diagnostics,
        })),
        Err(FormatError::Unsafe(why)) => Outcome::Trouble(format!(
            "`{shown}` was left as it is: {why} (a bug in nurture fmt; please report it)"
        )),
    }
}

fn report(tally: &mut Tally, outcome: Outcome) {
    match outcome {
        Outcome::Unchanged => tally.unchanged += 1,
        Outcome::Changed { .. } => tally.changed += 1,
        Outcome::Refused(file) => {
            tally.refused += 1;
            let options = HumanOptions {
                color: false,
                width: 100,
            };
            let rendered = human::render(&file, &options);
            let _ = std::io::stderr().lock().write_all(rendered.as_bytes());
        }
        Outcome::Trouble(message) => {
            tally.trouble = true;
            complain(&message);
        }
    }
}

/// A unified diff from the file as it is to the file formatted, with three
/// lines of context, as `diff -u` and `git diff` print it.
fn diff(shown: &str, old: &str, new: &str) -> String {
    // A line break in the path must not end the header line.
    let shown = crate::printable::one_line(shown);
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&shown, &shown)
        .to_string()
}

fn summarise(tally: &Tally, check: bool) {
    let files = |n: usize| {
        if n == 1 {
            "1 file".to_string()
        } else {
            format!("{n} files")
        }
    };
    let mut parts = Vec::new();
    if tally.changed > 0 {
        let verb = if check {
            "would be reformatted"
        } else {
            "reformatted"
        };
        parts.push(format!("{} {verb}", files(tally.changed)));
    }
    if tally.unchanged > 0 {
        parts.push(format!("{} already formatted", files(tally.unchanged)));
    }
    if tally.refused > 0 {
        parts.push(format!(
            "{} not formatted because of errors",
            files(tally.refused)
        ));
    }
    if !parts.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}.", parts.join(", "));
    }
}
