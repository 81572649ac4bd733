//! Render stage, for GitHub Actions: one workflow command per diagnostic, so
//! problems show as annotations on the pull request's diff.
//! <https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions>
//!
//! Columns are 1-based chars and `endColumn` is exclusive, as in SARIF.
//! GitHub places an annotation by its `file=` path relative to the
//! repository's root, written plainly (`programs/x.nurture`): a path given
//! as `./programs/x.nurture`, or absolute inside `$GITHUB_WORKSPACE`, is
//! written that way, or the annotation does not show on the diff.

use super::FileReport;
use super::lines::LineIndex;
use crate::diagnostic::Diagnostic;
use std::fmt::Write as _;

/// One `::error …` or `::warning …` line per diagnostic, in the order given.
pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let index = LineIndex::new(&report.source);
        for diagnostic in &report.diagnostics {
            command(&mut out, &report.path, &index, diagnostic);
        }
    }
    out
}

fn command(out: &mut String, path: &str, index: &LineIndex<'_>, diagnostic: &Diagnostic) {
    let span = index.clamp_span(diagnostic.primary_span());
    let start = index.position(span.start);
    let end = index.position(span.end);
    let code = diagnostic.code;
    // Escaped as every output for people is (a runner's log is read in a
    // terminal too); line breaks are the command's own escape below.
    let mut message = crate::printable::printable(&diagnostic.message).into_owned();
    if !diagnostic.help.is_empty() {
        // The annotation has room for one text only; the help is what makes
        // it useful, so it goes on a line of its own below the message.
        message.push_str("\nhelp: ");
        message.push_str(&crate::printable::printable(&diagnostic.help));
    }
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        diagnostic.severity().as_str(),
        // A line break in a path is the command's escape; a control the
        // runner's log would obey is written as an escape (`\u{1b}`).
        escape_property(&crate::printable::printable(&repository_path(
            path,
            workspace().as_deref(),
        ))),
        start.line,
        start.column,
        end.line,
        end.column,
        escape_property(&format!("{} {}", code.id(), code.name())),
        escape_data(&message),
    );
}

/// The checkout's root in GitHub Actions, when set.
fn workspace() -> Option<String> {
    std::env::var("GITHUB_WORKSPACE")
        .ok()
        .filter(|w| !w.is_empty())
}

/// `path` as GitHub matches it: relative to `workspace` when it lies
/// inside it, with `.` parts and `dir/..` pairs taken out and `/` between
/// the parts. A path that leaves the checkout is written as given.
fn repository_path(path: &str, workspace: Option<&str>) -> String {
    let unified = path.replace('\\', "/");
    let mut rest = unified.as_str();
    if let Some(root) = workspace.map(|w| w.replace('\\', "/")) {
        let root = root.trim_end_matches('/');
        if let Some(inside) = rest.strip_prefix(root)
            && let Some(inside) = inside.strip_prefix('/')
        {
            rest = inside;
        }
    }
    let absolute = rest.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() || (!absolute && parts.first() == Some(&"..")) {
        return path.to_string();
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Escapes a command's message, so a newline or `%` in it cannot end the
/// command early or be read as an escape.
fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a property value; `:` and `,` would otherwise end the value.
fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;
    use crate::span::Span;

    #[test]
    fn escapes_data() {
        assert_eq!(
            escape_data("100% sure\r\nreally: yes, no"),
            "100%25 sure%0D%0Areally: yes, no"
        );
    }

    #[test]
    fn paths_are_written_as_github_matches_them() {
        for (given, written) in [
            ("./x.nurture", "x.nurture"),
            ("./programs/./x.nurture", "programs/x.nurture"),
            (".//programs//x.nurture", "programs/x.nurture"),
            ("programs/old/../x.nurture", "programs/x.nurture"),
            (".\\programs\\x.nurture", "programs/x.nurture"),
            ("programs/x.nurture", "programs/x.nurture"),
            ("../elsewhere/x.nurture", "../elsewhere/x.nurture"),
            ("/tmp/x.nurture", "/tmp/x.nurture"),
        ] {
            assert_eq!(repository_path(given, None), written, "{given}");
        }
        let workspace = Some("/home/runner/work/repo/repo/");
        assert_eq!(
            repository_path("/home/runner/work/repo/repo/programs/x.nurture", workspace),
            "programs/x.nurture"
        );
        assert_eq!(
            repository_path("/home/runner/work/repo/repository/x.nurture", workspace),
            "/home/runner/work/repo/repository/x.nurture"
        );
    }

    #[test]
    fn escapes_properties() {
        assert_eq!(
            escape_property("C:/odd,dir/100%.nurture"),
            "C%3A/odd%2Cdir/100%25.nurture"
        );
    }

    #[test]
    fn one_command_per_diagnostic() {
        let source = "program x {\n  holdout 10%\n}\n";
        let reports = [FileReport {
            path: "dir,a:b/x.nurture".to_string(),
            source: source.to_string(),
            diagnostics: vec![
                Diagnostic::new(Code::DuplicateClause, "`holdout` is 100% twice\nhere")
                    .label(Span::new(14, 21), "")
                    .help("keep one"),
                Diagnostic::new(Code::MissingOwner, "no `owner`").label(Span::at(0), ""),
            ],
        }];
        assert_eq!(
            render(&reports),
            "::error file=dir%2Ca%3Ab/x.nurture,line=2,col=3,endLine=2,endColumn=10,\
             title=N101 duplicate-clause::`holdout` is 100%25 twice\\nhere%0Ahelp: keep one\n\
             ::warning file=dir%2Ca%3Ab/x.nurture,line=1,col=1,endLine=1,endColumn=1,\
             title=N109 missing-owner::no `owner`\n"
        );
    }
}
