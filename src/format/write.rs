//! Writing the lines out: trailing comments lined up, the file's own line
//! ending and byte-order mark kept.

use super::lines::Line;

/// The column trailing comments start at, as in the bundled programs: far
/// enough right that most clauses and statements fit before it.
pub(super) const COMMENT_COLUMN: usize = 47;

/// The fewest blanks between code and its trailing comment.
const COMMENT_GAP: usize = 2;

/// How the original text ends its lines and whether it starts with a BOM.
#[derive(Clone, Copy, Debug)]
pub(super) struct Conventions {
    pub crlf: bool,
    pub bom: bool,
}

impl Conventions {
    /// The conventions of `text`, judged by its first line ending.
    pub fn of(text: &str) -> Conventions {
        let crlf = text.find('\n').is_some_and(|at| text[..at].ends_with('\r'));
        Conventions {
            crlf,
            bom: text.starts_with('\u{FEFF}'),
        }
    }
}

pub(super) fn text(lines: &[Line], conventions: Conventions) -> String {
    let newline = if conventions.crlf { "\r\n" } else { "\n" };
    let columns = comment_columns(lines);
    let mut out = String::new();
    if conventions.bom {
        out.push('\u{FEFF}');
    }
    for (line, column) in lines.iter().zip(columns) {
        if let Line::Text {
            indent,
            code,
            comment,
        } = line
        {
            let mut text = " ".repeat(*indent);
            text.push_str(code);
            if let Some(comment) = comment {
                if !code.is_empty() {
                    let width = text.chars().count();
                    text.push_str(&" ".repeat(column.saturating_sub(width).max(COMMENT_GAP)));
                }
                text.push_str(comment);
            }
            out.push_str(&text);
        }
        out.push_str(newline);
    }
    out
}

/// Where each line's trailing comment starts: a run of consecutive lines
/// with trailing comments shares one column, [`COMMENT_COLUMN`] or further
/// right when a line of the run is longer.
fn comment_columns(lines: &[Line]) -> Vec<usize> {
    let widths: Vec<Option<usize>> = lines.iter().map(trailing).collect();
    let mut columns = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let end = widths[start..]
            .iter()
            .position(Option::is_none)
            .map_or(lines.len(), |n| start + n);
        let column = widths[start..end]
            .iter()
            .flatten()
            .map(|width| width + COMMENT_GAP)
            .fold(COMMENT_COLUMN, usize::max);
        columns[start..end].fill(column);
        start = end + 1;
    }
    columns
}

/// The width of a line's code when a comment follows it.
fn trailing(line: &Line) -> Option<usize> {
    match line {
        Line::Text {
            indent,
            code,
            comment: Some(_),
        } if !code.is_empty() => Some(indent + code.chars().count()),
        _ => None,
    }
}
