//! Finding and reading the files to check.

use crate::syntax::limits::MAX_FILE_BYTES;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The files named by the user's paths: files as given, folders searched
/// (sorted, hidden folders skipped) for `*.nurture`. Problems with a path are
/// returned as messages, and the other paths are still searched.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let shown = path.display();
        match std::fs::metadata(path) {
            Err(error) => problems.push(format!("cannot read `{shown}`: {}", plain(&error))),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                search(path, &mut files, &mut problems);
                if files.len() == before {
                    problems.push(format!("no `.nurture` files found in `{shown}`"));
                }
            }
            Ok(_) => files.push(path.clone()),
        }
    }
    (files, problems)
}

/// Searches `dir`. A link to a `.nurture` file is followed like the file
/// (a program kept in one place and linked into several folders is checked
/// in each); a link to a folder is not, so no loop of links can make the
/// walk endless, and a note says so, as it does for a link that leads
/// nowhere.
fn search(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                let named_program = entry.path().extension().is_some_and(|ext| ext == "nurture");
                let kind = entry.file_type();
                if kind.is_file() && named_program {
                    files.push(entry.into_path());
                } else if kind.is_symlink() && entry.depth() > 0 {
                    let shown = entry.path().display();
                    match std::fs::metadata(entry.path()) {
                        Ok(target) if target.is_file() => {
                            if named_program {
                                files.push(entry.into_path());
                            }
                        }
                        Ok(target) if target.is_dir() => super::note(&format!(
                            "`{shown}` is a link to a folder, which is not searched; name it as a path to check what it holds"
                        )),
                        Ok(_) => {}
                        Err(_) if named_program => {
                            super::note(&format!("`{shown}` is a link that leads nowhere; skipped"))
                        }
                        Err(_) => {}
                    }
                }
            }
            Err(error) => problems.push(format!("cannot search {}", error)),
        }
    }
}

/// A file's bytes, or `None` with the reason. At most one byte more than the
/// size limit is read, so a huge file costs no more than a small one.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path)
        .map_err(|error| format!("cannot read `{}`: {}", path.display(), plain(&error)))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read `{}`: {}", path.display(), plain(&error)))?;
    Ok(bytes)
}

/// How standard input is named when nothing else names it.
pub const STDIN_NAME: &str = "<stdin>";

/// Standard input's bytes, read as [`read`] reads a file: at most one byte
/// more than the size limit.
pub fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read standard input: {}", plain(&error)))?;
    Ok(bytes)
}

/// A whole file, however large: data files (customers, events, a
/// behaviour model, a simulator report) have no size limit, since a
/// customer file of a few hundred megabytes is what a load run is made of.
pub fn read_all(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path)
        .map_err(|error| format!("cannot read `{}`: {}", path.display(), plain(&error)))
}

/// A data file as text, for `replay` and `simulate`; on failure, the exit
/// code to end with, the reason said on stderr: 2 when it cannot be read,
/// 1 when it is not UTF-8.
pub fn read_data_text(path: &Path) -> Result<String, i32> {
    let bytes = read_all(path).map_err(|problem| {
        super::complain(&problem);
        super::exit::TROUBLE
    })?;
    String::from_utf8(bytes).map_err(|_| {
        super::complain(&format!("`{}` is not UTF-8 text", path.display()));
        super::exit::FINDINGS
    })
}

/// A customers file as text and how it is written: CSV, JSON Lines, or
/// Parquet read as the CSV it holds (`run/input/parquet/`). On failure,
/// the exit code, the reason said on stderr: 2 when the file cannot be
/// opened ([`openable`]) or its kind is unknown, 1 when it is not UTF-8 or
/// not a Parquet file nurture reads (every problem of the file told).
pub fn customers_text(
    path: &Path,
    schema: Option<&crate::syntax::ast::Schema>,
) -> Result<(String, crate::run::input::Format), i32> {
    use crate::run::input::{self, Format};
    if input::is_parquet(path) {
        if let Err(problem) = openable(path) {
            super::complain(&problem);
            return Err(super::exit::TROUBLE);
        }
        let types = schema.map(input::Types::new);
        let name = path.display().to_string();
        return match input::csv_text(path, &name, types.as_ref()) {
            Ok(text) => Ok((text, Format::Csv)),
            Err(problems) => {
                for problem in &problems {
                    super::tell(&problem.to_string());
                }
                super::complain(&format!("`{name}` cannot be read"));
                Err(super::exit::FINDINGS)
            }
        };
    }
    let Some(format) = Format::from_path(path) else {
        super::complain(&format!(
            "`{}`: customers are read from .csv, .jsonl or .parquet files",
            path.display()
        ));
        return Err(super::exit::TROUBLE);
    };
    read_data_text(path).map(|text| (text, format))
}

/// Whether a data file named on the command line can be opened as a file:
/// a path that is missing, not allowed or a folder is the command's
/// mistake (exit 2), told before its contents are read; what the file then
/// holds (not UTF-8, not Parquet, a bad row) is the file's problem (exit 1).
pub fn openable(path: &Path) -> Result<(), String> {
    let cannot = |why: String| format!("cannot read `{}`: {why}", path.display());
    let file = std::fs::File::open(path).map_err(|error| cannot(plain(&error)))?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => Err(cannot("it is a folder, not a file".into())),
        _ => Ok(()),
    }
}

/// An I/O error without the "(os error 2)" suffix people need not see.
pub fn plain(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}
