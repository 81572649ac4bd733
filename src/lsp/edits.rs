//! Edits the server hands the editor: `nurture fmt`'s layout as the lines
//! that change, and the quick fixes the diagnostics carry
//! (`Diagnostic::fixes`) as code actions.

use super::position::{Encoding, Lines};
use super::session::Analysis;
use crate::span::Span;
use lsp_types::{CodeAction, CodeActionKind, TextEdit, Uri, WorkspaceEdit};
use std::collections::HashMap;

/// The edits that give the text `nurture fmt`'s layout: one per run of
/// changed lines, so marks and the cursor elsewhere stay put. `None` when
/// the file cannot be formatted (it has syntax errors).
pub fn formatting(
    parsed: &crate::syntax::Parsed,
    text: &str,
    lines: &Lines,
    encoding: Encoding,
) -> Option<Vec<TextEdit>> {
    let formatted = crate::format::format_parsed(parsed, text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    // A file whose every line changes would cost Myers' diff seconds;
    // past the deadline it settles for larger edits, still correct.
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_millis(10))
        .diff_lines(text, &formatted);
    let mut starts = vec![0];
    for line in diff.old_slices() {
        starts.push(starts[starts.len() - 1] + line.len());
    }
    // Walk the lines: a run of deleted and inserted lines between two
    // equal ones is one edit (two edits at one place would leave their
    // order to the editor).
    let mut edits = Vec::new();
    let mut old_line = 0;
    let mut run: Option<(usize, String)> = None;
    let flush = |run: &mut Option<(usize, String)>, old_line: usize, edits: &mut Vec<TextEdit>| {
        if let Some((from, new_text)) = run.take() {
            let span = Span::new(starts[from], starts[old_line]);
            edits.push(TextEdit {
                range: lines.range(text, span, encoding),
                new_text,
            });
        }
    };
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Equal => {
                flush(&mut run, old_line, &mut edits);
                old_line += 1;
            }
            similar::ChangeTag::Delete => {
                run.get_or_insert_with(|| (old_line, String::new()));
                old_line += 1;
            }
            similar::ChangeTag::Insert => {
                run.get_or_insert_with(|| (old_line, String::new()))
                    .1
                    .push_str(change.value());
            }
        }
    }
    flush(&mut run, old_line, &mut edits);
    Some(edits)
}

/// The quick fixes of the diagnostics that touch `span`.
pub fn code_actions(
    analysis: &Analysis,
    uri: &Uri,
    text: &str,
    lines: &Lines,
    encoding: Encoding,
    span: Span,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for diagnostic in &analysis.diagnostics {
        let at = diagnostic.primary_span();
        if at.end < span.start || at.start > span.end {
            continue;
        }
        let shown = super::diagnostics::to_lsp(diagnostic, uri, text, lines, encoding);
        for (n, fix) in diagnostic.fixes.iter().enumerate() {
            let edits = fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: lines.range(text, edit.span, encoding),
                    new_text: edit.text.clone(),
                })
                .collect();
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(n == 0),
                ..CodeAction::default()
            });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let lines = Lines::new(text);
        let mut out = text.to_string();
        for edit in edits.iter().rev() {
            let span = lines.span(text, edit.range, Encoding::Utf16);
            out.replace_range(span.start..span.end, &edit.new_text);
        }
        out
    }

    #[test]
    fn formatting_edits_give_the_formatted_text() {
        let text = "program p {\nkind welcome\n  owner \"o\"\ntrigger event signup\n step a {\n exit done\n }\n}\n";
        let lines = Lines::new(text);
        let parsed = crate::syntax::parse(text);
        let edits = formatting(&parsed, text, &lines, Encoding::Utf16).unwrap();
        assert!(!edits.is_empty());
        assert_eq!(
            apply(text, &edits),
            crate::format::format_source(text).unwrap()
        );
        let broken = "program p {";
        let parsed = crate::syntax::parse(broken);
        assert_eq!(
            formatting(&parsed, broken, &Lines::new(broken), Encoding::Utf16),
            None
        );
    }
}
