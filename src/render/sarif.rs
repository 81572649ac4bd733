//! Render stage, for code scanning: a SARIF 2.1.0 log as GitHub accepts it
//! (`github/codeql-action/upload-sarif`). Every code is listed as a rule, with
//! its explanation as the help GitHub shows next to an alert.
//!
//! Columns count Unicode code points (`columnKind`), and so do `charOffset`
//! and `charLength`; `endColumn` is exclusive, so an empty span has
//! `endColumn == startColumn`.

use super::lines::LineIndex;
use super::{FileReport, to_pretty_json};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::Span;
use serde::Serialize;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

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
    column_kind: &'static str,
    results: Vec<SarifResult>,
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
    rules: Vec<Rule>,
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
    text: &'static str,
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

/// One run over all files, with every rule and every diagnostic.
pub fn render(reports: &[FileReport]) -> String {
    let mut codes = Code::ALL.to_vec();
    codes.sort_by_key(|code| code.id());
    let rules = codes.iter().map(|&code| rule(code)).collect();

    let mut results = Vec::new();
    for report in reports {
        let index = LineIndex::new(&report.source);
        let artifact = artifact(&report.path);
        for diagnostic in &report.diagnostics {
            let rule_index = codes
                .iter()
                .position(|&code| code == diagnostic.code)
                .unwrap_or(0);
            results.push(result(&artifact, &index, rule_index, diagnostic));
        }
    }

    to_pretty_json(&Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "nurture",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
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
            text: code.explanation(),
            markdown: code.explanation(),
        },
        default_configuration: Configuration {
            level: level(code.severity()),
        },
    }
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
