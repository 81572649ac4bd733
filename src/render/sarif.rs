//! Render stage, for code scanning: a SARIF 2.1.0 log as GitHub accepts it
//! (`github/codeql-action/upload-sarif`). Every code is listed as a rule, with
//! its explanation as the help GitHub shows next to an alert.
//!
//! Columns count Unicode code points (`columnKind`), and so do `charOffset`
//! and `charLength`; `endColumn` is exclusive, so an empty span has
//! `endColumn == startColumn`.
//!
//! What GitHub asks of a log uploaded through its API, and the schema of
//! the standard (tests/schemas.rs validates against it): every result has
//! `partialFingerprints`, so an alert is recognised again after the lines
//! around it move; the run's one `invocation` says whether nurture checked
//! everything it was asked to (a file that cannot be read makes it
//! `executionSuccessful: false`, with the reason as a notification); a
//! rule's `help` is plain `text` and the same as `markdown`; relative paths
//! are relative to `%SRCROOT%`, which `originalUriBaseIds` names.

use super::lines::LineIndex;
use super::{FileReport, to_pretty_json};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where people learn about the tool (the driver's `informationUri`).
pub const INFORMATION_URI: &str = "https://nurture.dev";

/// How the run went, besides what it found.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// What kept nurture from checking all it was asked to: a path that
    /// cannot be read, a schema that cannot be used. Any makes the run
    /// unsuccessful.
    pub problems: Vec<String>,
    /// The folder relative paths start from, as an absolute `file:` URI
    /// ending in `/` (see [`folder_uri`]); without it, `%SRCROOT%` is only
    /// described, and a consumer places it (GitHub: the checkout).
    pub source_root: Option<String>,
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: [RunInvocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInvocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct BaseUri {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    description: Text,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: &'static serde_json::value::RawValue,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    /// Only related locations have ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    char_offset: usize,
    char_length: usize,
}

/// One run over all files, with every rule and every diagnostic, as a run
/// that checked everything it was asked to.
pub fn render(reports: &[FileReport]) -> String {
    render_run(reports, &Invocation::default())
}

/// [`render`], saying how the run went.
pub fn render_run(reports: &[FileReport], invocation: &Invocation) -> String {
    let codes = codes_by_id();

    let mut results = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.source);
        let artifact = artifact(&report.path);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for diagnostic in &report.diagnostics {
            let rule_index = codes
                .iter()
                .position(|&code| code == diagnostic.code)
                .unwrap_or(0);
            let mut result = result(&artifact, &index, rule_index, diagnostic);
            let hash = line_hash(&index, diagnostic);
            let occurrence = seen.entry(hash.clone()).or_default();
            *occurrence += 1;
            result
                .partial_fingerprints
                .insert("primaryLocationLineHash", format!("{hash}:{occurrence}"));
            results.push(result);
        }
    }

    let notifications = invocation
        .problems
        .iter()
        .map(|problem| Notification {
            level: "error",
            message: Text {
                text: crate::printable::one_line(problem).into_owned(),
            },
        })
        .collect::<Vec<_>>();
    let source_root = BaseUri {
        uri: invocation.source_root.clone(),
        description: Text {
            text: "The folder nurture was run in; relative paths start there".to_string(),
        },
    };
    to_pretty_json(&Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "nurture",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: rules(),
                },
            },
            invocations: [RunInvocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([("%SRCROOT%", source_root)]),
            column_kind: "unicodeCodePoints",
            results,
        }],
    })
}

/// What tells one alert from another whatever line it moves to: the rule,
/// the text of the line it is on (blanks trimmed) and its message; a
/// second alert alike in a file is told apart by its count (`hash:2`).
fn line_hash(index: &LineIndex<'_>, diagnostic: &Diagnostic) -> String {
    let span = index.clamp_span(diagnostic.primary_span());
    let (start, end) = index.line_bounds(index.line_number(span.start));
    let line = index.text().get(start..end).unwrap_or("").trim();
    let mut hasher = Sha256::new();
    for part in [diagnostic.code.id(), line, &diagnostic.message] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The current folder (or any) as the `file:` URI of a folder, ending in
/// `/`, for [`Invocation::source_root`].
pub fn folder_uri(folder: &std::path::Path) -> String {
    let (mut uri, _) = artifact(&folder.to_string_lossy());
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Every code, sorted by id: the order of the rules, which results name by
/// index.
fn codes_by_id() -> Vec<Code> {
    let mut codes = Code::ALL.to_vec();
    codes.sort_by_key(|code| code.id());
    codes
}

/// The rules, the same in every log: made and written once (they are most of
/// a log's bytes, the explanation of every code twice over), already
/// indented as they stand in the log, which writes them as they are.
fn rules() -> &'static serde_json::value::RawValue {
    static RULES: std::sync::OnceLock<Box<serde_json::value::RawValue>> =
        std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        let rules: Vec<Rule> = codes_by_id().into_iter().map(rule).collect();
        // `runs` > run > `tool` > `driver` > `rules`: five objects deep.
        let indent = " ".repeat(10);
        let pretty = serde_json::to_string_pretty(&rules).unwrap_or_else(|_| "[]".into());
        // Line breaks stand only between tokens (in a string one is `\n`),
        // so the indented text is the same JSON.
        let indented = pretty.replace('\n', &format!("\n{indent}"));
        serde_json::value::RawValue::from_string(indented).unwrap_or_default()
    })
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.id(),
        name: code.name(),
        short_description: Text {
            text: code.summary().to_string(),
        },
        full_description: Text {
            text: code.summary().to_string(),
        },
        help: Help {
            text: plain_text(code.explanation()),
            markdown: code.explanation(),
        },
        default_configuration: Configuration {
            level: level(code.severity()),
        },
    }
}

/// An explanation's Markdown as plain text: headings as lines of their
/// own, code blocks indented by four spaces, no backticks or emphasis.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(line);
        } else if let Some(heading) = line.strip_prefix("## ") {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(heading.trim());
        } else {
            out.push_str(&line.replace("**", "").replace('`', ""));
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(
    artifact: &(String, Option<&'static str>),
    index: &LineIndex<'_>,
    rule_index: usize,
    diagnostic: &Diagnostic,
) -> SarifResult {
    let location = |id: Option<usize>, span: Span, message: &str| Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: artifact.0.clone(),
                uri_base_id: artifact.1,
            },
            region: region(index, span),
        },
        message: (!message.is_empty()).then(|| Text {
            text: message.to_string(),
        }),
    };
    let primary_message = diagnostic.labels.first().map_or("", |l| l.message.as_str());
    SarifResult {
        rule_id: diagnostic.code.id(),
        rule_index,
        level: level(diagnostic.severity()),
        message: Text {
            text: message_text(diagnostic),
        },
        locations: vec![location(None, diagnostic.primary_span(), primary_message)],
        related_locations: diagnostic
            .labels
            .iter()
            .skip(1)
            .enumerate()
            .map(|(id, label)| location(Some(id + 1), label.span, &label.message))
            .collect(),
        partial_fingerprints: BTreeMap::new(),
    }
}

/// The message, then the help as a second sentence: code scanning shows one
/// text per alert, and the help is what says what to do.
fn message_text(diagnostic: &Diagnostic) -> String {
    let message = diagnostic.message.trim_end();
    let help = diagnostic.help.trim();
    if help.is_empty() {
        return message.to_string();
    }
    let mut chars = help.chars();
    let help: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let stop = if message.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{message}{stop} {help}")
}

fn region(index: &LineIndex<'_>, span: Span) -> Region {
    let span = index.clamp_span(span);
    let start = index.position(span.start);
    let end = index.position(span.end);
    let char_offset = index.char_offset(span.start);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
        char_offset,
        char_length: index.char_offset(span.end).saturating_sub(char_offset),
    }
}

/// The file as a URI: relative to the checked-out repository (`%SRCROOT%`),
/// which is what code scanning matches alerts to files by, unless the user
/// gave an absolute path.
fn artifact(path: &str) -> (String, Option<&'static str>) {
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    let windows_drive = matches!(
        path.as_bytes(),
        [drive, b':', b'/', ..] if drive.is_ascii_alphabetic()
    );
    if path.starts_with('/') {
        (format!("file://{}", percent_encode(&path, false)), None)
    } else if windows_drive {
        (format!("file:///{}", percent_encode(&path, true)), None)
    } else {
        (percent_encode(&path, false), Some("%SRCROOT%"))
    }
}

/// Percent-encodes everything but unreserved characters and `/` (and `:` when
/// asked, for a drive letter): a space or `#` in a file name must not change
/// what the URI means, and a `:` must not make a relative path look like a
/// scheme.
fn percent_encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && byte == b':');
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn sample() -> Vec<FileReport> {
        let source = "program ü {\n  holdout 10%\n  holdout 20%\n}\n";
        let first = source.find("holdout").unwrap_or(0);
        let second = source.rfind("holdout").unwrap_or(0);
        vec![FileReport {
            path: ".\\programs\\my welcome.nurture".to_string(),
            source: source.to_string(),
            diagnostics: vec![
                Diagnostic::new(Code::DuplicateClause, "`holdout` is written twice")
                    .label(Span::new(second, second + 11), "again")
                    .label(Span::new(first, first + 11), "first")
                    .help("keep the one you mean"),
                Diagnostic::new(Code::MissingOwner, "no `owner`").label(Span::at(11), ""),
            ],
        }]
    }

    fn parsed() -> Value {
        serde_json::from_str(&render(&sample())).unwrap_or(Value::Null)
    }

    #[test]
    fn is_a_sarif_log_with_every_rule() {
        let log = parsed();
        assert_eq!(log["$schema"], SCHEMA);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["tool"]["driver"]["name"], "nurture");
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rules.len(), Code::ALL.len());
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted);

        let n101 = ids
            .iter()
            .position(|&id| id == "N101")
            .unwrap_or(usize::MAX);
        let rule = &rules[n101];
        assert_eq!(rule["name"], "duplicate-clause");
        assert_eq!(
            rule["shortDescription"]["text"],
            Code::DuplicateClause.summary()
        );
        assert_eq!(
            rule["help"]["markdown"],
            Code::DuplicateClause.explanation()
        );
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(log["runs"][0]["results"][0]["ruleIndex"], n101);
    }

    #[test]
    fn results_point_at_the_right_region() {
        let log = parsed();
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "N101");
        assert_eq!(result["level"], "error");
        assert_eq!(
            result["message"]["text"],
            "`holdout` is written twice. Keep the one you mean"
        );
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            json!({"uri": "programs/my%20welcome.nurture", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            location["region"],
            json!({"startLine": 3, "startColumn": 3, "endLine": 3, "endColumn": 14,
                   "charOffset": 28, "charLength": 11})
        );
        let related = &result["relatedLocations"][0];
        assert_eq!(related["id"], 1);
        assert_eq!(related["message"]["text"], "first");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 2);

        let empty = &log["runs"][0]["results"][1];
        assert_eq!(empty["level"], "warning");
        assert_eq!(empty["relatedLocations"], Value::Null);
        assert_eq!(
            empty["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 1, "startColumn": 11, "endLine": 1, "endColumn": 11,
                   "charOffset": 10, "charLength": 0})
        );
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(
            artifact("/tmp/a b.nurture"),
            ("file:///tmp/a%20b.nurture".to_string(), None)
        );
        assert_eq!(
            artifact("C:\\x\\a.nurture"),
            ("file:///C:/x/a.nurture".to_string(), None)
        );
        assert_eq!(artifact("a:b.nurture").0, "a%3Ab.nurture");
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(render(&sample()), render(&sample()));
        assert!(render(&sample()).ends_with("}\n"));
    }
}
