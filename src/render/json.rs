//! Render stage, for programs: our own stable JSON format. Its shape is a
//! promise to scripts that read it, so it is spelled out in structs here
//! (fields serialise in the order written) rather than derived from internal
//! types that may change. Bump `FORMAT_VERSION` on any breaking change.
//!
//! Positions carry the 1-based line and char column and the byte offset;
//! `end` is exclusive, so an empty span ends where it starts. `help` is
//! `null` when a diagnostic has none.

use super::lines::{LineIndex, Position};
use super::{FileReport, Totals, to_pretty_json};
use crate::check::facts::Facts;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use serde::Serialize;

const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    tool: Tool,
    files_checked: usize,
    summary: Totals,
    diagnostics: Vec<Entry<'a>>,
    /// With `--summary` only: the static facts of each clean program.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    programs: Vec<ProgramFacts<'a>>,
    /// With `--summary` only: each schema's caps across programs.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    portfolio: &'a [Portfolio],
}

/// The caps of one schema and what the programs checked against it can
/// send together (`check/portfolio.rs`).
#[derive(Clone, Debug, Serialize)]
pub struct Portfolio {
    pub schema: String,
    pub programs_checked: usize,
    pub caps: Vec<crate::check::portfolio::Bound>,
}

#[derive(Serialize)]
struct ProgramFacts<'a> {
    file: &'a str,
    #[serde(flatten)]
    facts: &'a Facts,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    file: &'a str,
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    start: Point,
    end: Point,
    labels: Vec<LabelEntry<'a>>,
}

#[derive(Serialize)]
struct LabelEntry<'a> {
    message: &'a str,
    start: Point,
    end: Point,
}

#[derive(Serialize)]
struct Point {
    line: usize,
    column: usize,
    offset: usize,
}

/// Every diagnostic of every file, in the order given, as pretty JSON.
pub fn render(reports: &[FileReport], files_checked: usize) -> String {
    render_with_facts(reports, files_checked, &[], &[])
}

/// As [`render`], with the static facts of programs (`--summary`), each
/// with the path of its file.
pub fn render_with_facts(
    reports: &[FileReport],
    files_checked: usize,
    facts: &[(String, Facts)],
    portfolio: &[Portfolio],
) -> String {
    let diagnostics = reports
        .iter()
        .flat_map(|report| {
            let index = LineIndex::new(&report.source);
            report
                .diagnostics
                .iter()
                .map(move |diagnostic| entry(&report.path, &index, diagnostic))
        })
        .collect();
    to_pretty_json(&Document {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "nurture",
            version: env!("CARGO_PKG_VERSION"),
        },
        files_checked,
        summary: Totals::of(reports),
        diagnostics,
        programs: facts
            .iter()
            .map(|(file, facts)| ProgramFacts { file, facts })
            .collect(),
        portfolio,
    })
}

fn entry<'a>(file: &'a str, index: &LineIndex<'_>, diagnostic: &'a Diagnostic) -> Entry<'a> {
    let (start, end) = points(index, diagnostic.primary_span());
    Entry {
        file,
        code: diagnostic.code.id(),
        name: diagnostic.code.name(),
        severity: diagnostic.severity(),
        message: &diagnostic.message,
        help: (!diagnostic.help.is_empty()).then_some(diagnostic.help.as_str()),
        start,
        end,
        labels: diagnostic
            .labels
            .iter()
            .map(|label| {
                let (start, end) = points(index, label.span);
                LabelEntry {
                    message: &label.message,
                    start,
                    end,
                }
            })
            .collect(),
    }
}

/// Start and end of `span`, moved into the text and onto char boundaries so
/// that the offsets agree with the lines and columns.
fn points(index: &LineIndex<'_>, span: Span) -> (Point, Point) {
    let span = index.clamp_span(span);
    let point = |offset: usize| {
        let Position { line, column } = index.position(offset);
        Point {
            line,
            column,
            offset,
        }
    };
    (point(span.start), point(span.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;
    use serde_json::{Value, json};

    fn reports() -> Vec<FileReport> {
        let source = "program ü {\n  holdout 10%\n  holdout 20%\n}\n";
        let first = source.find("holdout").unwrap_or(0);
        let second = source.rfind("holdout").unwrap_or(0);
        vec![
            FileReport {
                path: "a.nurture".to_string(),
                source: source.to_string(),
                diagnostics: vec![
                    Diagnostic::new(Code::DuplicateClause, "`holdout` is written twice")
                        .label(Span::new(second, second + 7), "again")
                        .label(Span::new(first, first + 7), "first")
                        .help("keep one"),
                    Diagnostic::new(Code::MissingOwner, "no `owner`").label(Span::at(10), ""),
                ],
            },
            FileReport {
                path: "b.nurture".to_string(),
                source: String::new(),
                diagnostics: vec![Diagnostic::new(Code::NoProgram, "empty")],
            },
        ]
    }

    #[test]
    fn has_the_documented_shape() {
        let text = render(&reports(), 3);
        assert!(text.ends_with("}\n"));
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(value["format_version"], 1);
        assert_eq!(value["tool"]["name"], "nurture");
        assert_eq!(value["files_checked"], 3);
        assert_eq!(value["summary"], json!({"errors": 2, "warnings": 1}));

        let first = &value["diagnostics"][0];
        assert_eq!(first["file"], "a.nurture");
        assert_eq!(first["code"], "N101");
        assert_eq!(first["name"], "duplicate-clause");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["help"], "keep one");
        assert_eq!(
            first["start"],
            json!({"line": 3, "column": 3, "offset": 29})
        );
        assert_eq!(first["end"], json!({"line": 3, "column": 10, "offset": 36}));
        assert_eq!(first["labels"][1]["message"], "first");
        assert_eq!(first["labels"][1]["start"]["line"], 2);

        let empty = &value["diagnostics"][1];
        assert_eq!(empty["severity"], "warning");
        assert_eq!(empty["help"], Value::Null);
        // Columns count chars: `ü` is two bytes but one column, so a byte count
        // would say column 11.
        assert_eq!(
            empty["start"],
            json!({"line": 1, "column": 10, "offset": 10})
        );
        assert_eq!(empty["end"], empty["start"]);

        let unlabelled = &value["diagnostics"][2];
        assert_eq!(unlabelled["labels"], json!([]));
        assert_eq!(
            unlabelled["start"],
            json!({"line": 1, "column": 1, "offset": 0})
        );
    }

    #[test]
    fn keys_come_in_the_documented_order() {
        let text = render(&reports(), 3);
        let keys = [
            "\"format_version\"",
            "\"tool\"",
            "\"files_checked\"",
            "\"summary\"",
            "\"diagnostics\"",
        ];
        let places: Vec<usize> = keys.iter().filter_map(|key| text.find(key)).collect();
        assert_eq!(places.len(), keys.len());
        assert!(places.windows(2).all(|pair| pair[0] < pair[1]), "{text}");
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(render(&reports(), 3), render(&reports(), 3));
    }
}
