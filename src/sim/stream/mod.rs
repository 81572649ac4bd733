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

mod claims;
mod data;
mod hand;
mod repeats;
mod source;
mod table;

pub use data::{Data, Failure, Input, Shard};

use super::behavior::Behavior;
use super::run::{Options, merge};
use super::setup::Setup;
use super::tally::Tally;
use super::together::{Lineup, WeekTally};
use crate::run::compact::Layout;
use crate::run::input::{Block, CsvHeader, Report, RowError, Seen, Targets, Types};
use claims::Claims;
use hand::{Done, Hand, Held};
use repeats::first_lines;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

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
    let mut report = Report::new(input.name);
    let Some(source::Opened {
        header,
        mut blocks,
        bytes,
    }) = source::open(input, types.as_ref(), &mut report)?
    else {
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
    };
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
