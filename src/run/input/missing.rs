//! Stage 4, input: attributes a program reads that a customers file lacks.
//! Without them every condition on them fails (an absent value matches
//! nothing), and a run would quietly enter nobody: told before the run
//! instead, at line 1.

use super::RowError;
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
    // Reading from memory cannot fail.
    missing_attributes_in(file, without_bom(text).as_bytes(), format, read).unwrap_or_default()
}

/// [`missing_attributes`] of a file read as far as it takes: a CSV's first
/// line, JSON Lines until every attribute has been met (the simulator reads
/// files too large to hold).
pub fn missing_attributes_in(
    file: &str,
    source: impl std::io::Read,
    format: Format,
    read: &BTreeMap<String, String>,
) -> std::io::Result<Vec<RowError>> {
    if read.is_empty() {
        return Ok(Vec::new());
    }
    let (has, what): (BTreeSet<String>, &str) = match format {
        Format::Csv => (csv_columns(source), "there is no column"),
        Format::JsonLines => (json_attributes(source, read)?, "no customer has"),
    };
    Ok(read
        .iter()
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
        .collect())
}

/// The names the first line (that is not blank) gives the columns.
fn csv_columns(source: impl std::io::Read) -> BTreeSet<String> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::None)
        .from_reader(source);
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
fn json_attributes(
    source: impl std::io::Read,
    wanted: &BTreeMap<String, String>,
) -> std::io::Result<BTreeSet<String>> {
    use std::io::BufRead;
    let mut found = BTreeSet::new();
    let mut lines = std::io::BufReader::new(source);
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        // As `json_lines` reads: a line break, a `\r` before it, blank lines.
        let text = String::from_utf8_lossy(&line);
        let row = text.trim_end_matches('\n');
        let row = row.strip_suffix('\r').unwrap_or(row);
        let row = row.strip_prefix('\u{feff}').unwrap_or(row);
        if row.trim().is_empty() {
            continue;
        }
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
    Ok(found)
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
