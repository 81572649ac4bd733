//! Render stage, for people: each diagnostic as a miette report, with the
//! source snippet, labels and help. Our [`Diagnostic`] stays plain data; the
//! adapter here is the only code that knows miette's traits.

use super::FileReport;
use super::excerpt::Excerpt;
use super::lines::LineIndex;
use crate::diagnostic::{Diagnostic, Severity};
use crate::printable;
use crate::span::Span;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};
use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

/// Narrower than this, miette's boxes and wrapped text stop being readable
/// (and arithmetic on the width gets close to zero), so we never go below it.
const MIN_WIDTH: usize = 40;

/// The most labels one report draws. A loop with thousands of arrows back
/// would otherwise fill screens, and miette's drawing grows with the square
/// of the labels on one snippet; the JSON and SARIF output keep them all.
const MAX_LABELS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colours: on for a terminal, off for files, pipes and snapshots.
    pub color: bool,
    /// The width to wrap at, in columns.
    pub width: usize,
}

/// All diagnostics of one file, each a full report, separated by blank lines.
pub fn render(report: &FileReport, options: &HumanOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width.max(MIN_WIDTH))
        .with_links(false);
    let index = LineIndex::new(&report.source);
    let path = printable::one_line(&report.path);

    let mut out = String::new();
    for (n, diagnostic) in report.diagnostics.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let adapter = Report::new(&path, &index, diagnostic);
        let mut rendered = String::new();
        match handler.render_report(&mut rendered, &adapter) {
            Ok(()) => out.push_str(&rendered),
            // miette gives up only when it cannot read a span; the problem
            // itself must still reach the user.
            Err(fmt::Error) => out.push_str(&plain(&path, diagnostic)),
        }
    }
    out
}

/// The most reports shown for one file: nobody reads ten thousand, and the
/// machine formats list them all.
pub const MOST_SHOWN: usize = 100;

/// [`render`] for at most [`MOST_SHOWN`] diagnostics, then a line saying how
/// many more there are and, in `where_all`, where to find them.
pub fn render_first(report: &FileReport, options: &HumanOptions, where_all: &str) -> String {
    if report.diagnostics.len() <= MOST_SHOWN {
        return render(report, options);
    }
    let first = FileReport {
        path: report.path.clone(),
        source: report.source.clone(),
        diagnostics: report.diagnostics[..MOST_SHOWN].to_vec(),
    };
    format!(
        "{}\n… and {} more in {} ({where_all})\n",
        render(&first, options),
        report.diagnostics.len() - MOST_SHOWN,
        printable::one_line(&report.path)
    )
}

/// The closing line, e.g. "Found 2 errors and 1 warning in 3 files."
/// `files` is how many files were checked.
pub fn summary_line(errors: usize, warnings: usize, files: usize) -> String {
    let mut found = Vec::new();
    if errors > 0 {
        found.push(counted(errors, "error", "errors"));
    }
    if warnings > 0 {
        found.push(counted(warnings, "warning", "warnings"));
    }
    if !found.is_empty() {
        return format!(
            "Found {} in {}.",
            found.join(" and "),
            counted(files, "file", "files")
        );
    }
    match files {
        0 => "No files were checked.".to_string(),
        1 => "1 file is clean.".to_string(),
        _ => format!("All {files} files are clean."),
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `span`, with an empty span at the end of a text that ends in a line break
/// moved onto that line break, so it shows at the end of the last line.
fn visible(text: &str, span: Span) -> Span {
    if !span.is_empty() || span.start < text.len() {
        return span;
    }
    let before = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .map_or(text.len(), str::len);
    Span::at(before)
}

/// The fallback when miette cannot render a diagnostic.
fn plain(path: &str, diagnostic: &Diagnostic) -> String {
    let mut text = format!(
        "{path}: {}[{}]: {}\n",
        diagnostic.severity().as_str(),
        diagnostic.code.id(),
        printable::one_line(&diagnostic.message)
    );
    if !diagnostic.help.is_empty() {
        let _ = writeln!(text, "  help: {}", printable::printable(&diagnostic.help));
    }
    text
}

/// One diagnostic dressed as a `miette::Diagnostic`, over the excerpt of
/// the file it shows.
#[derive(Debug)]
struct Report<'a> {
    /// The message, safe to print.
    message: Cow<'a, str>,
    severity: Severity,
    /// Shown above the message: the stable id, then the name people remember.
    code: String,
    labels: Vec<LabeledSpan>,
    /// The help, with a line for the labels left out when there were too
    /// many to draw.
    help: String,
    source: NamedSource<Excerpt>,
}

impl<'a> Report<'a> {
    fn new(path: &str, index: &LineIndex<'_>, diagnostic: &'a Diagnostic) -> Self {
        let shown = &diagnostic.labels[..diagnostic.labels.len().min(MAX_LABELS)];
        // Spans in bounds and on char boundaries, whatever the diagnostic says.
        let spans: Vec<Span> = shown
            .iter()
            .map(|label| visible(index.text(), index.clamp_span(label.span)))
            .collect();
        let (excerpt, spans) = Excerpt::new(index, &spans);
        let labels = shown
            .iter()
            .zip(spans)
            .enumerate()
            .map(|(n, (label, span))| {
                let span = SourceSpan::from(span.start..span.end);
                let text = (!label.message.is_empty())
                    .then(|| printable::one_line(&label.message).into_owned());
                if n == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        let mut help = printable::printable(&diagnostic.help).into_owned();
        let left_out = diagnostic.labels.len().saturating_sub(MAX_LABELS);
        if left_out > 0 {
            if !help.is_empty() {
                help.push('\n');
            }
            let places = if left_out == 1 { "place" } else { "places" };
            let _ = write!(
                help,
                "({left_out} more {places} not shown; --output-format json lists them all)"
            );
        }
        Report {
            message: printable::one_line(&diagnostic.message),
            severity: diagnostic.severity(),
            code: format!("{} ({})", diagnostic.code.id(), diagnostic.code.name()),
            labels,
            help,
            source: NamedSource::new(path, excerpt),
        }
    }
}

impl Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        let help = &self.help;
        (!help.is_empty()).then(|| Box::new(help) as Box<dyn Display + 'b>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;

    const PLAIN: HumanOptions = HumanOptions {
        color: false,
        width: 80,
    };

    fn report(source: &str, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport {
            path: "welcome.nurture".to_string(),
            source: source.to_string(),
            diagnostics,
        }
    }

    #[test]
    fn renders_code_message_snippet_labels_and_help() {
        let source = "program welcome {\n  holdout 10%\n  holdout 20%\n}\n";
        let first = source.find("holdout").unwrap_or(0);
        let second = source.rfind("holdout").unwrap_or(0);
        let diagnostic = Diagnostic::new(Code::DuplicateClause, "`holdout` is written twice")
            .label(Span::new(second, second + 11), "written again here")
            .label(Span::new(first, first + 11), "first written here")
            .help("keep the one you mean");
        let text = render(&report(source, vec![diagnostic]), &PLAIN);

        assert!(text.starts_with("N101 (duplicate-clause)\n"), "{text}");
        assert!(text.contains("  × `holdout` is written twice\n"), "{text}");
        assert!(text.contains("╭─[welcome.nurture:3:3]"), "{text}");
        assert!(text.contains(" 2 │   holdout 10%\n"), "{text}");
        assert!(text.contains(" 3 │   holdout 20%\n"), "{text}");
        assert!(text.contains("first written here"), "{text}");
        assert!(text.contains("written again here"), "{text}");
        assert!(text.contains("help: keep the one you mean"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour codes: {text}");
    }

    #[test]
    fn renders_exactly_this() {
        let source = "program welcome {\n  kind welcome\n}\n";
        let diagnostic = Diagnostic::new(Code::MissingOwner, "`welcome` does not name its `owner`")
            .label(Span::new(8, 15), "this program")
            .help("add `owner \"team@example.com\"`");
        let expected = "\
N109 (missing-owner)

  ⚠ `welcome` does not name its `owner`
   ╭─[welcome.nurture:1:9]
 1 │ program welcome {
   ·         ───┬───
   ·            ╰── this program
 2 │   kind welcome
   ╰────
  help: add `owner \"team@example.com\"`
";
        assert_eq!(render(&report(source, vec![diagnostic]), &PLAIN), expected);
    }

    #[test]
    fn labels_at_the_end_of_the_file_are_shown() {
        for source in ["program x {", "program x {\n", "program x {\r\n"] {
            let diagnostic = Diagnostic::new(Code::SyntaxError, "expected `}`")
                .label(Span::at(source.len()), "the file ends here");
            let text = render(&report(source, vec![diagnostic]), &PLAIN);
            assert!(text.contains("[welcome.nurture:1:12]"), "{text}");
            assert!(text.contains("╰── the file ends here"), "{text}");
        }
    }

    #[test]
    fn warnings_use_the_warning_sign() {
        let diagnostic = Diagnostic::new(Code::MissingOwner, "no `owner`")
            .label(Span::new(0, 7), "this program");
        let text = render(&report("program x {}\n", vec![diagnostic]), &PLAIN);
        assert!(text.contains("  ⚠ no `owner`\n"), "{text}");
    }

    #[test]
    fn header_column_counts_chars() {
        let source = "title \"Grüße\" x\n";
        let at = source.find('x').unwrap_or(0);
        let diagnostic =
            Diagnostic::new(Code::SyntaxError, "unexpected `x`").label(Span::new(at, at + 1), "");
        let text = render(&report(source, vec![diagnostic]), &PLAIN);
        assert!(text.contains("[welcome.nurture:1:15]"), "{text}");
    }

    #[test]
    fn renders_every_diagnostic_of_the_file() {
        let diagnostics = vec![
            Diagnostic::new(Code::NoSteps, "no steps").label(Span::new(0, 7), ""),
            Diagnostic::new(Code::MissingOwner, "no owner").label(Span::new(0, 7), ""),
        ];
        let text = render(&report("program x {}\n", diagnostics), &PLAIN);
        assert!(text.contains("N103 (no-steps)"), "{text}");
        assert!(text.contains("N109 (missing-owner)"), "{text}");
    }

    #[test]
    fn never_panics_on_hostile_spans_or_widths() {
        let source = "a\r\nü\t€\rx\n\n𝄞\n";
        for start in 0..source.len() + 2 {
            for end in 0..source.len() + 2 {
                let diagnostic = Diagnostic::new(Code::SyntaxError, "oops")
                    .label(Span::new(start, end), "here")
                    .label(Span::new(end, start), "there");
                for width in [0, 1, 80] {
                    let options = HumanOptions { color: true, width };
                    let text = render(&report(source, vec![diagnostic.clone()]), &options);
                    assert!(text.contains("oops"));
                }
            }
        }
        let diagnostic = Diagnostic::new(Code::NoProgram, "empty").label(Span::new(3, 9), "");
        assert!(render(&report("", vec![diagnostic]), &PLAIN).contains("empty"));
    }

    #[test]
    fn summary_line_counts_with_grammar() {
        assert_eq!(
            summary_line(2, 1, 3),
            "Found 2 errors and 1 warning in 3 files."
        );
        assert_eq!(summary_line(1, 0, 1), "Found 1 error in 1 file.");
        assert_eq!(summary_line(0, 2, 5), "Found 2 warnings in 5 files.");
        assert_eq!(summary_line(0, 0, 12), "All 12 files are clean.");
        assert_eq!(summary_line(0, 0, 1), "1 file is clean.");
        assert_eq!(summary_line(0, 0, 0), "No files were checked.");
    }
}
