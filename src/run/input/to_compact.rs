//! Stage 4, input: a CSV row's cells straight into the simulator's compact
//! record, checked as `customer_from_row` checks them.
//!
//! Every cell is still checked against its column's type, so a row is bad
//! (and skipped, with the same words) exactly when `nurture replay` would
//! call it bad; only what a run's plans read is kept. The common forms go
//! through `fast.rs`; anything else, and every message, comes from the
//! readers `customer_from_row` uses.

use super::blocks::CsvHeader;
use super::fast;
use super::fields::{LastEventAt, declared, list, phase, score, time, time_zone, trimmed};
use super::from_csv::Column;
use super::from_json::NO_ID;
use super::schema_types::Named;
use super::values::{self, check_text, read_text};
use super::words::shown;
use crate::run::Datum;
use crate::run::compact::{Compact, Layout, Val};
use crate::syntax::ast::{Phase, ValueType};
use std::collections::BTreeSet;

/// What each column of a file becomes in a compact record of one layout.
pub struct Targets<'s> {
    targets: Vec<Target<'s>>,
}

enum Target<'s> {
    Id,
    TimeZone,
    /// With the names the schema declares, when there is one.
    Consents(Option<&'s BTreeSet<&'s str>>),
    Tags(Option<&'s BTreeSet<&'s str>>),
    Segments(Option<&'s BTreeSet<&'s str>>),
    Score,
    Phase,
    /// `last_event_at.EVENT`, kept in the layout's slot when read.
    Last(&'s str, Option<usize>),
    /// An attribute, kept in the layout's slot when read, else checked.
    Attribute(&'s str, Option<&'s ValueType>, Option<usize>),
    Ignored,
}

impl<'s> Targets<'s> {
    pub fn new(header: &'s CsvHeader<'_>, layout: &Layout) -> Self {
        let targets = header
            .columns
            .iter()
            .map(|column| match column {
                Column::Id => Target::Id,
                Column::TimeZone => Target::TimeZone,
                Column::Consents(names) => Target::Consents(names.as_deref()),
                Column::Tags(names) => Target::Tags(names.as_deref()),
                Column::Segments(names) => Target::Segments(names.as_deref()),
                Column::Score => Target::Score,
                Column::Phase => Target::Phase,
                Column::LastEventAt(event) => Target::Last(event, layout.event(event)),
                Column::Attribute(name, value_type) | Column::Checked(name, value_type) => {
                    Target::Attribute(name, *value_type, layout.attribute(name))
                }
                Column::Ignored => Target::Ignored,
            })
            .collect();
        Targets { targets }
    }

    /// Fills `record` (cleared first) from a row's cells; every problem of
    /// the row goes to `problems`, in column order.
    pub fn fill<'a>(
        &self,
        cells: impl Iterator<Item = &'a str>,
        record: &mut Compact<'a>,
        problems: &mut Vec<String>,
    ) {
        record.clear();
        for (target, cell) in self.targets.iter().zip(cells.map(trimmed)) {
            let result = match target {
                Target::Id if cell.is_empty() => Err(NO_ID.to_string()),
                Target::Id => {
                    record.id = cell;
                    Ok(())
                }
                Target::TimeZone => zone(cell).map(|zone| record.time_zone = zone),
                Target::Consents(names) => {
                    items(cell).for_each(|c| record.add_consent(c));
                    named(Named::Consents, cell, *names)
                }
                Target::Tags(names) => {
                    items(cell).for_each(|t| record.add_tag(t));
                    named(Named::Tags, cell, *names)
                }
                Target::Segments(names) => {
                    items(cell).for_each(|s| record.add_segment(s));
                    named(Named::Segments, cell, *names)
                }
                Target::Score => match cell.parse::<i64>() {
                    Ok(value) => {
                        record.score = value;
                        Ok(())
                    }
                    Err(_) => score(cell).map(|value| record.score = value),
                },
                Target::Phase if cell.is_empty() => Ok(()),
                Target::Phase => match Phase::from_word(cell) {
                    Some(known) => {
                        record.set_known_phase(known);
                        Ok(())
                    }
                    None => phase(cell).map(|_| ()),
                },
                Target::Last(_, _) if cell.is_empty() => Ok(()),
                Target::Last(event, slot) => {
                    match fast::time(cell)
                        .map_or_else(|| time(LastEventAt(event), cell), |at| Ok(Some(at)))
                    {
                        Ok(Some(at)) => {
                            if let Some(slot) = slot {
                                record.set_last_event(*slot, at);
                            }
                            Ok(())
                        }
                        Ok(None) => Ok(()),
                        Err(problem) => Err(problem),
                    }
                }
                Target::Attribute(_, _, _) if cell.is_empty() => Ok(()),
                Target::Attribute(name, value_type, Some(slot)) => match value(cell, *value_type) {
                    Ok(value) => {
                        record.set_slot(*slot, value);
                        Ok(())
                    }
                    Err(problem) => Err(format!("`{}` {problem}", shown(name))),
                },
                Target::Attribute(name, value_type, None) => check(cell, *value_type)
                    .map_err(|problem| format!("`{}` {problem}", shown(name))),
                Target::Ignored => Ok(()),
            };
            if let Err(problem) = result {
                problems.push(problem);
            }
        }
    }
}

/// A `;`-separated list's items, trimmed, empty ones left out (`list`).
fn items(cell: &str) -> impl Iterator<Item = &str> {
    // `;` is one byte and never inside another character, so the text
    // splits on its bytes.
    let mut rest = Some(cell);
    std::iter::from_fn(move || {
        let text = rest?;
        let item = match memchr::memchr(b';', text.as_bytes()) {
            Some(at) => {
                rest = text.get(at + 1..);
                text.get(..at).unwrap_or("")
            }
            None => {
                rest = None;
                text
            }
        };
        Some(trimmed(item))
    })
    .filter(|item| !item.is_empty())
}

/// The names of a `consents`, `tags` or `segments` cell checked against
/// those the schema declares, as `customer_from_row` checks them.
fn named(field: Named, cell: &str, names: Option<&BTreeSet<&str>>) -> Result<(), String> {
    let Some(names) = names else {
        return Ok(());
    };
    if items(cell).all(|item| names.contains(item)) {
        return Ok(());
    }
    let values: BTreeSet<String> = list(cell).into_iter().collect();
    declared(field, &values, names)
}

thread_local! {
    /// Time zone names (as written) known to be good, per thread.
    static GOOD_ZONES: std::cell::RefCell<std::collections::HashSet<Box<str>, foldhash::fast::RandomState>> =
        std::cell::RefCell::new(std::collections::HashSet::default());
}

/// The time zone as written, once `time_zone` has said it is one.
fn zone(cell: &str) -> Result<Option<&str>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    let known = GOOD_ZONES.with_borrow(|good| good.contains(cell));
    if !known {
        time_zone(cell)?;
        GOOD_ZONES.with_borrow_mut(|good| good.insert(cell.into()));
    }
    Ok(Some(cell))
}

/// A cell (not empty) as its declared type, as `read_text` reads it.
fn value<'a>(cell: &'a str, value_type: Option<&ValueType>) -> Result<Val<'a>, String> {
    let quick = match value_type {
        None => Some(guess(cell)),
        Some(ValueType::Text) => Some(Val::Text(cell)),
        Some(ValueType::Number) => fast::number(cell).map(Val::Number),
        Some(ValueType::Bool) => fast::boolean(cell, true).map(Val::Bool),
        Some(ValueType::Date) => fast::time(cell).map(Val::Time),
        Some(ValueType::Enum(words)) => words
            .iter()
            .any(|word| word.value == cell)
            .then_some(Val::Text(cell)),
        Some(ValueType::Duration | ValueType::ListOfText) => None,
    };
    if let Some(value) = quick {
        return Ok(value);
    }
    Ok(match read_text(cell, value_type)? {
        None => Val::Absent,
        Some(Datum::Bool(b)) => Val::Bool(b),
        Some(Datum::Number(n)) => Val::Number(n),
        Some(Datum::Time(at)) => Val::Time(at),
        Some(Datum::List(items)) => Val::List(items),
        Some(datum @ Datum::Text(_)) => Val::Owned(datum),
    })
}

/// What a value is taken for without a schema (`values::guess`), its text
/// borrowed.
fn guess(cell: &str) -> Val<'_> {
    if let Some(value) = fast::boolean(cell, false) {
        Val::Bool(value)
    } else if let Some(number) = fast::number(cell).or_else(|| values::number(cell)) {
        Val::Number(number)
    } else if let Some(at) = fast::time(cell).or_else(|| super::parse_time(cell)) {
        Val::Time(at)
    } else {
        Val::Text(cell)
    }
}

/// A cell (not empty) checked as its declared type, as `check_text` does.
fn check(cell: &str, value_type: Option<&ValueType>) -> Result<(), String> {
    let quick = match value_type {
        None | Some(ValueType::Text | ValueType::ListOfText) => true,
        Some(ValueType::Number) => fast::number(cell).is_some(),
        Some(ValueType::Bool) => fast::boolean(cell, true).is_some(),
        Some(ValueType::Date) => fast::time(cell).is_some(),
        Some(ValueType::Enum(words)) => words.iter().any(|word| word.value == cell),
        Some(ValueType::Duration) => false,
    };
    if quick {
        Ok(())
    } else {
        check_text(cell, value_type)
    }
}
