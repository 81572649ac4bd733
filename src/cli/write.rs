//! Writing what a command makes: standard output checked, files replaced
//! whole. Every command writes through here, so none can lose a file or
//! report success after a failed write.
//!
//! - [`stdout`] writes to standard output. A closed pipe (`nurture check |
//!   head`) is what the reader asked for; any other failure (a full disk
//!   behind `> plan.json`, `/dev/full`) is kept, and [`finish`] turns it into
//!   an error and exit 2 when the command ends.
//! - [`replace`] and [`replace_with`] write a file as a temporary file beside
//!   it, flushed to disk, then renamed over it: a failed write, a full disk
//!   or a signal leaves the old file as it was, never half a file.
//! - [`not_an_input`] refuses an output path that is also one of the inputs.

use super::files::plain;
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The first failed write to standard output, said by [`finish`].
static STDOUT_FAILED: OnceLock<String> = OnceLock::new();

/// Writes `text` to standard output and flushes it. Returns whether the text
/// got through (or the reader closed the pipe on purpose); a failure is
/// remembered for [`finish`].
pub fn stdout(text: &str) -> bool {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(error) => {
            stdout_failed(&error);
            false
        }
    }
}

/// Remembers a failed write to standard output (see [`stdout`]); a closed
/// pipe is no failure.
pub fn stdout_failed(error: &io::Error) {
    if error.kind() != ErrorKind::BrokenPipe {
        let _ = STDOUT_FAILED.set(plain(error));
    }
}

/// The exit code to end with: `code`, or 2 after saying that standard
/// output could not be written.
pub fn finish(code: i32) -> i32 {
    match STDOUT_FAILED.get() {
        Some(error) => {
            super::complain(&format!("cannot write to standard output: {error}"));
            super::exit::TROUBLE
        }
        None => code,
    }
}

/// Replaces the file at `path` with `contents`, whole or not at all. The
/// message on failure names the path.
pub fn replace(path: &Path, contents: &[u8]) -> Result<(), String> {
    replace_with(path, |file| file.write_all(contents))
}

/// [`replace`], with the contents written by `write` (which may stream: a
/// sample of millions of customers is never held in memory). A file that is
/// replaced keeps its permissions; a link is followed, so the file it points
/// at is replaced and the link stays a link.
pub fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), String> {
    let failed = |error: &io::Error| format!("cannot write `{}`: {}", path.display(), plain(error));
    let target = resolved(path).map_err(|e| failed(&e))?;
    let mut file = temporary_beside(&target).map_err(|e| failed(&e))?;
    if let Ok(meta) = std::fs::metadata(&target) {
        // The temporary file was made for nobody else to read; the file it
        // replaces says who may.
        file.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| failed(&e))?;
    }
    {
        let mut buffered = io::BufWriter::new(file.as_file_mut());
        write(&mut buffered)
            .and_then(|()| buffered.flush())
            .map_err(|e| failed(&e))?;
    }
    file.as_file().sync_all().map_err(|e| failed(&e))?;
    // On failure the temporary file is removed as `PersistError` drops it.
    file.persist(&target).map_err(|e| failed(&e.error))?;
    Ok(())
}

/// Whether a file could be written at `path`, found out before long work
/// (`simulate --html`) rather than after it: the folder exists and takes a
/// new file, and `path` is not a folder. Nothing is left behind.
pub fn can_write(path: &Path) -> Result<(), String> {
    let failed = |error: &io::Error| format!("cannot write `{}`: {}", path.display(), plain(error));
    let target = resolved(path).map_err(|e| failed(&e))?;
    if target.is_dir() {
        return Err(format!("cannot write `{}`: it is a folder", path.display()));
    }
    temporary_beside(&target).map(drop).map_err(|e| failed(&e))
}

/// Refuses to write `output` when it is the same file as one of `inputs`
/// (by the file, not the spelling: `./a.csv` and a link to it are `a.csv`).
pub fn not_an_input(output: &Path, inputs: &[(&str, &Path)]) -> Result<(), String> {
    for (what, input) in inputs {
        if same_file::is_same_file(output, input).unwrap_or(false) {
            return Err(format!(
                "`{}` is {what}; writing there would replace it: choose another file",
                output.display()
            ));
        }
    }
    Ok(())
}

/// The file a path names: a link followed to the file it points at.
fn resolved(path: &Path) -> io::Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path),
        _ => Ok(path.to_path_buf()),
    }
}

/// A new, empty temporary file in the folder of `target`, named after it
/// (`.plan.json.XXXXXX.tmp`) so a leftover is recognisable.
fn temporary_beside(target: &Path) -> io::Result<tempfile::NamedTempFile> {
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "nurture".into(), |n| n.to_string_lossy());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // As a new file is made (less the umask); `replace_with` gives a
        // replaced file its own permissions.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("plan.json");
        std::fs::write(&path, "old").expect("write");
        let result = replace_with(&path, |file| {
            file.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert_eq!(
            result,
            Err(format!("cannot write `{}`: disk full", path.display()))
        );
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("old"));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, ["plan.json"], "no temporary file is left");
    }

    #[test]
    fn a_new_file_is_written_whole() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("new.json");
        assert_eq!(replace(&path, b"{}\n"), Ok(()));
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some("{}\n"));
    }

    #[cfg(unix)]
    #[test]
    fn permissions_and_links_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temporary folder");
        let real = dir.path().join("real.nurture");
        let link = dir.path().join("link.nurture");
        std::fs::write(&real, "old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        std::os::unix::fs::symlink(&real, &link).expect("link");
        assert_eq!(replace(&link, b"new"), Ok(()));
        assert_eq!(std::fs::read_to_string(&real).ok().as_deref(), Some("new"));
        let link_meta = std::fs::symlink_metadata(&link).expect("stat");
        assert!(link_meta.file_type().is_symlink());
        let mode = std::fs::metadata(&real).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_folder_cannot_be_written() {
        let dir = tempfile::tempdir().expect("temporary folder");
        assert!(can_write(dir.path()).is_err());
        assert!(can_write(&dir.path().join("missing/report.html")).is_err());
        assert_eq!(can_write(&dir.path().join("report.html")), Ok(()));
        assert_eq!(
            std::fs::read_dir(dir.path()).map(|d| d.count()).ok(),
            Some(0)
        );
    }

    #[test]
    fn an_input_is_no_output() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let input = dir.path().join("a.csv");
        std::fs::write(&input, "id\n").expect("write");
        let spelled = dir.path().join(".").join("a.csv");
        let refused = not_an_input(&spelled, &[("the customers file", &input)]);
        assert!(refused.is_err_and(|m| m.contains("is the customers file")));
        let other = dir.path().join("b.html");
        assert_eq!(
            not_an_input(&other, &[("the customers file", &input)]),
            Ok(())
        );
    }
}
