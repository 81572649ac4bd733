//! Stage 4, input: customers from CSV.

use super::fields::{self, LastEventAt, list, phase, score, time, time_zone, trimmed};
use super::from_json::NO_ID;
use super::schema_types::Named;
use super::schema_types::Types;
use super::values::{check_text, read_text};
use super::words::{did_you_mean, shown, without_bom};
use super::{Report, RowError};
use crate::run::Customer;
use crate::syntax::ast::Schema;
use crate::syntax::ast::ValueType;
use csv::ReaderBuilder;
use csv::StringRecord;
use csv::Trim;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::Arc;

/// What a CSV column holds.
pub(super) enum Column<'s> {
    Id,
    TimeZone,
    /// With the names the schema declares, when there is one.
    Consents(Option<Arc<BTreeSet<&'s str>>>),
    Tags(Option<Arc<BTreeSet<&'s str>>>),
    Segments(Option<Arc<BTreeSet<&'s str>>>),
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
    pub(super) columns: Arc<Vec<Column<'s>>>,
    pub(super) record: StringRecord,
    /// The line of an earlier row with the same id.
    pub(super) repeat_of: Option<usize>,
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

pub(super) fn read_csv<'s>(
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
                // A quote left open runs to the end of the file: its quotes
                // are then odd in number (a closed field's come in pairs,
                // `""` inside it included). A closed field may hold a line
                // break.
                let end = start + reader.position().byte() as usize;
                let unclosed = text
                    .get(row_start..end)
                    .is_some_and(|raw| raw.bytes().filter(|&b| b == b'"').count() % 2 == 1);
                match header(&record, unclosed, types, line, report) {
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
pub(super) fn row_start(text: &str, from: usize) -> usize {
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
pub(super) struct Lines {
    pub(super) offset: usize,
    pub(super) line: usize,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { offset: 0, line: 1 }
    }
}

impl Lines {
    pub(super) fn at(&mut self, text: &str, offset: usize) -> usize {
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
pub(super) fn header<'s>(
    record: &StringRecord,
    unclosed: bool,
    types: Option<&Types<'s>>,
    line: usize,
    report: &mut Report<'_>,
) -> Option<Vec<Column<'s>>> {
    if unclosed {
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

pub(super) fn column<'s>(
    name: &str,
    types: Option<&Types<'s>>,
    line: usize,
    report: &mut Report<'_>,
) -> Column<'s> {
    match name {
        "id" => return Column::Id,
        "time_zone" => return Column::TimeZone,
        "consents" => return Column::Consents(names(types, Named::Consents)),
        "tags" => return Column::Tags(names(types, Named::Tags)),
        "segments" => return Column::Segments(names(types, Named::Segments)),
        "score" => return Column::Score,
        "phase" => return Column::Phase,
        _ => {}
    }
    if let Some(event) = name.strip_prefix("last_event_at.") {
        return match last_event_problem(event, types) {
            None => Column::LastEventAt(event.to_string()),
            // Nothing but the schema's lack of the event: a note.
            Some(problem) if !event.is_empty() => {
                report.note_once(format!("column:{name}"), line, || {
                    format!("column `{}` {problem}; its values are ignored", shown(name))
                });
                Column::Ignored
            }
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
            report.note_once(format!("column:{name}"), line, || {
                format!(
                    "column `{}` is not an attribute in the schema; its values are ignored{}",
                    shown(name),
                    did_you_mean(name, types.attributes.keys().copied())
                )
            });
            Column::Ignored
        }
    }
}

/// The names the schema declares for a `consents`, `tags` or `segments`
/// column.
fn names<'s>(types: Option<&Types<'s>>, field: Named) -> Option<Arc<BTreeSet<&'s str>>> {
    types.map(|types| Arc::new(types.names_of(field).clone()))
}

/// What is wrong with `last_event_at.EVENT`, if anything.
pub(super) fn last_event_problem(event: &str, types: Option<&Types<'_>>) -> Option<String> {
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

fn check_names(
    field: Named,
    values: &BTreeSet<String>,
    declared: &Option<Arc<BTreeSet<&str>>>,
) -> Result<(), String> {
    match declared {
        Some(names) if !values.is_empty() => fields::declared(field, values, names),
        _ => Ok(()),
    }
}

pub(super) fn customer_from_row(
    columns: &[Column<'_>],
    record: &StringRecord,
) -> (Customer, Vec<String>) {
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
            Column::Consents(declared) => {
                customer.consents = list(cell).into_iter().collect();
                check_names(Named::Consents, &customer.consents, declared)
            }
            Column::Tags(declared) => {
                customer.tags = list(cell).into_iter().collect();
                check_names(Named::Tags, &customer.tags, declared)
            }
            Column::Segments(declared) => {
                customer.segments = list(cell).into_iter().collect();
                check_names(Named::Segments, &customer.segments, declared)
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
