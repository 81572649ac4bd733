//! Customers read from a file a block at a time, on every simulating
//! thread, and simulated as they are read: memory holds a few blocks and
//! one customer per thread, whatever the size of the file.
//!
//! The calling thread only cuts the file into blocks of whole rows
//! (`run/input/blocks.rs`). Each worker takes a block, splits it into rows,
//! and makes compact records of them (`run::compact`), straight from the
//! bytes. Only one thing needs file order: a customer whose id an earlier
//! row has is a repeat, told and skipped. So each worker, once it has the
//! ids of its block, waits for its turn (block after block) to look them
//! up in a filter of the ids seen (`run/input/seen.rs`); a row the filter
//! may have seen is held back, and at the end the file's ids are read once
//! more to tell a true repeat (reported) from a false alarm (simulated
//! then). Counts are added up whatever the order, so the report is the
//! same for every number of threads.
//!
//! `--shard I/N` keeps the customers whose id hashes to shard I, and the
//! problems of rows without an id, or of the file as a whole, only in
//! shard 0: the shards' counts and problems add up to the whole run's.

use super::behavior::Behavior;
use super::engine::Subject;
use super::run::{Options, Worker, merge};
use super::setup::Setup;
use super::tally::Tally;
use super::together::{Lineup, WeekTally};
use crate::run::Customer;
use crate::run::compact::{Compact, Layout};
use crate::run::input::{
    Block, Blocks, CsvHeader, Format, ParquetCsv, Report, RowError, Seen, Split, Targets, Types,
    Unreadable, block_lines, customer_of_line, id_hash, parquet_error, shard_of, shown,
};
use crate::syntax::ast::Schema;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Which customers of the file a run simulates: those whose id hashes to
/// `index` of `count` shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Whether the customer of this id hash is this shard's.
    pub fn holds(&self, hash: u64) -> bool {
        self.count <= 1 || shard_of(hash, self.count) == self.index
    }

    /// Problems of the file, and of rows without an id, are shard 0's.
    pub fn first(&self) -> bool {
        self.index == 0
    }
}

/// Where the customers are.
#[derive(Clone, Copy)]
pub enum Data<'a> {
    File(&'a Path),
    /// In memory (the bundled sample).
    Bytes(&'a [u8]),
    /// A Parquet file, read as the CSV it holds (`run/input/parquet/`),
    /// decoding only the columns `wanted` names besides the built-in ones
    /// (`None`: all of them).
    Parquet {
        path: &'a Path,
        schema: Option<&'a Schema>,
        wanted: Option<&'a std::collections::BTreeSet<String>>,
    },
}

impl<'a> Data<'a> {
    /// The data, from the start.
    pub fn reader(self) -> std::io::Result<Box<dyn Read + 'a>> {
        match self {
            Data::File(path) => Ok(Box::new(File::open(path)?)),
            Data::Bytes(bytes) => Ok(Box::new(bytes)),
            Data::Parquet {
                path,
                schema,
                wanted,
            } => {
                let types = schema.map(Types::new);
                let name = path.display().to_string();
                ParquetCsv::open(path, &name, types.as_ref(), wanted)
                    .map(|read| Box::new(read) as Box<dyn Read>)
                    .map_err(parquet_error)
            }
        }
    }

    /// The data to read from the start, and its size in bytes.
    fn open(self) -> Result<(Box<dyn Read + 'a>, u64), Failure> {
        match self {
            Data::File(path) => {
                let file = File::open(path).map_err(Failure::Io)?;
                let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
                Ok((Box::new(file), bytes))
            }
            Data::Bytes(bytes) => Ok((Box::new(bytes), bytes.len() as u64)),
            Data::Parquet {
                path,
                schema,
                wanted,
            } => {
                let types = schema.map(Types::new);
                let name = path.display().to_string();
                let read = ParquetCsv::open(path, &name, types.as_ref(), wanted)
                    .map_err(|problems| Failure::Io(parquet_error(problems)))?;
                // The filter of ids is sized by bytes of CSV; the file
                // knows its rows: as many words as `Seen::for_rows` takes.
                let bytes = read.rows().saturating_mul(3 * 64);
                Ok((Box::new(read), bytes))
            }
        }
    }
}

/// A customers file to simulate.
pub struct Input<'a> {
    pub data: Data<'a>,
    /// The file as the user named it, for messages.
    pub name: &'a str,
    pub format: Format,
    pub schema: Option<&'a Schema>,
    /// The size of the blocks read (`run::input::BLOCK`).
    pub block: usize,
}

/// Why a file could not be read to the end.
#[derive(Debug)]
pub enum Failure {
    Io(std::io::Error),
    NotUtf8,
    /// Stopped because another thread failed.
    Stopped,
}

impl From<Unreadable> for Failure {
    fn from(error: Unreadable) -> Self {
        match error {
            Unreadable::Io(error) => Failure::Io(error),
            Unreadable::NotUtf8 => Failure::NotUtf8,
        }
    }
}

/// What a streamed run found.
pub struct Streamed {
    /// `[run][program]`.
    pub tallies: Vec<Vec<Tally>>,
    /// The problems of rows, in file order.
    pub errors: Vec<RowError>,
    /// Per run: the portfolio's weeks, when the programs ran together.
    pub weeks: Vec<WeekTally>,
}

/// Simulates every customer of `input` (of `shard`) through every program,
/// once per seed; with `simulate` false, only checks every row (`--strict`).
/// `progress` hears how many rows have been read, now and then.
#[allow(clippy::too_many_arguments)]
pub fn simulate_file(
    setups: &[Setup<'_>],
    model: &Behavior,
    options: &Options,
    layout: &Layout,
    input: &Input<'_>,
    shard: Shard,
    simulate: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<Streamed, Failure> {
    simulate_file_with(
        setups, model, options, layout, input, shard, simulate, None, progress,
    )
}

/// [`simulate_file`], with the programs run together as `lineup` says
/// (one record per customer), or side by side without one.
#[allow(clippy::too_many_arguments)]
pub fn simulate_file_with(
    setups: &[Setup<'_>],
    model: &Behavior,
    options: &Options,
    layout: &Layout,
    input: &Input<'_>,
    shard: Shard,
    simulate: bool,
    lineup: Option<&Lineup<'_, '_>>,
    progress: &mut dyn FnMut(u64),
) -> Result<Streamed, Failure> {
    let types = input.schema.map(Types::new);
    let (file, bytes) = input.data.open()?;
    let mut report = Report::new(input.name);
    let mut blocks;
    let header;
    match input.format {
        Format::Csv => match Blocks::csv(file, types.as_ref(), &mut report)? {
            Some((found, read)) => {
                header = Some(found);
                blocks = read.with_block(input.block);
            }
            None => {
                let errors = if shard.first() {
                    report.into_errors()
                } else {
                    Vec::new()
                };
                return Ok(Streamed {
                    tallies: fresh(setups, options),
                    errors,
                    weeks: fresh_weeks(options),
                });
            }
        },
        Format::JsonLines => {
            header = None;
            blocks = Blocks::lines(file)?.with_block(input.block);
        }
    }
    let targets = header.as_ref().map(|h| Targets::new(h, layout));
    let context = Context {
        setups,
        model,
        options,
        lineup,
        layout,
        types: types.as_ref(),
        header: header.as_ref(),
        targets: targets.as_ref(),
        name: input.name,
        shard,
        simulate,
        claims: Claims::new(Seen::for_bytes(bytes)),
        rows: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    };

    let mut hands: Vec<Done> = Vec::new();
    let mut failure: Option<Failure> = None;
    if options.threads <= 1 {
        let mut hand = Hand::new(&context);
        loop {
            match blocks.next_block() {
                Ok(Some(block)) => {
                    if let Err(error) = hand.take(&block, &context) {
                        failure = Some(error);
                        break;
                    }
                    blocks.give_back(block.bytes);
                    progress(context.rows.load(Ordering::Relaxed));
                }
                Ok(None) => break,
                Err(error) => {
                    failure = Some(error.into());
                    break;
                }
            }
        }
        hands.push(hand.finish());
    } else {
        let (send, receive) = mpsc::sync_channel::<Block>(options.threads * 2);
        let (give_back, given_back) = mpsc::channel::<Vec<u8>>();
        let receive = Mutex::new(receive);
        let context = &context;
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..options.threads)
                .map(|_| {
                    let receive = &receive;
                    let give_back = give_back.clone();
                    scope.spawn(move || {
                        let mut hand = Hand::new(context);
                        let mut failure = None;
                        loop {
                            let block = match receive.lock() {
                                Ok(receiver) => receiver.recv(),
                                Err(_) => break,
                            };
                            let Ok(block) = block else { break };
                            if failure.is_some() {
                                continue;
                            }
                            if let Err(error) = hand.take(&block, context) {
                                context.stop.store(true, Ordering::Relaxed);
                                context.claims.break_all();
                                failure = Some(error);
                                continue;
                            }
                            let _ = give_back.send(block.bytes);
                        }
                        (hand.finish(), failure)
                    })
                })
                .collect();
            drop(give_back);
            while !context.stop.load(Ordering::Relaxed) {
                while let Ok(buffer) = given_back.try_recv() {
                    blocks.give_back(buffer);
                }
                match blocks.next_block() {
                    Ok(Some(block)) => {
                        // A worker only stops receiving when it panicked;
                        // the join below tells.
                        if send.send(block).is_err() {
                            break;
                        }
                        progress(context.rows.load(Ordering::Relaxed));
                    }
                    Ok(None) => break,
                    Err(error) => {
                        context.stop.store(true, Ordering::Relaxed);
                        context.claims.break_all();
                        failure = Some(error.into());
                        break;
                    }
                }
            }
            drop(send);
            for worker in workers {
                match worker.join() {
                    Ok((hand, found)) => {
                        if matches!(failure, None | Some(Failure::Stopped)) && found.is_some() {
                            failure = found;
                        }
                        hands.push(hand);
                    }
                    Err(_) => {
                        failure.get_or_insert(Failure::Io(std::io::Error::other(
                            "a simulating thread stopped",
                        )));
                    }
                }
            }
        });
    }
    if let Some(failure) = failure {
        return Err(failure);
    }

    // Rows held back as possible repeats: read the ids once more.
    let held: Vec<Held> = hands.iter_mut().flat_map(|h| h.held.drain(..)).collect();
    let mut late = Hand::new(&context);
    if !held.is_empty() {
        let first = first_lines(input, &context, &held)?;
        for row in held {
            late.take_held(row, &first, &context);
        }
    }
    hands.push(late.finish());

    let mut totals = fresh(setups, options);
    let mut weeks = fresh_weeks(options);
    let mut told: Vec<Told> = Vec::new();
    if shard.first() {
        told.extend(report.into_errors().into_iter().map(Told::first));
        for row in blocks.take_cut_out() {
            told.push(Told {
                line: row.line,
                made: false,
                block: row.before,
                row: 0,
                error: RowError {
                    file: input.name.to_string(),
                    line: row.line,
                    problem: row.problem,
                    note: false,
                },
            });
        }
    }
    let mut once: HashMap<String, RowError> = HashMap::new();
    for hand in hands {
        merge(&mut totals, &hand.tallies);
        for (total, week) in weeks.iter_mut().zip(&hand.weeks) {
            total.merge(week);
        }
        told.extend(hand.errors);
        if shard.first() {
            let (first, other) = hand.report.into_parts();
            for (key, error) in first {
                match once.get(&key) {
                    Some(earlier) if earlier.line <= error.line => {}
                    _ => {
                        once.insert(key, error);
                    }
                }
            }
            told.extend(other.into_iter().map(Told::first));
        }
    }
    // What was told once per file comes first on its line, as when the
    // file is read in one go.
    let mut first: Vec<RowError> = once.into_values().collect();
    first.sort_by_key(|e| e.line);
    let mut all: Vec<Told> = first.into_iter().map(Told::first).collect();
    all.append(&mut told);
    all.sort_by_key(|t| (t.line, t.made, t.block, t.row));
    Ok(Streamed {
        tallies: totals,
        errors: all.into_iter().map(|t| t.error).collect(),
        weeks,
    })
}

fn fresh_weeks(options: &Options) -> Vec<WeekTally> {
    options.seeds.iter().map(|_| WeekTally::default()).collect()
}

fn fresh(setups: &[Setup<'_>], options: &Options) -> Vec<Vec<Tally>> {
    options
        .seeds
        .iter()
        .map(|_| setups.iter().map(Tally::new).collect())
        .collect()
}

/// A problem, with where in the file it is: the line; then what reading
/// finds (the file's own problems, rows of the wrong width, what is told
/// once per file) before what making customers finds, as when a file is
/// read whole; then the block and the row in it (several rows may share a
/// line, split by a lone `\r`).
struct Told {
    line: usize,
    made: bool,
    block: u64,
    row: usize,
    error: RowError,
}

impl Told {
    /// Found while reading, before any row of the line.
    fn first(error: RowError) -> Self {
        Told {
            line: error.line,
            made: false,
            block: 0,
            row: 0,
            error,
        }
    }
}

/// What every thread reads the file by.
struct Context<'c> {
    setups: &'c [Setup<'c>],
    model: &'c Behavior,
    options: &'c Options,
    lineup: Option<&'c Lineup<'c, 'c>>,
    layout: &'c Layout,
    types: Option<&'c Types<'c>>,
    header: Option<&'c CsvHeader<'c>>,
    targets: Option<&'c Targets<'c>>,
    name: &'c str,
    shard: Shard,
    simulate: bool,
    claims: Claims,
    rows: AtomicU64,
    stop: AtomicBool,
}

/// The filter of ids seen, looked up block after block in file order.
struct Claims {
    turn: Mutex<Turn>,
    next: Condvar,
}

struct Turn {
    /// The block whose turn it is.
    block: u64,
    /// A thread failed: nobody waits any longer.
    broken: bool,
    seen: Seen,
}

impl Claims {
    fn new(seen: Seen) -> Self {
        Claims {
            turn: Mutex::new(Turn {
                block: 0,
                broken: false,
                seen,
            }),
            next: Condvar::new(),
        }
    }

    /// In block `block`'s turn, marks each id of `marks` the filter may
    /// have seen as held; false when another thread failed.
    fn claim(&self, block: u64, marks: &mut [Mark]) -> bool {
        let mut turn = match self.turn.lock() {
            Ok(turn) => turn,
            Err(poisoned) => poisoned.into_inner(),
        };
        while turn.block != block && !turn.broken {
            turn = match self.next.wait(turn) {
                Ok(turn) => turn,
                Err(poisoned) => poisoned.into_inner(),
            };
        }
        if turn.broken {
            return false;
        }
        for mark in marks.iter_mut() {
            if let Some(hash) = mark.hash {
                mark.held = turn.seen.insert(hash);
            }
        }
        turn.block += 1;
        self.next.notify_all();
        true
    }

    fn break_all(&self) {
        let mut turn = match self.turn.lock() {
            Ok(turn) => turn,
            Err(poisoned) => poisoned.into_inner(),
        };
        turn.broken = true;
        self.next.notify_all();
    }
}

/// A row of a block to read on: its place, and its id's hash (`None` for a
/// row without an id, which is never a repeat).
#[derive(Clone, Copy)]
struct Mark {
    row: usize,
    line: usize,
    hash: Option<u64>,
    held: bool,
}

/// A row held back as a possible repeat, with what it takes to read it
/// later.
struct Held {
    line: usize,
    block: u64,
    index: usize,
    id: String,
    row: HeldRow,
}

enum HeldRow {
    Cells(Vec<String>),
    Customer(Customer, Vec<String>),
}

/// One thread's reading and simulating.
struct Hand<'c> {
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
struct Done<'c> {
    tallies: Vec<Vec<Tally>>,
    weeks: Vec<WeekTally>,
    errors: Vec<Told>,
    report: Report<'c>,
    held: Vec<Held>,
}

impl<'c> Hand<'c> {
    fn finish(self) -> Done<'c> {
        Done {
            tallies: self.sim.tallies,
            weeks: self.sim.weeks,
            errors: self.errors,
            report: self.report,
            held: self.held,
        }
    }

    fn new(context: &'c Context<'c>) -> Self {
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

    fn take(&mut self, block: &Block, context: &Context<'c>) -> Result<(), Failure> {
        let Ok(text) = std::str::from_utf8(&block.bytes) else {
            context.claims.break_all();
            return Err(Failure::NotUtf8);
        };
        match context.header {
            Some(header) => self.take_csv(block, text, header, context),
            None => self.take_lines(block, text, context),
        }
    }

    fn take_csv(
        &mut self,
        block: &Block,
        text: &str,
        header: &CsvHeader<'_>,
        context: &Context<'c>,
    ) -> Result<(), Failure> {
        let shard = context.shard;
        self.split.split(block, text);
        self.marks.clear();
        for (index, &row) in self.split.rows.iter().enumerate() {
            if self
                .split
                .cells(text, row)
                .all(|cell| cell.trim().is_empty())
            {
                continue;
            }
            if row.count != header.width() {
                if shard.first() {
                    let problem = format!(
                        "this row has {} fields, but the first line names {} columns",
                        row.count,
                        header.width()
                    );
                    self.errors.push(Told {
                        line: row.line,
                        made: false,
                        block: block.index,
                        row: index + 1,
                        error: RowError {
                            file: context.name.to_string(),
                            line: row.line,
                            problem,
                            note: false,
                        },
                    });
                }
                continue;
            }
            let id = self.split.cell(text, row, header.id_column()).trim();
            let hash = (!id.is_empty()).then(|| id_hash(id));
            let ours = match hash {
                Some(hash) => shard.holds(hash),
                None => shard.first(),
            };
            if ours {
                self.marks.push(Mark {
                    row: index,
                    line: row.line,
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
            .fetch_add(self.split.rows.len() as u64, Ordering::Relaxed);
        let (Some(targets), layout) = (context.targets, context.layout) else {
            return Ok(());
        };
        let mut subject = Subject::new(Compact::new(layout), self.sim.zones.get(None));
        let mut record = Compact::new(layout);
        for mark in &self.marks {
            let row = self.split.rows[mark.row];
            if mark.held {
                let cells: Vec<String> = self.split.cells(text, row).map(str::to_string).collect();
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
            targets.fill(self.split.cells(text, row), &mut record, &mut self.problems);
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
    fn take_held(&mut self, held: Held, first: &HashMap<String, Place>, context: &Context<'c>) {
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
fn tell(errors: &mut Vec<Told>, file: &str, line: usize, block: u64, row: usize, problem: String) {
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

/// Where a row is: its line, block and place in the block (the same
/// blocks each time the file is read).
#[derive(Clone, Copy)]
struct Place {
    line: usize,
    block: u64,
    row: usize,
}

/// The first row of each held row's id, from the file read once more on
/// this thread.
fn first_lines(
    input: &Input<'_>,
    context: &Context<'_>,
    held: &[Held],
) -> Result<HashMap<String, Place>, Failure> {
    let mut wanted: HashMap<String, Option<Place>> =
        held.iter().map(|h| (h.id.clone(), None)).collect();
    let (file, _) = input.data.open()?;
    let mut report = Report::new(input.name);
    let mut split = Split::default();
    let mut see = |id: &str, place: Place| {
        if let Some(first @ None) = wanted.get_mut(id) {
            *first = Some(place);
        }
    };
    match context.header {
        Some(header) => {
            let Some((_, blocks)) = Blocks::csv(file, context.types, &mut report)? else {
                return Ok(HashMap::new());
            };
            let mut blocks = blocks.with_block(input.block);
            while let Some(block) = blocks.next_block()? {
                let text = std::str::from_utf8(&block.bytes).map_err(|_| Failure::NotUtf8)?;
                split.split(&block, text);
                for (index, &row) in split.rows.iter().enumerate() {
                    if row.count != header.width()
                        || split.cells(text, row).all(|cell| cell.trim().is_empty())
                    {
                        continue;
                    }
                    let id = split.cell(text, row, header.id_column()).trim();
                    if !id.is_empty() {
                        let place = Place {
                            line: row.line,
                            block: block.index,
                            row: index,
                        };
                        see(id, place);
                    }
                }
                blocks.give_back(block.bytes);
            }
        }
        None => {
            let mut blocks = Blocks::lines(file)?.with_block(input.block);
            while let Some(block) = blocks.next_block()? {
                let text = std::str::from_utf8(&block.bytes).map_err(|_| Failure::NotUtf8)?;
                let mut index = 0;
                for (line, row) in block_lines(text, block.first_line) {
                    if let Some((customer, _)) =
                        customer_of_line(row, line, context.types, &mut report)
                    {
                        if !customer.id.is_empty() {
                            let place = Place {
                                line,
                                block: block.index,
                                row: index,
                            };
                            see(&customer.id, place);
                        }
                        index += 1;
                    }
                }
            }
        }
    }
    Ok(wanted
        .into_iter()
        .filter_map(|(id, line)| line.map(|line| (id, line)))
        .collect())
}
