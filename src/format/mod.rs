//! `nurture fmt`: the canonical layout of a program or schema file.
//!
//! It sits beside `check`, on top of `syntax`: a file is parsed, and only a
//! file that parses cleanly is formatted. The formatter never changes a
//! token; it chooses the blanks between tokens and puts the header's
//! clauses in their canonical order, each with its comments.
//!
//! | step | module | gives |
//! |---|---|---|
//! | tokens | `tokens` | every token with the line breaks before it, comments included |
//! | comments | `attach` | each comment's construct: the next one, or the one it trails |
//! | layout tree | `tree` | blocks, clauses, statements, arms as token ranges |
//! | lines | `lines`, `print` | indented lines, header and arrows lined up |
//! | text | `write` | trailing comments lined up, the file's line endings |
//! | safety | `verify` | the new text parses to the same tree with the same comments |

mod attach;
mod lines;
mod print;
mod tokens;
mod tree;
mod verify;
mod write;

use crate::diagnostic::Diagnostic;
use crate::syntax;

pub use verify::comments;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FormatError {
    /// The file does not parse cleanly; its diagnostics, as `nurture check`
    /// reports them. Nothing is formatted until they are fixed.
    Unreadable(Vec<Diagnostic>),
    /// The formatter's own safety check failed (a bug in nurture); the text
    /// is left as it is.
    Unsafe(&'static str),
}

/// The canonical layout of one file's text.
pub fn format_source(text: &str) -> Result<String, FormatError> {
    format_parsed(&syntax::parse(text), text)
}

/// [`format_source`] on a file already parsed (an editor keeps each
/// version's tree and parses it once).
pub fn format_parsed(parsed: &syntax::Parsed, text: &str) -> Result<String, FormatError> {
    if !parsed.complete || !parsed.diagnostics.is_empty() {
        return Err(FormatError::Unreadable(parsed.diagnostics.clone()));
    }
    let tokens = tokens::tokenize(text);
    let file = match (&parsed.program, &parsed.schema) {
        (Some(program), _) => tree::program(&tokens, program),
        (None, Some(schema)) => tree::schema(&tokens, schema),
        (None, None) => return Err(FormatError::Unreadable(parsed.diagnostics.clone())),
    };
    let lines = print::file(&tokens, &file);
    let formatted = write::text(&lines, write::Conventions::of(text));
    // A file already in the layout is its own proof: the same text parses
    // to the same tree with the same comments (format on save, mostly).
    if formatted != text {
        verify::same(parsed, text, &formatted)?;
    }
    Ok(formatted)
}
