//! One thread's part of a streamed run: it splits a block into rows,
//! makes compact records of them straight from the bytes, waits its turn to
//! look up their ids, simulates them, and keeps back the rows that may be
//! repeats for the end.

use super::claims::Mark;
use super::repeats::Place;
use super::table::{CsvRows, Table};
use super::{Context, Failure, Told};
use crate::run::Customer;
use crate::run::compact::Compact;
use crate::run::input::{
    Block, CsvHeader, Report, RowError, Split, block_lines, customer_of_line, id_hash, shown,
};
use crate::sim::engine::Subject;
use crate::sim::run::Worker;
use crate::sim::tally::Tally;
use crate::sim::together::WeekTally;
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// A row held back as a possible repeat, with what it takes to read it
/// later.
pub(super) struct Held {
    pub(super) line: usize,
    pub(super) block: u64,
    pub(super) index: usize,
    pub(super) id: String,
    pub(super) row: HeldRow,
}

pub(super) enum HeldRow {
    Cells(Vec<String>),
    Customer(Customer, Vec<String>),
}

/// One thread's reading and simulating.
pub(super) struct Hand<'c> {
    sim: Worker<'c, 'c>,
    split: Split,
    marks: Vec<Mark>,
    problems: Vec<String>,
    errors: Vec<Told>,
    /// JSON Lines: what the parser tells once per file, and lines that
    /// are not objects.
    report: Report<'c>,
    customers: Vec<(Customer, Vec<String>)>,
    held: Vec<Held>,
}

/// What a thread hands back.
pub(super) struct Done<'c> {
    pub(super) tallies: Vec<Vec<Tally>>,
    pub(super) weeks: Vec<WeekTally>,
    pub(super) errors: Vec<Told>,
    pub(super) report: Report<'c>,
    pub(super) held: Vec<Held>,
}

impl<'c> Hand<'c> {
    pub(super) fn finish(self) -> Done<'c> {
        Done {
            tallies: self.sim.tallies,
            weeks: self.sim.weeks,
            errors: self.errors,
            report: self.report,
            held: self.held,
        }
    }

    pub(super) fn new(context: &'c Context<'c>) -> Self {
        Hand {
            sim: Worker::with(
                context.setups,
                context.model,
                context.options,
                context.lineup,
            ),
            split: Split::default(),
            marks: Vec::new(),
            problems: Vec::new(),
            errors: Vec::new(),
            report: Report::new(context.name),
            customers: Vec::new(),
            held: Vec::new(),
        }
    }

    pub(super) fn take(&mut self, block: &Block, context: &Context<'c>) -> Result<(), Failure> {
        if let (Some(rows), Some(header)) = (&block.parquet, context.header) {
            return self.take_table(block, rows.as_ref(), header, context);
        }
        let Ok(text) = std::str::from_utf8(&block.bytes) else {
            context.claims.break_all();
            return Err(Failure::NotUtf8);
        };
        match context.header {
            Some(header) => {
                let mut split = std::mem::take(&mut self.split);
                split.split(block, text);
                let rows = CsvRows {
                    split: &split,
                    text,
                };
                let taken = self.take_table(block, &rows, header, context);
                self.split = split;
                taken
            }
            None => self.take_lines(block, text, context),
        }
    }

    /// The rows of a block with columns (CSV, Parquet): each made a
    /// compact record of and simulated, or its problems told.
    fn take_table(
        &mut self,
        block: &Block,
        table: &impl Table,
        header: &CsvHeader<'_>,
        context: &Context<'c>,
    ) -> Result<(), Failure> {
        let shard = context.shard;
        self.marks.clear();
        for index in 0..table.count() {
            if table.cells(index).all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let (line, count) = (table.line(index), table.width(index));
            if count != header.width() {
                if shard.first() {
                    let problem = format!(
                        "this row has {count} fields, but the first line names {} columns",
                        header.width()
                    );
                    self.errors.push(Told {
                        line,
                        made: false,
                        block: block.index,
                        row: index + 1,
                        error: RowError {
                            file: context.name.to_string(),
                            line,
                            problem,
                            note: false,
                        },
                    });
                }
                continue;
            }
            let id = table.cell(index, header.id_column()).trim();
            let hash = (!id.is_empty()).then(|| id_hash(id));
            let ours = match hash {
                Some(hash) => shard.holds(hash),
                None => shard.first(),
            };
            if ours {
                self.marks.push(Mark {
                    row: index,
                    line,
                    hash,
                    held: false,
                });
            }
        }
        if !context.claims.claim(block.index, &mut self.marks) {
            return Err(Failure::Stopped);
        }
        context
            .rows
            .fetch_add(table.count() as u64, Ordering::Relaxed);
        let (Some(targets), layout) = (context.targets, context.layout) else {
            return Ok(());
        };
        let mut subject = Subject::new(Compact::new(layout), self.sim.zones.get(None));
        let mut record = Compact::new(layout);
        for mark in &self.marks {
            if mark.held {
                let cells: Vec<String> = table.cells(mark.row).map(str::to_string).collect();
                let id = cells
                    .get(header.id_column())
                    .map_or(String::new(), |id| id.trim().to_string());
                self.held.push(Held {
                    line: mark.line,
                    block: block.index,
                    index: mark.row,
                    id,
                    row: HeldRow::Cells(cells),
                });
                continue;
            }
            self.problems.clear();
            targets.fill(table.cells(mark.row), &mut record, &mut self.problems);
            if self.problems.is_empty() {
                if context.simulate {
                    subject.zone = self.sim.zones.get(record.time_zone);
                    self.sim.simulate(&record, &mut subject);
                }
            } else {
                let problems = std::mem::take(&mut self.problems);
                for problem in problems {
                    tell(
                        &mut self.errors,
                        context.name,
                        mark.line,
                        block.index,
                        mark.row,
                        problem,
                    );
                }
            }
        }
        Ok(())
    }

    fn take_lines(
        &mut self,
        block: &Block,
        text: &str,
        context: &Context<'c>,
    ) -> Result<(), Failure> {
        let shard = context.shard;
        self.marks.clear();
        self.customers.clear();
        let mut rows = 0u64;
        // Counted as the file is read again for repeats (`first_lines`).
        let mut objects = 0;
        for (line, row) in block_lines(text, block.first_line) {
            rows += 1;
            let Some((customer, problems)) =
                customer_of_line(row, line, context.types, &mut self.report)
            else {
                continue;
            };
            let hash = (!customer.id.is_empty()).then(|| id_hash(&customer.id));
            let ours = match hash {
                Some(hash) => shard.holds(hash),
                None => shard.first(),
            };
            if ours {
                self.marks.push(Mark {
                    row: objects,
                    line,
                    hash,
                    held: false,
                });
                self.customers.push((customer, problems));
            }
            objects += 1;
        }
        if !context.claims.claim(block.index, &mut self.marks) {
            return Err(Failure::Stopped);
        }
        context.rows.fetch_add(rows, Ordering::Relaxed);
        let customers = std::mem::take(&mut self.customers);
        let marks = std::mem::take(&mut self.marks);
        for (mark, (customer, problems)) in marks.iter().zip(customers) {
            if mark.held {
                self.held.push(Held {
                    line: mark.line,
                    block: block.index,
                    index: mark.row,
                    id: customer.id.clone(),
                    row: HeldRow::Customer(customer, problems),
                });
                continue;
            }
            self.customer(
                (mark.line, block.index, mark.row),
                &customer,
                problems,
                context,
            );
        }
        self.marks = marks;
        Ok(())
    }

    /// A customer read whole (JSON Lines, or a row held back): simulated,
    /// or its problems told.
    fn customer(
        &mut self,
        (line, block, row): (usize, u64, usize),
        customer: &Customer,
        problems: Vec<String>,
        context: &Context<'c>,
    ) {
        if problems.is_empty() {
            if context.simulate {
                let record = Compact::of(context.layout, customer);
                let mut subject =
                    Subject::new(record.clone(), self.sim.zones.get(record.time_zone));
                self.sim.simulate(&record, &mut subject);
            }
        } else {
            for problem in problems {
                tell(&mut self.errors, context.name, line, block, row, problem);
            }
        }
    }

    /// A row held back, now that the first line of its id is known.
    pub(super) fn take_held(
        &mut self,
        held: Held,
        first: &HashMap<String, Place>,
        context: &Context<'c>,
    ) {
        let repeat = first
            .get(&held.id)
            .filter(|place| (place.block, place.row) != (held.block, held.index))
            .map(|place| place.line);
        let mut problems = Vec::new();
        if let Some(line) = repeat {
            problems.push(format!(
                "customer `{}` is already on line {line}",
                shown(&held.id)
            ));
        }
        match held.row {
            HeldRow::Cells(cells) => {
                let Some(targets) = context.targets else {
                    return;
                };
                let mut record = Compact::new(context.layout);
                targets.fill(cells.iter().map(String::as_str), &mut record, &mut problems);
                if problems.is_empty() {
                    if context.simulate {
                        let mut subject =
                            Subject::new(Compact::new(context.layout), self.sim.zones.get(None));
                        subject.zone = self.sim.zones.get(record.time_zone);
                        self.sim.simulate(&record, &mut subject);
                    }
                } else {
                    for problem in problems {
                        tell(
                            &mut self.errors,
                            context.name,
                            held.line,
                            held.block,
                            held.index,
                            problem,
                        );
                    }
                }
            }
            HeldRow::Customer(customer, mut own) => {
                problems.append(&mut own);
                let place = (held.line, held.block, held.index);
                self.customer(place, &customer, problems, context);
            }
        }
    }
}

/// Tells the problem of row `row` of block `block`, found making a
/// customer of it.
pub(super) fn tell(
    errors: &mut Vec<Told>,
    file: &str,
    line: usize,
    block: u64,
    row: usize,
    problem: String,
) {
    errors.push(Told {
        line,
        made: true,
        block,
        row: row + 1,
        error: RowError {
            file: file.to_string(),
            line,
            problem,
            note: false,
        },
    });
}
