//! The text the quick fixes of the checks write: a missing arm or way on is
//! a new line inside a block, indented like the lines around it. The checks
//! attach these to their diagnostics (`Diagnostic::fixes`); the editor
//! offers them (`lsp/actions.rs`). Only layout lives here, never a decision
//! about what is wrong.

use crate::diagnostic::{Edit, Fix};
use crate::span::Span;

/// A fix that adds `line` as the last line of the block `block` (whose last
/// byte is its closing `}`), after `last` (the block's last item, for the
/// indentation). `None` when the block does not end with `}` (a block read
/// after a syntax error).
pub fn add_line(
    source: &str,
    block: Span,
    last: Option<Span>,
    line: &str,
    title: String,
) -> Option<Fix> {
    let close = block.end.checked_sub(1)?;
    if source.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let close_line = line_start(source, close);
    let alone = source[close_line..close].trim().is_empty();
    let edit = if alone {
        let indent = match last {
            Some(last) if last.start < close_line => indentation(source, last.start).to_string(),
            _ => format!("{}  ", indentation(source, close)),
        };
        Edit {
            span: Span::at(close_line),
            text: format!("{indent}{line}\n"),
        }
    } else {
        // `{ click -> offer }` on one line: the new arm goes beside it.
        let before = source[..close].trim_end().len();
        Edit {
            span: Span::new(before, close),
            text: format!(" {line} "),
        }
    };
    Some(Fix {
        title,
        edits: vec![edit],
    })
}

fn line_start(source: &str, at: usize) -> usize {
    source[..at].rfind('\n').map_or(0, |n| n + 1)
}

/// The blanks at the start of the line holding `at`.
fn indentation(source: &str, at: usize) -> &str {
    let start = line_start(source, at);
    let rest = &source[start..];
    let width = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..width]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(source: &str, fix: &Fix) -> String {
        let mut out = source.to_string();
        for edit in fix.edits.iter().rev() {
            out.replace_range(edit.span.start..edit.span.end, &edit.text);
        }
        out
    }

    #[test]
    fn a_line_goes_before_the_closing_brace_indented_like_the_last() {
        let source = "  wait up to 5d for click {\n    click -> offer\n  }\n";
        let block = Span::new(2, source.len() - 1);
        let last = source.find("click ->").map(|at| Span::new(at, at + 14));
        let fix = add_line(
            source,
            block,
            last,
            "timeout -> exit no_response",
            "t".into(),
        );
        let fixed = apply(source, &fix.unwrap());
        assert_eq!(
            fixed,
            "  wait up to 5d for click {\n    click -> offer\n    timeout -> exit no_response\n  }\n"
        );
    }

    #[test]
    fn a_block_on_one_line_gets_the_line_beside_it() {
        let source = "wait up to 5d for click { click -> offer }";
        let fix = add_line(
            source,
            Span::new(0, source.len()),
            None,
            "timeout -> x",
            "t".into(),
        );
        assert_eq!(
            apply(source, &fix.unwrap()),
            "wait up to 5d for click { click -> offer timeout -> x }"
        );
    }

    #[test]
    fn a_block_that_does_not_end_in_a_brace_gets_no_fix() {
        assert!(add_line("step a {", Span::new(0, 8), None, "exit a", "t".into()).is_none());
    }
}
