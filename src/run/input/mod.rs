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
//! `at`, `customer` and `event` are required; `id` and `properties` are
//! optional. An event whose `id` the same customer had on an earlier line
//! is a duplicate and is dropped (`nurture serve` requires the id).
//! `segment_entered` and `segment_left` need no declaration but must carry
//! the property `segment`, a segment the schema declares; so do the
//! record changes hand-off triggers start on: `phase_changed` (property
//! `phase`, one of the four phases), `tag_added` and `tag_removed`
//! (property `tag`, a tag the schema declares).
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
//! nine o'clock would it be? Every moment RFC 3339 writes is read, from
//! `0000-01-01` to `9999-12-31T23:59:59Z`, with a fraction of any length
//! (dropped) and an offset of at most `±23:59` (`time.rs`).
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
//! A column or key the schema does not declare is told once per file, as a
//! note, and ignored; the rows are still read and it is no finding. An
//! event or event property it does not declare is an error in the row, and
//! so is a name in `consents`, `tags` or `segments` that is not declared but
//! differs from a declared channel, tag or segment only in case (`Email`
//! for `email`: "did you mean"), or for channels and segments by a letter
//! or so. Other undeclared names are kept: no program can name such a
//! channel or segment, and programs add tags of their own.
//!
//! [`missing_attributes`] tells, before a run, of an attribute a program
//! reads that no customer in the file has: without it every condition on it
//! fails, and nobody enters.
//!
//! These functions take `&str`: a file that is not UTF-8 is the caller's to
//! report, as one [`RowError`] at line 1.

use super::{Customer, Event, Seconds};
use crate::syntax::ast::Schema;
use from_json::{customer_from_json, event_from_json, json_lines, object};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
pub use words::shown;
use words::without_bom;

mod blocks;
mod fast;
mod fields;
mod from_csv;
mod from_json;
mod missing;
mod parquet;
mod schema_types;
mod seen;
mod single;
mod split;
mod time;
mod to_compact;
mod to_json;
mod values;
mod words;

pub use blocks::{BLOCK, Block, Blocks, CsvHeader, CutOut, Unreadable};
pub use from_csv::{Row, read_csv_rows};
pub use missing::{missing_attributes, missing_attributes_in};
pub use parquet::{
    ParquetBlocks, ParquetCsv, ParquetRows, bad_parquet, csv_text, is_parquet, parquet_error,
};
pub use schema_types::Types;
pub use seen::{Seen, id_hash, shard_of};
pub use single::{LineReader, Lines};
pub use split::{RowAt, Split};
pub use to_compact::Targets;
pub use to_json::{action_line, customer_json};

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
/// is wrong in plain words. A *note* tells of something ignored that skips
/// nothing (a column the schema does not declare): it is shown, but it is
/// no finding and does not change the exit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub file: String,
    pub line: usize,
    pub problem: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub note: bool,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let note = if self.note { "note: " } else { "" };
        write!(f, "{}:{}: {note}{}", self.file, self.line, self.problem)
    }
}

/// The problems that are findings, notes left out.
pub fn findings(rows: &[RowError]) -> usize {
    rows.iter().filter(|row| !row.note).count()
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
                note: false,
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
/// `{"id": "e1", "at": "2026-03-01T09:00:00Z", "customer": "c1", "event":
/// "click", "properties": {"link": "offer"}}`.
///
/// The events come back sorted by time. The sort is stable: events at the
/// same second keep their order in the file. The errors are in file order.
/// An event whose `id` the same customer had on an earlier line is a
/// duplicate and is dropped ([`read_events_counted`] counts them).
pub fn read_events(file: &str, text: &str, schema: Option<&Schema>) -> (Vec<Event>, Vec<RowError>) {
    let read = read_events_counted(file, text, schema);
    (read.events, read.errors)
}

/// Events as [`read_events`] reads them, and how many were duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Events {
    pub events: Vec<Event>,
    /// Events dropped because the customer already had one with their id.
    pub duplicates: usize,
    pub errors: Vec<RowError>,
}

/// [`read_events`], counting the duplicates it drops.
pub fn read_events_counted(file: &str, text: &str, schema: Option<&Schema>) -> Events {
    let types = schema.map(Types::new);
    let mut report = Report::new(file);
    let mut events = Vec::new();
    // Ids are the customer's: the store of `nurture serve` is keyed by
    // customer, so two customers may each have an event `e1`.
    let mut seen: std::collections::HashSet<(String, String)> = Default::default();
    let mut duplicates = 0;
    for (line, row) in json_lines(without_bom(text)) {
        let map = match object(row) {
            Ok(map) => map,
            Err(problem) => {
                report.error(line, problem);
                continue;
            }
        };
        let (event, problems) = event_from_json(&map, types.as_ref(), line, &mut report);
        if !problems.is_empty() {
            for problem in problems {
                report.error(line, problem);
            }
        } else if event
            .id
            .as_ref()
            .is_some_and(|id| !seen.insert((event.customer.clone(), id.clone())))
        {
            duplicates += 1;
        } else {
            events.push(event);
        }
    }
    events.sort_by_key(|event| event.at);
    Events {
        events,
        duplicates,
        errors: report.errors,
    }
}

/// An RFC 3339 time (`2026-03-01T09:00:00Z`, `2026-03-01T10:00:00+01:00`;
/// fractions of a second are dropped), or a plain date `2026-03-01`, which
/// is midnight UTC (`time.rs`). A time without an offset is `None`.
pub fn parse_time(text: &str) -> Option<Seconds> {
    time::parse(text).ok()
}

/// Why `text` is not a time [`parse_time`] reads, or `None` when it is.
pub fn time_problem(text: &str) -> Option<String> {
    time::parse(text).err()
}

/// RFC 3339 in UTC to the second: `2026-03-01T09:00:00Z`. A moment beyond
/// the years 0000..=9999 has no such form and is shown as a number of
/// seconds.
pub fn show_time(at: Seconds) -> String {
    time::show(at)
}

// ---------------------------------------------------------------------------
// Collecting results

/// The problems found in one file (or, read in blocks on several
/// threads, in one thread's part of it).
pub struct Report<'f> {
    file: &'f str,
    errors: Vec<RowError>,
    /// What `once` has already reported, so a column missing from the
    /// schema is told once, not on every row.
    told: BTreeSet<String>,
    /// What `once` reported, with its place in `errors`: threads that
    /// read parts of a file each tell it once, and only the first is kept.
    onces: Vec<(String, usize)>,
}

impl<'f> Report<'f> {
    pub fn new(file: &'f str) -> Self {
        Report {
            file,
            errors: Vec::new(),
            told: BTreeSet::new(),
            onces: Vec::new(),
        }
    }

    pub fn error(&mut self, line: usize, problem: String) {
        self.errors.push(RowError {
            file: self.file.to_string(),
            line,
            problem,
            note: false,
        });
    }

    fn once(&mut self, key: String, line: usize, problem: impl FnOnce() -> String) {
        if self.told.insert(key.clone()) {
            self.onces.push((key, self.errors.len()));
            self.error(line, problem());
        }
    }

    /// A note, told once per `key` and file.
    fn note_once(&mut self, key: String, line: usize, problem: impl FnOnce() -> String) {
        if self.told.insert(key.clone()) {
            self.onces.push((key, self.errors.len()));
            self.errors.push(RowError {
                file: self.file.to_string(),
                line,
                problem: problem(),
                note: true,
            });
        }
    }

    /// The problems, told once per file by [`Report::once`] split from
    /// the rest: (what it was about, the problem), and every other.
    pub fn into_parts(self) -> (Vec<(String, RowError)>, Vec<RowError>) {
        let mut once = Vec::new();
        let mut rest = Vec::new();
        let mut onces = self.onces.into_iter().peekable();
        for (at, error) in self.errors.into_iter().enumerate() {
            match onces.peek() {
                Some((_, place)) if *place == at => {
                    if let Some((key, _)) = onces.next() {
                        once.push((key, error));
                    }
                }
                _ => rest.push(error),
            }
        }
        (once, rest)
    }

    pub fn into_errors(self) -> Vec<RowError> {
        self.errors
    }
}

/// One JSON Lines customer: the customer and the problems of its line, or
/// `None` when the line is not an object (reported in `report`).
pub fn customer_of_line(
    text: &str,
    line: usize,
    types: Option<&Types<'_>>,
    report: &mut Report<'_>,
) -> Option<(Customer, Vec<String>)> {
    match object(text) {
        Ok(map) => Some(customer_from_json(&map, types, line, report)),
        Err(problem) => {
            report.error(line, problem);
            None
        }
    }
}

/// The lines of a JSON Lines block that are not blank, numbered from
/// `first_line`.
pub fn block_lines(text: &str, first_line: usize) -> impl Iterator<Item = (usize, &str)> {
    json_lines(text).map(move |(line, row)| (line + first_line - 1, row))
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
