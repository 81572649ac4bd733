//! `nurture simulate`: which programs a run simulates: the program files
//! named or found in folders (a schema file among them is the schema),
//! each checked, compiled and parsed ([`Loaded`]), and given once each
//! when they run together.

use crate::cli::{complain, exit, files};
use crate::plan::Plan;
use crate::syntax::ast::{ClauseKind, Program, Schema};
use std::path::Path;

/// A program ready to simulate, with what the report needs to name it.
pub(in crate::cli) struct Loaded {
    pub file: String,
    pub plan: Plan,
    pub program: Program,
    /// The program's text, which its chart quotes.
    pub source: String,
    pub bound: Option<u64>,
}

impl Loaded {
    /// Each trigger and the audience, as written.
    pub(in crate::cli) fn written(&self) -> (Vec<String>, Option<String>) {
        let text = |span: crate::span::Span| {
            self.source
                .get(span.start..span.end)
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut triggers = Vec::new();
        let mut audience = None;
        for clause in &self.program.clauses {
            match &clause.kind {
                ClauseKind::Trigger(t) => {
                    triggers.push(text(t.span).trim_start_matches("trigger ").to_string())
                }
                ClauseKind::Audience(c) => audience = Some(text(c.span)),
                _ => {}
            }
        }
        (triggers, audience)
    }
}

/// Checks and compiles one program; also parses it for its steps, and works
/// out the checker's bound on messages.
pub(in crate::cli) fn load(
    path: &Path,
    schema: Option<&Path>,
) -> Result<(Loaded, Option<Schema>), i32> {
    let (plan, found) = crate::cli::compile::checked_plan(path, schema)?;
    let source = files::read_data_text(path)?;
    let Some(program) = crate::syntax::parse(&source).program else {
        complain(&format!("`{}` holds no program", path.display()));
        return Err(exit::FINDINGS);
    };
    let bound = crate::check::facts_of_text(&source).and_then(|facts| facts.messages.total);
    Ok((
        Loaded {
            file: path.display().to_string(),
            plan,
            program,
            source,
            bound,
        },
        found,
    ))
}

/// The program files of `paths`: files as given, folders searched for
/// them. A schema file beside the programs is the schema, not a program;
/// one named among the files is returned as the schema to use.
#[allow(clippy::type_complexity)]
pub(super) fn program_paths(
    paths: &[std::path::PathBuf],
) -> Result<(Vec<std::path::PathBuf>, Option<std::path::PathBuf>), i32> {
    let found = if paths.iter().all(|p| !p.is_dir()) {
        paths.to_vec()
    } else {
        let (found, problems) = files::collect(paths);
        for problem in &problems {
            complain(problem);
        }
        if !problems.is_empty() {
            return Err(exit::TROUBLE);
        }
        found
    };
    let mut schema = None;
    let mut programs = Vec::new();
    for path in found {
        // A file that cannot be read stays: loading it says why.
        let schema_only = std::fs::read_to_string(&path).is_ok_and(|text| {
            let parsed = crate::syntax::parse(&text);
            parsed.schema.is_some() && parsed.program.is_none()
        });
        if !schema_only {
            programs.push(path);
        } else if schema.is_none() && paths.contains(&path) {
            schema = Some(path);
        }
    }
    if programs.is_empty() {
        complain("no programs to simulate: name program files, or folders that hold them");
        return Err(exit::TROUBLE);
    }
    Ok((programs, schema))
}

/// Programs run together run once each: a program given twice is refused
/// (two versions of one program are compared with `--compare`).
pub(super) fn once_each(loaded: &[Loaded]) -> Result<(), i32> {
    let mut files: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for l in loaded {
        if let Some(first) = files.insert(&l.plan.program, &l.file) {
            complain(&format!(
                "`{}` and `{first}` both define program `{}`; programs run together run once each (compare two versions with `--compare`)",
                l.file,
                crate::printable::printable(&l.plan.program)
            ));
            return Err(exit::FINDINGS);
        }
    }
    Ok(())
}
