//! Finding and reading the customer schema for each checked file.
//!
//! `--schema PATH` names one schema for every program. Without it, a program
//! uses the `schema.nurture` in its own folder or, failing that, in the
//! nearest folder above it, up to the current folder. A file that holds a
//! schema is checked as one and uses none.
//!
//! A schema that cannot be read, or that has mistakes of its own, is not
//! used: programs checked against half a schema would report names that are
//! only missing because of the mistake. That is an error of the run (exit 2),
//! said once per schema on stderr. A run in which some program found no
//! schema at all says so once, as a note, and its exit code stays as it is.

use super::complain;
use super::files;
use crate::diagnostic::Severity;
use crate::syntax::ast::Schema;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The file name a schema is looked for under.
pub const SCHEMA_FILE: &str = "schema.nurture";

pub const NO_SCHEMA_NOTE: &str = "no schema found (schema.nurture beside the programs, or --schema PATH); names and values were not checked";

pub struct Schemas {
    explicit: Option<PathBuf>,
    cwd: PathBuf,
    /// Every schema file looked at, by its absolute path.
    loaded: BTreeMap<PathBuf, Loaded>,
    /// Whether some program was checked without any schema.
    missing: bool,
    /// Whether a schema could not be used.
    trouble: bool,
    /// What was said about schemas that could not be used.
    said: Vec<String>,
}

enum Loaded {
    Usable(Schema),
    /// Why it cannot be used; `reported` once it has been said.
    Unusable {
        reason: String,
        reported: bool,
    },
}

impl Schemas {
    pub fn new(explicit: Option<&Path>) -> Self {
        Schemas {
            explicit: explicit.map(Path::to_path_buf),
            cwd: std::env::current_dir().unwrap_or_default(),
            loaded: BTreeMap::new(),
            missing: false,
            trouble: false,
            said: Vec::new(),
        }
    }

    /// The schema to check the file at `path` against. Returns `None` for a
    /// file that holds a schema itself, and when no usable schema is found.
    /// A schema that cannot be used is reported the first time it is asked for.
    pub fn for_file(&mut self, path: &Path, bytes: &[u8]) -> Option<&Schema> {
        let key = self.key_for_file(path, bytes)?;
        self.get(&key)
    }

    /// As [`Schemas::for_file`], but the schema's key for [`Schemas::get`],
    /// so that many files can hold theirs at once (`nurture check` checks
    /// files on several threads, each with its schema, after reading them
    /// all in order, schemas' complaints included).
    pub fn key_for_file(&mut self, path: &Path, bytes: &[u8]) -> Option<PathBuf> {
        if std::str::from_utf8(bytes).is_ok_and(crate::syntax::holds_schema) {
            return None;
        }
        let Some(schema_path) = self.path_for(path) else {
            self.missing = true;
            return None;
        };
        let key = absolute(&self.cwd, &schema_path);
        let loaded = self
            .loaded
            .entry(key.clone())
            .or_insert_with(|| load(&schema_path));
        match loaded {
            Loaded::Usable(_) => Some(key),
            Loaded::Unusable { reason, reported } => {
                if !*reported {
                    let problem = format!("{reason}; names and values were not checked against it");
                    complain(&problem);
                    self.said.push(problem);
                    *reported = true;
                    self.trouble = true;
                }
                None
            }
        }
    }

    /// Where the schema for the program at `path` is looked for and found.
    pub fn path_for(&self, path: &Path) -> Option<PathBuf> {
        match &self.explicit {
            Some(explicit) => Some(explicit.clone()),
            None => self.candidates(path).into_iter().find(|c| c.is_file()),
        }
    }

    /// A usable schema already loaded from `path` (as [`Self::path_for`]
    /// gives it).
    pub fn usable(&self, path: &Path) -> Option<&Schema> {
        match self.loaded.get(&absolute(&self.cwd, path))? {
            Loaded::Usable(schema) => Some(schema),
            Loaded::Unusable { .. } => None,
        }
    }

    /// Whether two paths name the same file, as schemas are keyed.
    pub fn same(&self, a: &Path, b: &Path) -> bool {
        absolute(&self.cwd, a) == absolute(&self.cwd, b)
    }

    /// The usable schema of a key [`Schemas::key_for_file`] gave.
    pub fn get(&self, key: &Path) -> Option<&Schema> {
        match self.loaded.get(key) {
            Some(Loaded::Usable(schema)) => Some(schema),
            _ => None,
        }
    }

    /// Says, once, that some program was checked without a schema. Returns
    /// whether a schema could not be used, which makes the run's exit code 2.
    pub fn finish(&self) -> bool {
        if self.missing {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "nurture: note: {NO_SCHEMA_NOTE}");
        }
        self.trouble
    }

    /// What was said about schemas that could not be used, for a report
    /// that lists the run's problems (SARIF's invocation).
    pub fn problems(&self) -> &[String] {
        &self.said
    }

    /// `schema.nurture` in the program's folder, then in each folder above
    /// it that is still inside the current folder.
    fn candidates(&self, program: &Path) -> Vec<PathBuf> {
        let mut folder = program.parent().unwrap_or(Path::new(""));
        let mut found = vec![folder.join(SCHEMA_FILE)];
        loop {
            let absolute = absolute(&self.cwd, folder);
            let inside = absolute.starts_with(&self.cwd) && absolute != self.cwd;
            match folder.parent() {
                Some(parent) if inside => {
                    folder = parent;
                    found.push(folder.join(SCHEMA_FILE));
                }
                _ => return found,
            }
        }
    }
}

/// Reads and checks a schema file; it is usable only without errors.
fn load(path: &Path) -> Loaded {
    let shown = path.display();
    let unusable = |reason: String| Loaded::Unusable {
        reason,
        reported: false,
    };
    let bytes = match files::read(path) {
        Ok(bytes) => bytes,
        Err(problem) => {
            return unusable(problem.replacen("cannot read", "cannot read the schema", 1));
        }
    };
    let (text, diagnostics) = crate::check::check_bytes(&bytes);
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return unusable(format!(
            "the schema `{shown}` has mistakes (`nurture check {shown}` shows them)"
        ));
    }
    match crate::syntax::parse(&text).schema {
        Some(schema) => Loaded::Usable(schema),
        None => unusable(format!("`{shown}` holds a program, not a schema")),
    }
}

/// `path` from the current folder, with `.` and `..` worked out by the
/// letters alone (the schema is found by where the program's path says it
/// is, links or not).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
