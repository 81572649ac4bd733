//! The customer schema of each open program, found the way `nurture check`
//! finds it (`cli/schema.rs`): `schema.nurture` in the program's folder or
//! the nearest folder above, up to the workspace folder that holds the
//! program (the editor's "current folder"). A schema open in the editor is
//! read from the editor, unsaved changes included; any other from disk.
//! Like the command line, a schema with mistakes of its own is not used.

use super::position::Lines;
use crate::diagnostic::Severity;
use crate::syntax::ast::Schema;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The file name a schema is looked for under (as `cli/schema.rs`).
pub const SCHEMA_FILE: &str = "schema.nurture";

/// A schema file read and found usable.
#[derive(Debug)]
pub struct SchemaFile {
    pub path: PathBuf,
    pub text: String,
    pub lines: Lines,
    pub schema: Schema,
}

/// What looking for a program's schema found.
#[derive(Clone, Debug)]
pub enum Found {
    /// No `schema.nurture` beside or above the program.
    Nothing,
    /// One that cannot be used, and why.
    Unusable {
        reason: String,
    },
    Usable(Rc<SchemaFile>),
}

/// `schema.nurture` in the program's folder, then in each folder above it
/// that is still inside `root` (only the program's own folder when the
/// program lies outside every root).
pub fn candidates(program: &Path, roots: &[PathBuf]) -> Vec<PathBuf> {
    let Some(mut folder) = program.parent() else {
        return Vec::new();
    };
    let root = roots
        .iter()
        .filter(|root| folder.starts_with(root))
        .max_by_key(|root| root.components().count());
    let mut found = vec![folder.join(SCHEMA_FILE)];
    while let (Some(root), Some(parent)) = (root, folder.parent()) {
        if folder == root.as_path() || !parent.starts_with(root) {
            break;
        }
        folder = parent;
        found.push(folder.join(SCHEMA_FILE));
    }
    found
}

/// Reads a schema from disk, at most as much as a program may be.
pub fn read(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path)
        .map_err(|error| format!("cannot read the schema `{}`: {error}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(crate::syntax::limits::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read the schema `{}`: {error}", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => Err(format!("the schema `{}` is not UTF-8 text", path.display())),
    }
}

/// Checks a schema's text; it is usable only without errors.
pub fn load(path: &Path, text: String) -> Found {
    let shown = path.display();
    let unusable = |reason: String| Found::Unusable { reason };
    let diagnostics = crate::check::check_text(&text);
    if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
        return unusable(format!(
            "the schema `{shown}` has mistakes, so names and values are not checked against it"
        ));
    }
    match crate::syntax::parse(&text).schema {
        Some(schema) => Found::Usable(Rc::new(SchemaFile {
            path: path.to_path_buf(),
            lines: Lines::new(&text),
            text,
            schema,
        })),
        None => unusable(format!("`{shown}` holds a program, not a schema")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_go_up_to_the_root() {
        let roots = [PathBuf::from("/work/repo")];
        let found = candidates(Path::new("/work/repo/programs/sales/a.nurture"), &roots);
        assert_eq!(
            found,
            [
                "/work/repo/programs/sales/schema.nurture",
                "/work/repo/programs/schema.nurture",
                "/work/repo/schema.nurture"
            ]
            .map(PathBuf::from)
        );
        let outside = candidates(Path::new("/elsewhere/a.nurture"), &roots);
        assert_eq!(outside, [PathBuf::from("/elsewhere/schema.nurture")]);
    }
}
