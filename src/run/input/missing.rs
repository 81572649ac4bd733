//! Stage 4, input: attributes a program reads that a customers file lacks.
//! Without them every condition on them fails (an absent value matches
//! nothing), and a run would quietly enter nobody: told before the run
//! instead, at line 1.

use super::RowError;
use super::from_json::json_lines;
use super::words::without_bom;
use super::{Format, fields::trimmed};
use csv::{ReaderBuilder, StringRecord, Trim};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// For each attribute in `read` (with the program that reads it) that no
/// customer in the file can have: a CSV without the column, or JSON Lines
/// in which no customer has it under `attributes`.
pub fn missing_attributes(
    file: &str,
    text: &str,
    format: Format,
    read: &BTreeMap<String, String>,
) -> Vec<RowError> {
    if read.is_empty() {
        return Vec::new();
    }
    let text = without_bom(text);
    let (has, what): (BTreeSet<String>, &str) = match format {
        Format::Csv => (csv_columns(text), "there is no column"),
        Format::JsonLines => (json_attributes(text, read), "no customer has"),
    };
    read.iter()
        .filter(|(name, _)| !has.contains(name.as_str()))
        .map(|(name, program)| RowError {
            file: file.to_string(),
            line: 1,
            problem: format!(
                "{what} `{name}`, which `{program}` reads: every condition on it would fail and nobody would go where it leads; add it{}, or check the name",
                if format == Format::Csv { " as a column" } else { " under `attributes`" }
            ),
            note: false,
        })
        .collect()
}

/// The names the first line (that is not blank) gives the columns.
fn csv_columns(text: &str) -> BTreeSet<String> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::None)
        .from_reader(text.as_bytes());
    let mut record = StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        return record.iter().map(|c| trimmed(c).to_string()).collect();
    }
    BTreeSet::new()
}

/// The attributes of `wanted` some customer has (dotted names for nested
/// objects), reading only until all are found.
fn json_attributes(text: &str, wanted: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, row) in json_lines(text) {
        let Ok(Json::Object(map)) = serde_json::from_str::<Json>(row) else {
            continue;
        };
        if let Some(Json::Object(attributes)) = map.get("attributes") {
            collect(attributes, "", &mut found, 0);
        }
        if wanted.keys().all(|name| found.contains(name)) {
            break;
        }
    }
    found
}

fn collect(
    map: &serde_json::Map<String, Json>,
    prefix: &str,
    into: &mut BTreeSet<String>,
    depth: usize,
) {
    // serde_json refuses deeper nesting; the reader makes it a row error.
    if depth > 128 {
        return;
    }
    for (key, value) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Json::Object(inner) => collect(inner, &name, into, depth + 1),
            Json::Null => {}
            _ => {
                into.insert(name);
            }
        }
    }
}
