//! Stage 4, input: reading customers and events from files for
//! `nurture replay`.
//!
//! Customers come as CSV (a first line naming the columns, then one customer
//! a row) or as JSON Lines (one object a line); events come as JSON Lines.
//! Every bad row becomes a [`RowError`] naming the file and line, and the
//! rest of the file is still read, so one run reports every problem at once.
//! A row with a problem is skipped whole, all its problems reported: half a
//! customer could enter the wrong journey.
//!
//! # Customers
//!
//! CSV columns `id` (required, unique), `time_zone` (an IANA name known to
//! the bundled tz database, kept in its spelling: `europe/berlin` is
//! `Europe/Berlin`), `consents`, `tags`, `segments` (`;`-separated),
//! `score` (a whole number), `phase` (`welcome`, `develop`, `retain` or
//! `win_back`) and `last_event_at.EVENT` (a time) fill the fields of
//! [`Customer`]; every other column is an attribute of that (possibly
//! dotted) name. A JSON Lines customer has the same fields as keys, with
//! the attributes under `attributes` and the times under `last_event_at`;
//! a whole number is taken as an id too (`12` is `"12"`).
//!
//! # Events
//!
//! `at`, `customer` and `event` are required; `properties` is optional.
//! `segment_entered` and `segment_left` need no declaration but must carry
//! the property `segment`, a segment the schema declares.
//!
//! # How values are read
//!
//! With a schema, each attribute and event property is read as its declared
//! type, whether it comes from a CSV cell or a JSON string:
//!
//! | type | written as | read into |
//! |---|---|---|
//! | `text` | anything | `Datum::Text` |
//! | `number` | `1200`, `-0.5`, `1e3` (no `1,200`, no `inf`) | `Datum::Number` |
//! | `bool` | `true`, `false`, `yes`, `no`, in any case | `Datum::Bool` |
//! | `date` | `2026-03-01` (midnight UTC) or RFC 3339 (`2026-03-01T09:00:00+01:00`) | `Datum::Time` |
//! | `duration` | as in programs: `30m`, `12h`, `3d`, `2w` | `Datum::Number`, in minutes |
//! | `a \| b \| c` | exactly one of the words | `Datum::Text` |
//! | `list of text` | `a;b;c` (JSON: also `["a", "b"]`) | `Datum::List`, in order |
//!
//! A duration is kept as its number of minutes because that is how the plan
//! and the interpreter compare durations (`plan::Value::Duration`). A bare
//! number is refused for it, as in a program: `90` could be minutes or days.
//! A time without an offset (`2026-03-01T09:00:00`) is refused too: whose
//! nine o'clock would it be?
//!
//! Without a schema, values are guessed: a CSV cell `true`/`false` (any
//! case) is a bool, a number a number, a date or RFC 3339 time a time, and
//! anything else text (so `00123` becomes the number 123: give a schema to
//! keep it text). A JSON value keeps its JSON type; a JSON string that is a
//! date or time is a time, and an array of strings a list.
//!
//! Everywhere: texts are trimmed, list items trimmed and empty items dropped;
//! an empty cell, an empty string or `null` leaves the attribute absent. In
//! JSON, nested objects name dotted attributes: `{"last_order": {"amount":
//! 3}}` is `last_order.amount`.
//!
//! A column or key the schema does not declare is reported once per file
//! and ignored; the rows are still read. An event or event property it does
//! not declare is an error in the row.
//!
//! These functions take `&str`: a file that is not UTF-8 is the caller's to
//! report, as one [`RowError`] at line 1.

use super::{Customer, Datum, Event, Seconds};
use crate::suggest;
use crate::syntax::ast::{Phase, Schema, ValueType};
use csv::{ReaderBuilder, StringRecord, Trim};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{self, TimeZone};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// How a customers file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// `.csv` is CSV; `.jsonl` and `.ndjson` are JSON Lines, in any case.
    /// Anything else is `None`: the caller asks the user which it is.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// One bad row: the file as the user named it, the 1-based line, and what
/// is wrong in plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.problem)
    }
}

/// Reads customers in file order. A row with a problem is skipped, and so
/// is a customer whose `id` an earlier row already has. A column (or JSON
/// key) that is ignored is told once, at the line where it first appears,
/// and skips nothing.
pub fn read_customers(
    file: &str,
    text: &str,
    format: Format,
    schema: Option<&Schema>,
) -> (Vec<Customer>, Vec<RowError>) {
    let mut customers = Vec::new();
    let errors = read_customers_each(file, text, format, schema, None, &mut |customer| {
        customers.push(customer)
    });
    (customers, errors)
}

/// [`read_customers`], handing each good customer to `take` as soon as it
/// is read: the simulator runs a million customers without holding them.
/// With `keep`, a CSV's attributes outside it are checked but not kept
/// (the simulator keeps what its programs read, and saves building the
/// rest).
pub fn read_customers_each(
    file: &str,
    text: &str,
    format: Format,
    schema: Option<&Schema>,
    keep: Option<&BTreeSet<String>>,
    take: &mut dyn FnMut(Customer),
) -> Vec<RowError> {
    if format == Format::Csv {
        let mut bad = Vec::new();
        let mut errors = read_csv_rows(file, text, schema, keep, &mut |row| match row.customer() {
            Ok(customer) => take(customer),
            Err(problems) => bad.extend(problems.into_iter().map(|problem| RowError {
                file: file.to_string(),
                line: row.line,
                problem,
            })),
        });
        errors.extend(bad);
        // Rows are told in file order; a row's problems are found either
        // while reading it or while making it a customer, never both.
        errors.sort_by_key(|e| e.line);
        return errors;
    }
    let types = schema.map(Types::new);
    let mut out = Customers {
        report: Report::new(file),
        take,
        first_line: HashMap::new(),
    };
    let text = without_bom(text);
    match format {
        Format::Csv => {}
        Format::JsonLines => {
            for (line, row) in json_lines(text) {
                match object(row) {
                    Ok(map) => {
                        let (customer, problems) =
                            customer_from_json(&map, types.as_ref(), line, &mut out.report);
                        out.accept(customer, problems, line);
                    }
                    Err(problem) => out.report.error(line, problem),
                }
            }
        }
    }
    out.report.errors
}

/// Reads events from JSON Lines, one object a line:
/// `{"at": "2026-03-01T09:00:00Z", "customer": "c1", "event": "click",
/// "properties": {"link": "offer"}}`.
///
/// The events come back sorted by time. The sort is stable: events at the
/// same second keep their order in the file. The errors are in file order.
pub fn read_events(file: &str, text: &str, schema: Option<&Schema>) -> (Vec<Event>, Vec<RowError>) {
    let types = schema.map(Types::new);
    let mut report = Report::new(file);
    let mut events = Vec::new();
    for (line, row) in json_lines(without_bom(text)) {
        let map = match object(row) {
            Ok(map) => map,
            Err(problem) => {
                report.error(line, problem);
                continue;
            }
        };
        let (event, problems) = event_from_json(&map, types.as_ref(), line, &mut report);
        if problems.is_empty() {
            events.push(event);
        } else {
            for problem in problems {
                report.error(line, problem);
            }
        }
    }
    events.sort_by_key(|event| event.at);
    (events, report.errors)
}

/// An RFC 3339 time (`2026-03-01T09:00:00Z`, `2026-03-01T10:00:00+01:00`;
/// fractions of a second are dropped), or a plain date `2026-03-01`, which
/// is midnight UTC. A time without an offset is `None`.
pub fn parse_time(text: &str) -> Option<Seconds> {
    let text = text.trim();
    // jiff also reads forms like `20260301`; insisting on `YYYY-MM-DD`
    // keeps a number in a file from being taken for a date.
    if !starts_with_date(text) {
        return None;
    }
    if text.len() == 10 {
        let date: Date = text.parse().ok()?;
        return date
            .to_zoned(TimeZone::UTC)
            .ok()
            .map(|zoned| zoned.timestamp().as_second());
    }
    text.parse::<Timestamp>().ok().map(Timestamp::as_second)
}

/// RFC 3339 in UTC to the second: `2026-03-01T09:00:00Z`. A moment beyond
/// the years -9999..=9999 has no such form and is shown as a number of
/// seconds.
pub fn show_time(at: Seconds) -> String {
    match Timestamp::from_second(at) {
        Ok(moment) => moment.to_string(),
        Err(_) => format!("{at} seconds after 1970-01-01T00:00:00Z"),
    }
}

// ---------------------------------------------------------------------------
// Collecting results

struct Report<'f> {
    file: &'f str,
    errors: Vec<RowError>,
    /// What `once` has already reported, so a column missing from the
    /// schema is told once, not on every row.
    told: BTreeSet<String>,
}

impl<'f> Report<'f> {
    fn new(file: &'f str) -> Self {
        Report {
            file,
            errors: Vec::new(),
            told: BTreeSet::new(),
        }
    }

    fn error(&mut self, line: usize, problem: String) {
        self.errors.push(RowError {
            file: self.file.to_string(),
            line,
            problem,
        });
    }

    fn once(&mut self, key: String, line: usize, problem: impl FnOnce() -> String) {
        if self.told.insert(key) {
            self.error(line, problem());
        }
    }
}

struct Customers<'f, 't> {
    report: Report<'f>,
    take: &'t mut dyn FnMut(Customer),
    /// The line each id was first seen on, rows with problems included, so
    /// that a repeated id is reported however the first row fared. (Only
    /// looked up, never walked: the order of a hash map does not matter.)
    first_line: HashMap<String, usize>,
}

impl Customers<'_, '_> {
    fn accept(&mut self, customer: Customer, mut problems: Vec<String>, line: usize) {
        if customer.id.is_empty() {
            // `customer_from_*` said why.
        } else if let Some(first) = self.first_line.get(&customer.id) {
            problems.insert(
                0,
                format!(
                    "customer `{}` is already on line {first}",
                    shown(&customer.id)
                ),
            );
        } else {
            self.first_line.insert(customer.id.clone(), line);
        }
        if problems.is_empty() {
            (self.take)(customer);
        } else {
            for problem in problems {
                self.report.error(line, problem);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The schema, looked up by name

/// Built-in events that carry the segment in the property `segment`.
const SEGMENT_EVENTS: [&str; 2] = ["segment_entered", "segment_left"];

/// The schema by name. The first declaration of a name wins; the schema's
/// own check reports the repeat.
struct Types<'s> {
    attributes: BTreeMap<&'s str, &'s ValueType>,
    events: BTreeMap<&'s str, BTreeMap<&'s str, &'s ValueType>>,
    segments: BTreeSet<&'s str>,
}

impl<'s> Types<'s> {
    fn new(schema: &'s Schema) -> Self {
        let mut attributes = BTreeMap::new();
        for decl in &schema.attributes {
            attributes
                .entry(decl.name.as_str())
                .or_insert(&decl.value_type.value);
        }
        let mut events = BTreeMap::new();
        for decl in &schema.events {
            events.entry(decl.name.as_str()).or_insert_with(|| {
                let mut properties = BTreeMap::new();
                for property in &decl.properties {
                    properties
                        .entry(property.name.as_str())
                        .or_insert(&property.value_type.value);
                }
                properties
            });
        }
        Types {
            attributes,
            events,
            segments: schema.segments.iter().map(|name| name.as_str()).collect(),
        }
    }

    fn knows_event(&self, event: &str) -> bool {
        self.events.contains_key(event) || SEGMENT_EVENTS.contains(&event)
    }
}

// ---------------------------------------------------------------------------
// Customers from CSV

/// What a CSV column holds.
enum Column<'s> {
    Id,
    TimeZone,
    Consents,
    Tags,
    Segments,
    Score,
    Phase,
    LastEventAt(String),
    /// An attribute, and its declared type when there is a schema.
    Attribute(String, Option<&'s ValueType>),
    /// An attribute whose values are checked but not kept.
    Checked(String, Option<&'s ValueType>),
    /// Reported once, at the first line.
    Ignored,
}

/// A row of a customers CSV, read but not yet made a customer: the
/// simulator's threads make customers of rows, so that the reading thread
/// only splits the text.
pub struct Row<'s> {
    pub line: usize,
    columns: Arc<Vec<Column<'s>>>,
    record: StringRecord,
    /// The line of an earlier row with the same id.
    repeat_of: Option<usize>,
}

impl Row<'_> {
    /// The customer, or every problem of the row.
    pub fn customer(&self) -> Result<Customer, Vec<String>> {
        let (customer, mut problems) = customer_from_row(&self.columns, &self.record);
        if let Some(first) = self.repeat_of {
            problems.insert(
                0,
                format!(
                    "customer `{}` is already on line {first}",
                    shown(&customer.id)
                ),
            );
        }
        if problems.is_empty() {
            Ok(customer)
        } else {
            Err(problems)
        }
    }
}

/// Reads a customers CSV into rows, in file order. The errors are those
/// found while reading (the header, a row with the wrong number of fields);
/// [`Row::customer`] finds the rest.
pub fn read_csv_rows<'s>(
    file: &str,
    text: &str,
    schema: Option<&'s Schema>,
    keep: Option<&BTreeSet<String>>,
    take: &mut dyn FnMut(Row<'s>),
) -> Vec<RowError> {
    let types = schema.map(Types::new);
    let mut report = Report::new(file);
    read_csv(without_bom(text), types.as_ref(), keep, &mut report, take);
    report.errors
}

fn read_csv<'s>(
    text: &str,
    types: Option<&Types<'s>>,
    keep: Option<&BTreeSet<String>>,
    report: &mut Report<'_>,
    take: &mut dyn FnMut(Row<'s>),
) {
    let mut first_line: HashMap<String, usize, foldhash::fast::RandomState> = HashMap::default();
    // A reader starts at byte `start` of `text`. It starts again after a
    // row that holds a line break and has the wrong number of fields: a
    // quote without its closing quote, which would otherwise swallow the
    // rest of the file into one field.
    let mut start = 0;
    let mut lines = Lines::default();
    let mut columns: Option<Arc<Vec<Column<'s>>>> = None;
    let mut id_column = None;
    'read: loop {
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            // Cells are trimmed where they are read: the reader's own
            // trimming copies every record, a tenth of the reading time.
            .trim(Trim::None)
            .from_reader(text.as_bytes().get(start..).unwrap_or_default());
        let mut record = StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break 'read,
                // Only reading or decoding fails, and `text` is in memory
                // and UTF-8, but stop rather than loop on an error.
                Err(error) => {
                    let byte = error.position().map_or(0, |p| p.byte() as usize);
                    let line = lines.at(text, start + byte);
                    report.error(line, format!("the file cannot be read on: {error}"));
                    break 'read;
                }
            }
            let byte = record.position().map_or(0, |p| p.byte() as usize);
            let row_start = row_start(text, start + byte);
            let line = lines.at(text, row_start);
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let Some(columns) = &columns else {
                match header(&record, types, line, report) {
                    Some(mut found) => {
                        if let Some(keep) = keep {
                            for column in &mut found {
                                if let Column::Attribute(name, value_type) = column
                                    && !keep.contains(name.as_str())
                                {
                                    *column = Column::Checked(std::mem::take(name), *value_type);
                                }
                            }
                        }
                        id_column = found.iter().position(|c| matches!(c, Column::Id));
                        columns = Some(Arc::new(found))
                    }
                    None => return,
                }
                continue;
            };
            if record.len() != columns.len() {
                report.error(
                    line,
                    format!(
                        "this row has {} fields, but the first line names {} columns",
                        record.len(),
                        columns.len()
                    ),
                );
                if record.iter().any(|field| field.contains('\n')) {
                    match text.get(row_start..).and_then(|rest| rest.find('\n')) {
                        Some(end) => {
                            start = row_start + end + 1;
                            continue 'read;
                        }
                        None => break 'read,
                    }
                }
                continue;
            }
            // The first row with an id claims it, whatever its problems, so
            // that a repeat is reported however the first row fared.
            let id = id_column.and_then(|i| record.get(i)).map_or("", str::trim);
            let repeat_of = if id.is_empty() {
                None
            } else if let Some(first) = first_line.get(id) {
                Some(*first)
            } else {
                first_line.insert(id.to_string(), line);
                None
            };
            take(Row {
                line,
                columns: Arc::clone(columns),
                record: record.clone(),
                repeat_of,
            });
        }
    }
    if columns.is_none() {
        report.error(
            1,
            "the file is empty: its first line must name the columns, one of them `id`".into(),
        );
    }
}

/// Where a row really starts. The csv crate gives the byte where it began
/// to look, which is before the blank lines it skips (and, after `\r\n`,
/// at the `\n`); its line numbers are off by as much, so lines are
/// counted here.
fn row_start(text: &str, from: usize) -> usize {
    let skipped = text
        .as_bytes()
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|byte| matches!(byte, b'\r' | b'\n'))
        .count();
    from + skipped
}

/// Line numbers for byte offsets that only grow, counted as it goes so a
/// long file is read once.
struct Lines {
    offset: usize,
    line: usize,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { offset: 0, line: 1 }
    }
}

impl Lines {
    fn at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset > self.offset {
            let passed = text
                .as_bytes()
                .get(self.offset..offset)
                .unwrap_or_default()
                .iter()
                .filter(|byte| **byte == b'\n')
                .count();
            self.line += passed;
            self.offset = offset;
        }
        self.line
    }
}

/// The columns the first line names, or `None` (reported) when the file
/// cannot be read without them.
fn header<'s>(
    record: &StringRecord,
    types: Option<&Types<'s>>,
    line: usize,
    report: &mut Report<'_>,
) -> Option<Vec<Column<'s>>> {
    if record.iter().any(|name| name.contains('\n')) {
        report.error(
            line,
            "the first line has a `\"` without its closing quote, so the columns cannot be read"
                .into(),
        );
        return None;
    }
    if !record.iter().any(|name| name.trim() == "id") {
        report.error(
            line,
            "there is no `id` column: the first line must name the columns, one of them `id`"
                .into(),
        );
        return None;
    }
    let mut seen = BTreeSet::new();
    let mut columns = Vec::new();
    for (index, name) in record.iter().map(str::trim).enumerate() {
        let column = if name.is_empty() {
            report.error(
                line,
                format!("column {} has no name; its values are ignored", index + 1),
            );
            Column::Ignored
        } else if !seen.insert(name) {
            report.once(format!("twice:{name}"), line, || {
                format!(
                    "column `{}` appears twice; only the first is read",
                    shown(name)
                )
            });
            Column::Ignored
        } else {
            column(name, types, line, report)
        };
        columns.push(column);
    }
    Some(columns)
}

fn column<'s>(
    name: &str,
    types: Option<&Types<'s>>,
    line: usize,
    report: &mut Report<'_>,
) -> Column<'s> {
    match name {
        "id" => return Column::Id,
        "time_zone" => return Column::TimeZone,
        "consents" => return Column::Consents,
        "tags" => return Column::Tags,
        "segments" => return Column::Segments,
        "score" => return Column::Score,
        "phase" => return Column::Phase,
        _ => {}
    }
    if let Some(event) = name.strip_prefix("last_event_at.") {
        return match last_event_problem(event, types) {
            None => Column::LastEventAt(event.to_string()),
            Some(problem) => {
                report.error(
                    line,
                    format!("column `{}` {problem}; its values are ignored", shown(name)),
                );
                Column::Ignored
            }
        };
    }
    let Some(types) = types else {
        return Column::Attribute(name.to_string(), None);
    };
    match types.attributes.get(name) {
        Some(value_type) => Column::Attribute(name.to_string(), Some(value_type)),
        None => {
            report.error(
                line,
                format!(
                    "column `{}` is not an attribute in the schema; its values are ignored{}",
                    shown(name),
                    did_you_mean(name, types.attributes.keys().copied())
                ),
            );
            Column::Ignored
        }
    }
}

/// What is wrong with `last_event_at.EVENT`, if anything.
fn last_event_problem(event: &str, types: Option<&Types<'_>>) -> Option<String> {
    if event.is_empty() {
        return Some("names no event (write `last_event_at.purchase`)".into());
    }
    let types = types?;
    if types.knows_event(event) {
        return None;
    }
    Some(format!(
        "names `{}`, which is not an event in the schema{}",
        shown(event),
        did_you_mean(event, types.events.keys().copied())
    ))
}

fn customer_from_row(columns: &[Column<'_>], record: &StringRecord) -> (Customer, Vec<String>) {
    let mut customer = Customer::default();
    let mut problems = Vec::new();
    for (column, cell) in columns.iter().zip(record.iter().map(trimmed)) {
        let result = match column {
            Column::Id if cell.is_empty() => Err(NO_ID.to_string()),
            Column::Id => {
                customer.id = cell.to_string();
                Ok(())
            }
            Column::TimeZone => time_zone(cell).map(|zone| customer.time_zone = zone),
            Column::Consents => {
                customer.consents = list(cell).into_iter().collect();
                Ok(())
            }
            Column::Tags => {
                customer.tags = list(cell).into_iter().collect();
                Ok(())
            }
            Column::Segments => {
                customer.segments = list(cell).into_iter().collect();
                Ok(())
            }
            Column::Score => score(cell).map(|score| customer.score = score),
            Column::Phase => phase(cell).map(|phase| customer.phase = phase),
            Column::LastEventAt(event) => time(LastEventAt(event), cell).map(|at| {
                if let Some(at) = at {
                    customer.last_event_at.insert(event.clone(), at);
                }
            }),
            Column::Attribute(name, value_type) => read_text(cell, *value_type)
                .map(|datum| {
                    if let Some(datum) = datum {
                        customer.attributes.insert(name.clone(), datum);
                    }
                })
                .map_err(|problem| format!("`{}` {problem}", shown(name))),
            Column::Checked(name, value_type) => check_text(cell, *value_type)
                .map_err(|problem| format!("`{}` {problem}", shown(name))),
            Column::Ignored => Ok(()),
        };
        if let Err(problem) = result {
            problems.push(problem);
        }
    }
    (customer, problems)
}

// ---------------------------------------------------------------------------
// Customers and events from JSON Lines

/// The lines that are not blank, numbered from 1.
fn json_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty())
}

fn object(line: &str) -> Result<Map<String, Json>, String> {
    match serde_json::from_str::<Json>(line) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "each line must be one JSON object, like `{{\"id\": \"c1\"}}`; this line is {}",
            described(&other)
        )),
        Err(error) => {
            // serde_json says "at line 1 column 7"; the line is ours to give.
            let message = error.to_string();
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |at| &message[..at]);
            Err(format!(
                "this line is not valid JSON: {message} (column {})",
                error.column()
            ))
        }
    }
}

const NO_ID: &str = "the customer has no `id`";

const CUSTOMER_FIELDS: [&str; 9] = [
    "id",
    "time_zone",
    "consents",
    "tags",
    "segments",
    "score",
    "phase",
    "attributes",
    "last_event_at",
];

fn customer_from_json(
    map: &Map<String, Json>,
    types: Option<&Types<'_>>,
    line: usize,
    report: &mut Report<'_>,
) -> (Customer, Vec<String>) {
    let mut customer = Customer::default();
    let mut problems = Vec::new();
    let mut check = |result: Result<(), String>| {
        if let Err(problem) = result {
            problems.push(problem);
        }
    };
    // Fields in a fixed order, so problems come in the same order whatever
    // the order of the keys.
    let field = |name: &str| map.get(name).unwrap_or(&Json::Null);
    check(
        identifier("id", field("id"))
            .and_then(|id| {
                if id.is_empty() {
                    Err(NO_ID.to_string())
                } else {
                    Ok(id)
                }
            })
            .map(|id| customer.id = id),
    );
    check(
        text_field("time_zone", field("time_zone"))
            .and_then(|zone| zone.map_or(Ok(None), time_zone))
            .map(|zone| customer.time_zone = zone),
    );
    check(set_field("consents", field("consents")).map(|set| customer.consents = set));
    check(set_field("tags", field("tags")).map(|set| customer.tags = set));
    check(set_field("segments", field("segments")).map(|set| customer.segments = set));
    check(score_field(field("score")).map(|score| customer.score = score));
    check(
        text_field("phase", field("phase"))
            .and_then(|text| text.map_or(Ok(None), phase))
            .map(|phase| customer.phase = phase),
    );
    match field("attributes") {
        Json::Null => {}
        Json::Object(attributes) => {
            for (name, value) in flattened(attributes, &mut problems) {
                let value_type = match types {
                    None => None,
                    Some(types) => match types.attributes.get(name.as_str()) {
                        Some(value_type) => Some(*value_type),
                        None => {
                            report.once(format!("attribute:{name}"), line, || {
                                format!(
                                    "`{}` is not an attribute in the schema; its values are ignored{}",
                                    shown(&name),
                                    did_you_mean(&name, types.attributes.keys().copied())
                                )
                            });
                            continue;
                        }
                    },
                };
                match read_json(value, value_type) {
                    Ok(Some(datum)) => {
                        customer.attributes.insert(name, datum);
                    }
                    Ok(None) => {}
                    Err(problem) => problems.push(format!("`{}` {problem}", shown(&name))),
                }
            }
        }
        other => problems.push(format!(
            "`attributes` must be an object, like `{{\"tier\": \"gold\"}}`; found {}",
            described(other)
        )),
    }
    match field("last_event_at") {
        Json::Null => {}
        Json::Object(times) => {
            for (event, value) in times {
                let name = format!("last_event_at.{event}");
                if let Some(problem) = last_event_problem(event, types) {
                    report.once(format!("last:{event}"), line, || {
                        format!("`{}` {problem}; its values are ignored", shown(&name))
                    });
                    continue;
                }
                let at = text_field(&name, value).and_then(|text| match text {
                    Some(text) => time(&name, text),
                    None => Ok(None),
                });
                match at {
                    Ok(Some(at)) => {
                        customer.last_event_at.insert(event.clone(), at);
                    }
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            }
        }
        other => problems.push(format!(
            "`last_event_at` must be an object, like `{{\"purchase\": \"2026-01-10T00:00:00Z\"}}`; found {}",
            described(other)
        )),
    }
    for key in map.keys() {
        if !CUSTOMER_FIELDS.contains(&key.as_str()) {
            report.once(format!("field:{key}"), line, || {
                format!(
                    "`{}` is not a customer field, so it is ignored; attributes go under `attributes`",
                    shown(key)
                )
            });
        }
    }
    (customer, problems)
}

const EVENT_FIELDS: [&str; 4] = ["at", "customer", "event", "properties"];

fn event_from_json(
    map: &Map<String, Json>,
    types: Option<&Types<'_>>,
    line: usize,
    report: &mut Report<'_>,
) -> (Event, Vec<String>) {
    let mut problems = Vec::new();
    let field = |name: &str| map.get(name).unwrap_or(&Json::Null);
    let at = match field("at") {
        Json::Null => {
            problems.push("the event has no `at`, the time it happened".to_string());
            0
        }
        value => match text_field("at", value).and_then(|text| time("at", text.unwrap_or(""))) {
            Ok(Some(at)) => at,
            Ok(None) => {
                problems.push("the event has no `at`, the time it happened".to_string());
                0
            }
            Err(problem) => {
                problems.push(problem);
                0
            }
        },
    };
    let customer = match identifier("customer", field("customer")) {
        Ok(id) if id.is_empty() => {
            problems.push("the event has no `customer`, the id of who did it".to_string());
            id
        }
        Ok(id) => id,
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    };
    let name = match text_field("event", field("event")) {
        Ok(Some(name)) if !name.trim().is_empty() => name.trim().to_string(),
        Ok(_) => {
            problems.push("the event has no `event`, its name like `purchase`".to_string());
            String::new()
        }
        Err(problem) => {
            problems.push(problem);
            String::new()
        }
    };
    let properties = properties(&name, field("properties"), types, &mut problems);
    for key in map.keys() {
        if !EVENT_FIELDS.contains(&key.as_str()) {
            report.once(format!("field:{key}"), line, || {
                format!(
                    "`{}` is not an event field, so it is ignored; properties go under `properties`",
                    shown(key)
                )
            });
        }
    }
    let event = Event {
        at,
        customer,
        name,
        properties,
    };
    (event, problems)
}

/// The event's properties, typed by the schema when there is one. Problems
/// go to `problems`; an event the schema does not know gets no properties
/// read, since the row is skipped anyway.
fn properties(
    event: &str,
    value: &Json,
    types: Option<&Types<'_>>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, Datum> {
    let mut properties = BTreeMap::new();
    let declared = match types {
        Some(types) if !event.is_empty() => {
            if SEGMENT_EVENTS.contains(&event) {
                Some(BTreeMap::from([("segment", &ValueType::Text)]))
            } else if let Some(declared) = types.events.get(event) {
                Some(declared.clone())
            } else {
                problems.push(format!(
                    "`{}` is not an event in the schema{}",
                    shown(event),
                    did_you_mean(event, types.events.keys().copied())
                ));
                return properties;
            }
        }
        _ => None,
    };
    let given = match value {
        Json::Null => Vec::new(),
        Json::Object(map) => flattened(map, problems),
        other => {
            problems.push(format!(
                "`properties` must be an object, like `{{\"link\": \"offer\"}}`; found {}",
                described(other)
            ));
            Vec::new()
        }
    };
    for (name, value) in given {
        let value_type = match &declared {
            None => None,
            Some(declared) => match declared.get(name.as_str()) {
                Some(value_type) => Some(*value_type),
                None => {
                    problems.push(format!(
                        "`{}` has no property `{}` in the schema{}",
                        shown(event),
                        shown(&name),
                        did_you_mean(&name, declared.keys().copied())
                    ));
                    continue;
                }
            },
        };
        match read_json(value, value_type) {
            Ok(Some(datum)) => {
                properties.insert(name, datum);
            }
            Ok(None) => {}
            Err(problem) => problems.push(format!("`{}` {problem}", shown(&name))),
        }
    }
    if SEGMENT_EVENTS.contains(&event) {
        match properties.get("segment") {
            Some(Datum::Text(segment)) => {
                let unknown = types.filter(|types| !types.segments.contains(segment.as_str()));
                if let Some(types) = unknown {
                    problems.push(format!(
                        "`{}` is not a segment in the schema{}",
                        shown(segment),
                        did_you_mean(segment, types.segments.iter().copied())
                    ));
                }
            }
            Some(_) => problems.push("`segment` must be text, the segment's name".to_string()),
            None => problems.push(format!(
                "`{event}` needs the property `segment`, naming the segment"
            )),
        }
    }
    properties
}

/// The values of a JSON object by dotted name, nested objects opened up.
/// serde_json's recursion limit bounds the depth.
fn flattened<'j>(
    map: &'j Map<String, Json>,
    problems: &mut Vec<String>,
) -> Vec<(String, &'j Json)> {
    fn walk<'j>(
        prefix: &str,
        map: &'j Map<String, Json>,
        out: &mut BTreeMap<String, &'j Json>,
        problems: &mut Vec<String>,
    ) {
        for (key, value) in map {
            let name = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                Json::Object(inner) => walk(&name, inner, out, problems),
                _ if name.is_empty() => problems.push("a value has no name".to_string()),
                _ if out.contains_key(&name) => {
                    problems.push(format!("`{}` is given twice", shown(&name)));
                }
                _ => {
                    out.insert(name, value);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk("", map, &mut out, problems);
    out.into_iter().collect()
}

// ---------------------------------------------------------------------------
// Customer fields, from a CSV cell or a JSON string

/// `text` without leading and trailing white space, as `str::trim`, but
/// without looking at a character when the ends are plain: most cells have
/// no space around them, and trimming every cell of a million rows showed.
fn trimmed(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// The name of a `last_event_at.EVENT` column, written only when a cell
/// in it is wrong.
struct LastEventAt<'a>(&'a str);

impl std::fmt::Display for LastEventAt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "last_event_at.{}", self.0)
    }
}

fn time_zone(text: &str) -> Result<Option<String>, String> {
    let text = trimmed(text);
    if text.is_empty() {
        return Ok(None);
    }
    // Looking a name up in the bundled database took a tenth of the time
    // spent making a customer: each thread remembers the names it has met
    // (a file names a few hundred zones at most).
    thread_local! {
        static KNOWN: std::cell::RefCell<HashMap<String, String>> = Default::default();
    }
    if let Some(name) = KNOWN.with_borrow(|known| known.get(text).cloned()) {
        return Ok(Some(name));
    }
    // The bundled database ignores case; keep its spelling of the name.
    let zone = tz::db().get(text).ok();
    let name = zone.as_ref().and_then(TimeZone::iana_name);
    if let Some(name) = name.filter(|name| *name != "Etc/Unknown") {
        KNOWN.with_borrow_mut(|known| known.insert(text.to_string(), name.to_string()));
        return Ok(Some(name.to_string()));
    }
    let names: Vec<String> = tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        .collect();
    Err(format!(
        "`time_zone` must be an IANA time zone like `Europe/Berlin`; found `{}`{}",
        shown(text),
        did_you_mean(text, names.iter().map(String::as_str))
    ))
}

fn score(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| {
        format!(
            "`score` must be a whole number, like `10` or `-5`; found `{}`",
            shown(text)
        )
    })
}

fn phase(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if Phase::from_word(text).is_some() {
        return Ok(Some(text.to_string()));
    }
    let words: Vec<&str> = Phase::ALL.iter().map(|phase| phase.as_str()).collect();
    Err(format!(
        "`phase` must be one of {}; found `{}`{}",
        choices(&words),
        shown(text),
        did_you_mean(text, words.iter().copied())
    ))
}

/// A moment in the field `name`, or `None` for an empty text.
fn time(name: impl std::fmt::Display, text: &str) -> Result<Option<Seconds>, String> {
    let text = trimmed(text);
    if text.is_empty() {
        return Ok(None);
    }
    parse_time(text).map(Some).ok_or_else(|| {
        format!(
            "`{name}` must be {}; found `{}`{}",
            expected(&ValueType::Date),
            shown(text),
            hint(&ValueType::Date, text)
        )
    })
}

/// `;`-separated, trimmed, empty items dropped.
fn list(text: &str) -> Vec<String> {
    text.split(';')
        .map(trimmed)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// A JSON array of strings, trimmed and without empty items; `None` when
/// something in it is not a string.
fn texts(items: &[Json]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in items {
        let text = item.as_str()?.trim();
        if !text.is_empty() {
            out.push(text.to_string());
        }
    }
    Some(out)
}

fn identifier(name: &str, value: &Json) -> Result<String, String> {
    match value {
        Json::Null => Ok(String::new()),
        Json::String(text) => Ok(text.trim().to_string()),
        // Many systems number their customers; `12` and `"12"` are one id.
        Json::Number(number) if number.is_i64() || number.is_u64() => Ok(number.to_string()),
        other => Err(format!(
            "`{name}` must be text, like `\"c1\"`; found {}",
            described(other)
        )),
    }
}

fn text_field<'j>(name: &str, value: &'j Json) -> Result<Option<&'j str>, String> {
    match value {
        Json::Null => Ok(None),
        Json::String(text) => Ok(Some(text)),
        other => Err(format!("`{name}` must be text; found {}", described(other))),
    }
}

fn set_field(name: &str, value: &Json) -> Result<BTreeSet<String>, String> {
    let items = match value {
        Json::Null => Some(Vec::new()),
        Json::String(text) => Some(list(text)),
        Json::Array(items) => texts(items),
        _ => None,
    };
    items
        .map(|items| items.into_iter().collect())
        .ok_or_else(|| {
            format!(
                "`{name}` must be a list of texts, like `[\"email\", \"sms\"]`; found {}",
                described(value)
            )
        })
}

fn score_field(value: &Json) -> Result<i64, String> {
    match value {
        Json::Null => Ok(0),
        Json::String(text) => score(text),
        Json::Number(number) if number.is_i64() => Ok(number.as_i64().unwrap_or_default()),
        other => Err(format!(
            "`score` must be a whole number, like `10` or `-5`; found {}",
            described(other)
        )),
    }
}

// ---------------------------------------------------------------------------
// Attribute and property values

/// A value written as text: a CSV cell, or a JSON string when the schema
/// gives a type. `Ok(None)` when it is empty.
fn read_text(text: &str, value_type: Option<&ValueType>) -> Result<Option<Datum>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let Some(value_type) = value_type else {
        return Ok(Some(guess(text)));
    };
    let datum = match value_type {
        ValueType::Text => Some(Datum::Text(text.to_string())),
        ValueType::Number => number(text).map(Datum::Number),
        ValueType::Bool => boolean(text, true).map(Datum::Bool),
        ValueType::Date => parse_time(text).map(Datum::Time),
        ValueType::Duration => minutes(text).map(|minutes| Datum::Number(minutes as f64)),
        ValueType::ListOfText => Some(Datum::List(list(text))),
        ValueType::Enum(words) => words
            .iter()
            .any(|word| word.value == text)
            .then(|| Datum::Text(text.to_string())),
    };
    datum.map(Some).ok_or_else(|| {
        format!(
            "must be {}; found `{}`{}",
            expected(value_type),
            shown(text),
            hint(value_type, text)
        )
    })
}

/// [`read_text`] without keeping the value: texts, the most common kind,
/// are not copied.
fn check_text(text: &str, value_type: Option<&ValueType>) -> Result<(), String> {
    match value_type {
        None | Some(ValueType::Text | ValueType::ListOfText) => Ok(()),
        Some(_) => read_text(text, value_type).map(|_| ()),
    }
}

/// A value from JSON. A string is read as text (above) when the schema
/// gives a type; otherwise the JSON type must fit the declared one.
fn read_json(value: &Json, value_type: Option<&ValueType>) -> Result<Option<Datum>, String> {
    match (value, value_type) {
        (Json::Null, _) => Ok(None),
        (Json::String(text), Some(value_type)) => read_text(text, Some(value_type)),
        (Json::String(text), None) => {
            let text = text.trim();
            Ok((!text.is_empty()).then(|| {
                parse_time(text).map_or_else(|| Datum::Text(text.to_string()), Datum::Time)
            }))
        }
        (Json::Bool(value), None | Some(ValueType::Bool)) => Ok(Some(Datum::Bool(*value))),
        (Json::Number(number), None | Some(ValueType::Number)) => match number.as_f64() {
            Some(number) if number.is_finite() => Ok(Some(Datum::Number(number))),
            _ => Err(format!("must be a number; found {}", described(value))),
        },
        (Json::Array(items), None | Some(ValueType::ListOfText)) => match texts(items) {
            Some(items) => Ok(Some(Datum::List(items))),
            None => Err(format!(
                "must be a list of texts, like `[\"a\", \"b\"]`; found {}",
                described(value)
            )),
        },
        (_, Some(value_type)) => Err(format!(
            "must be {}; found {}",
            expected(value_type),
            described(value)
        )),
        (_, None) => Err(format!(
            "must be text, a number, true or false, or a list of texts; found {}",
            described(value)
        )),
    }
}

/// What a value is taken for without a schema.
fn guess(text: &str) -> Datum {
    if let Some(value) = boolean(text, false) {
        Datum::Bool(value)
    } else if let Some(number) = number(text) {
        Datum::Number(number)
    } else if let Some(at) = parse_time(text) {
        Datum::Time(at)
    } else {
        Datum::Text(text.to_string())
    }
}

/// `true`/`false` in any case, and `yes`/`no` too when a bool is expected.
fn boolean(text: &str, yes_no: bool) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        "yes" if yes_no => Some(true),
        "no" if yes_no => Some(false),
        _ => None,
    }
}

/// A finite decimal number. Rust's parser also reads `inf`, `NaN` and
/// `infinity`; those are words here, not numbers.
fn number(text: &str) -> Option<f64> {
    let first = text.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '-' | '+' | '.')) {
        return None;
    }
    if text
        .chars()
        .any(|c| c.is_alphabetic() && !matches!(c, 'e' | 'E'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|number| number.is_finite())
}

/// A duration as a program writes it (`30m`, `12h`, `3d`, `2w`), in minutes.
fn minutes(text: &str) -> Option<u64> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(unit_at);
    let factor = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 24 * 60,
        "w" => 7 * 24 * 60,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

/// `YYYY-MM-DD`, alone or followed by a time.
fn starts_with_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    bytes.len() >= 10
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && (bytes.len() == 10 || matches!(bytes[10], b'T' | b't' | b' '))
}

// ---------------------------------------------------------------------------
// Words for messages

/// What a value of the type looks like, after "must be".
fn expected(value_type: &ValueType) -> String {
    match value_type {
        ValueType::Text => "text".into(),
        ValueType::Number => "a number, like `1200` or `0.5`".into(),
        ValueType::Bool => "`true` or `false` (or `yes` or `no`)".into(),
        ValueType::Date => "a date like `2026-03-01` or a time like `2026-03-01T09:00:00Z`".into(),
        ValueType::Duration => "a duration like `30m`, `12h`, `3d` or `2w`".into(),
        ValueType::ListOfText => "a list of texts, separated by `;`".into(),
        ValueType::Enum(words) => {
            let words: Vec<&str> = words.iter().map(|word| word.as_str()).collect();
            format!("one of {}", choices(&words))
        }
    }
}

/// More help for a value that does not fit, when there is some to give.
fn hint(value_type: &ValueType, text: &str) -> String {
    match value_type {
        ValueType::Date if text.parse::<DateTime>().is_ok() => {
            "; add `Z` for UTC or an offset like `+01:00`".into()
        }
        ValueType::Duration if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            format!("; add a unit, like `{text}d` for {text} days")
        }
        ValueType::Enum(words) => did_you_mean(text, words.iter().map(|word| word.as_str())),
        _ => String::new(),
    }
}

fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest::closest(word, candidates)
        .map(|better| format!("; did you mean `{better}`?"))
        .unwrap_or_default()
}

/// `` `a`, `b` or `c` ``
fn choices(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|word| format!("`{word}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => "nothing".into(),
    }
}

/// A JSON value, for "found …".
fn described(value: &Json) -> String {
    match value {
        Json::Null => "nothing (`null`)".into(),
        Json::Bool(value) => format!("`{value}`"),
        Json::Number(number) => format!("the number `{number}`"),
        Json::String(text) => format!("the text `{}`", shown(text)),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// Text from a file, fit to quote in a message: control characters
/// escaped, and cut after 40 characters so a line of garbage stays short.
fn shown(text: &str) -> String {
    const LONGEST: usize = 40;
    let mut out = String::new();
    for c in text.chars().take(LONGEST) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(LONGEST).is_some() {
        out.push('…');
    }
    out
}

fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}
