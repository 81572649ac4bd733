//! Stage 4, input: a Parquet file of customers.
//!
//! The simulator reads the file a column at a time into the cells of its
//! rows (`columns.rs`): each value becomes the text its CSV export holds in
//! that cell, and the cells go through the same reader as a CSV row's
//! (`to_compact.rs`), so a Parquet file and its CSV export give the same
//! run (tests/parquet.rs holds the two to byte-identical reports), without
//! writing or splitting CSV text and without a value made per cell: a
//! string is copied from the decoded page, a number written once.
//!
//! The commands that hold every customer whole (`nurture replay`, `trace`,
//! `sample history`, `fit`) read the file as the CSV text it holds
//! ([`ParquetCsv`], the crate's row reader): slower, and the same values.
//!
//! Before a row is read, the file's schema is checked against what each
//! column must hold (`id` text or a whole number, `score` a whole number,
//! a `date` attribute a date or a timestamp, …; docs/simulation.md has the
//! table): a column of the wrong type is one problem of the file, not one
//! per row. Only the columns a run needs are decoded: the built-in fields,
//! the columns `wanted` names, and, with a schema, text columns whose
//! declared type the CSV reader checks cell by cell. The others are left
//! empty: their types are proven by the file's schema.
//!
//! Every problem's line is the row's number in the file (the first row is
//! 1). In the CSV text, the header line ends with a lone `\r`, which ends a
//! CSV record but not a line, so the first customer is on line 1 there too.

mod cells;
mod columns;
mod file;
mod kinds;

pub use columns::{ParquetBlocks, ParquetRows};

use super::RowError;
use super::schema_types::Types;
use crate::syntax::ast::ValueType;
use cells::decimal;
use cells::{push_cell, write_field};
use file::At;
use kinds::{Kind, accepts, built_in, same_kind};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Row;
use parquet::schema::types::{Type, TypePtr};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Whether the file is named as Parquet: `.parquet` or `.parq`, in any case.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("parq"))
}

/// A problem of a Parquet file found while reading it, carried through
/// `std::io::Read` as the error's inner value ([`bad_parquet`]).
#[derive(Debug)]
struct Bad(RowError);

impl std::fmt::Display for Bad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Bad {}

/// An error carrying the first of `problems` (a file found bad where only
/// an `std::io::Error` can be returned).
pub fn parquet_error(mut problems: Vec<RowError>) -> io::Error {
    if problems.is_empty() {
        return io::Error::other("the Parquet file cannot be read");
    }
    io::Error::other(Bad(problems.swap_remove(0)))
}

/// The problem of the file in an error from [`ParquetCsv`]'s `read`, when
/// it is one (a damaged row group); `None` for a failure to read the disk.
pub fn bad_parquet(error: &io::Error) -> Option<&RowError> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Bad>())
        .map(|bad| &bad.0)
}

/// One column of the file: its name, what it holds, and whether it is
/// decoded.
struct Column {
    kind: Kind,
    read: bool,
}

/// A Parquet file of customers as CSV text, header first (see the module's
/// comment). Reading fails with an error [`bad_parquet`] explains when a
/// row group is damaged.
pub struct ParquetCsv {
    path: PathBuf,
    name: String,
    reader: Arc<SerializedFileReader<At>>,
    projection: Option<Arc<Type>>,
    columns: Arc<Vec<Column>>,
    pending: Vec<u8>,
    at: usize,
    /// One channel a decoding thread; row group `g` comes from `g % n`.
    from: Vec<Receiver<Chunk>>,
    group: usize,
    groups: usize,
    started: bool,
}

enum Chunk {
    Text(Vec<u8>),
    /// The row group is done.
    End,
    Bad(RowError),
}

/// How much text a decoding thread gathers before handing it on.
const CHUNK: usize = 256 * 1024;

fn bad(name: &str, line: usize, problem: String) -> RowError {
    RowError {
        file: name.to_string(),
        line,
        problem,
        note: false,
    }
}

/// A file opened and its schema checked: what both readers start from.
struct Opened {
    reader: SerializedFileReader<At>,
    columns: Vec<Column>,
    /// The columns read, as a schema (the row reader's projection).
    projection: Option<Arc<Type>>,
}

impl Opened {
    /// Opens `path` (named `name` in messages) and checks its schema; the
    /// problems of the file, all of them, when it cannot be read. `wanted`
    /// names the columns besides the built-in ones a run reads (`None`:
    /// every column).
    fn new(
        path: &Path,
        name: &str,
        types: Option<&Types<'_>>,
        wanted: Option<&BTreeSet<String>>,
    ) -> Result<Opened, Vec<RowError>> {
        let file = File::open(path)
            .and_then(At::new)
            .map_err(|error| vec![bad(name, 1, format!("cannot open the file: {error}"))])?;
        let reader = match std::panic::catch_unwind(|| SerializedFileReader::new(file)) {
            Ok(Ok(reader)) => reader,
            Ok(Err(error)) => {
                return Err(vec![bad(
                    name,
                    1,
                    format!(
                        "this is not a Parquet file, or its end was cut off ({error}); write it again, or give a `.csv` file"
                    ),
                )]);
            }
            Err(_) => {
                return Err(vec![bad(
                    name,
                    1,
                    "this Parquet file's footer is damaged; write it again".to_string(),
                )]);
            }
        };
        let root = reader.metadata().file_metadata().schema();
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let mut chosen: Vec<TypePtr> = Vec::new();
        let mut has_id = false;
        for field in root.get_fields() {
            let column = field.name();
            let kind = Kind::of(field);
            has_id |= column == "id";
            let needed =
                built_in(column) || column == "id" || wanted.is_none_or(|w| w.contains(column));
            let rule = accepts(column, types);
            if let Some((kinds, words)) = rule
                && !kinds.iter().any(|k| same_kind(*k, kind))
            {
                let fix = if kind == Kind::LocalTimestamp {
                    "; store the moments in UTC (a timestamp adjusted to UTC), or as RFC 3339 text with an offset"
                } else {
                    ""
                };
                problems.push(bad(
                    name,
                    1,
                    format!(
                        "the column `{column}` holds {}, but `{column}` must hold {words}{fix}",
                        kind.words()
                    ),
                ));
            }
            // A text column of a declared type other than text is checked
            // cell by cell, as the CSV reader checks it.
            let checked = kind == Kind::Text
                && rule.is_some()
                && !matches!(
                    types.and_then(|t| t.attributes.get(column)),
                    None | Some(ValueType::Text | ValueType::ListOfText)
                );
            let read = needed || checked;
            if read && matches!(kind, Kind::Other | Kind::LocalTimestamp) && rule.is_none() {
                problems.push(bad(
                    name,
                    1,
                    format!("the column `{column}` holds {}, which nurture cannot read; write it as text, a number, a boolean, a date or a UTC timestamp", kind.words()),
                ));
            }
            if read {
                chosen.push(field.clone());
            }
            columns.push(Column { kind, read });
        }
        if !has_id {
            problems.push(bad(
                name,
                1,
                "the file has no column `id`: every customer needs one".to_string(),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let projection = Type::group_type_builder(root.name())
            .with_fields(chosen)
            .build()
            .map(Arc::new)
            .ok();
        Ok(Opened {
            reader,
            columns,
            projection,
        })
    }

    /// The names of the file's columns, in order.
    fn names(&self) -> Vec<String> {
        let root = self.reader.metadata().file_metadata().schema();
        root.get_fields()
            .iter()
            .map(|field| field.name().to_string())
            .collect()
    }
}

impl ParquetCsv {
    /// Opens `path` (named `name` in messages) and checks its schema; the
    /// problems of the file, all of them, when it cannot be read. `wanted`
    /// names the columns besides the built-in ones a run reads (`None`:
    /// every column).
    pub fn open(
        path: &Path,
        name: &str,
        types: Option<&Types<'_>>,
        wanted: Option<&BTreeSet<String>>,
    ) -> Result<ParquetCsv, Vec<RowError>> {
        let Opened {
            reader,
            columns,
            projection,
        } = Opened::new(path, name, types, wanted)?;
        let root = reader.metadata().file_metadata().schema();
        let mut header = Vec::new();
        for (at, field) in root.get_fields().iter().enumerate() {
            if at > 0 {
                header.push(b',');
            }
            push_cell(&mut header, field.name());
        }
        header.push(b'\r');
        let groups = reader.num_row_groups();
        Ok(ParquetCsv {
            path: path.to_path_buf(),
            name: name.to_string(),
            reader: Arc::new(reader),
            projection,
            columns: Arc::new(columns),
            pending: header,
            at: 0,
            from: Vec::new(),
            group: 0,
            groups,
            started: false,
        })
    }

    /// How many rows the file says it has.
    pub fn rows(&self) -> u64 {
        u64::try_from(self.reader.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// The decoding threads, started at the first read past the header.
    fn start(&mut self) {
        self.started = true;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
            .min(self.groups.max(1));
        // Row group `g` is the `g / threads`-th of thread `g % threads`.
        let mut firsts = Vec::with_capacity(self.groups);
        let mut row = 1usize;
        for g in 0..self.groups {
            firsts.push(row);
            row += self.reader.metadata().row_group(g).num_rows().max(0) as usize;
        }
        let firsts = Arc::new(firsts);
        for k in 0..threads {
            let (send, receive) = sync_channel::<Chunk>(2);
            self.from.push(receive);
            let job = Job {
                reader: self.reader.clone(),
                projection: self.projection.clone(),
                columns: self.columns.clone(),
                name: self.name.clone(),
                firsts: firsts.clone(),
            };
            let step = threads;
            let groups = self.groups;
            // The thread ends when its row groups are done or the reader
            // is dropped (its sends then fail).
            std::thread::spawn(move || {
                let mut g = k;
                while g < groups {
                    if !job.group(g, &send) {
                        return;
                    }
                    g += step;
                }
            });
        }
    }
}

impl Read for ParquetCsv {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.at < self.pending.len() {
                let n = out.len().min(self.pending.len() - self.at);
                out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.group >= self.groups || out.is_empty() {
                return Ok(0);
            }
            if !self.started {
                self.start();
            }
            let from = &self.from[self.group % self.from.len()];
            match from.recv() {
                Ok(Chunk::Text(text)) => {
                    self.pending = text;
                    self.at = 0;
                }
                Ok(Chunk::End) => self.group += 1,
                Ok(Chunk::Bad(row)) => {
                    self.group = self.groups;
                    return Err(io::Error::other(Bad(row)));
                }
                Err(_) => {
                    self.group = self.groups;
                    return Err(io::Error::other(Bad(bad(
                        &self.name,
                        1,
                        format!(
                            "reading `{}` stopped: a row group could not be decoded",
                            self.path.display()
                        ),
                    ))));
                }
            }
        }
    }
}

/// The codec a row group is compressed with that nurture does not read,
/// from the decoder's error.
fn compressed_with(problem: &str) -> Option<&str> {
    let codec = problem.split("Disabled feature at compile time: ").nth(1)?;
    Some(codec.split_whitespace().next().unwrap_or(codec))
}

/// Row group `g` (or its `column`) cannot be read at `row`: `problem` in
/// the words the docs list.
fn group_problem(
    name: &str,
    g: usize,
    row: usize,
    column: Option<&str>,
    problem: &str,
) -> RowError {
    if let Some(codec) = compressed_with(problem) {
        return bad(
            name,
            row,
            format!(
                "row group {g} is compressed with {codec}, which nurture does not read: write the file with Snappy (`compression=\"snappy\"`) or uncompressed"
            ),
        );
    }
    let what = match column {
        Some(column) => format!("the column `{column}` of row group {g}"),
        None => format!("row group {g}"),
    };
    bad(
        name,
        row,
        format!(
            "{what} cannot be read ({problem}): the file is damaged or was cut short; write it again"
        ),
    )
}

/// What a decoding thread needs.
struct Job {
    reader: Arc<SerializedFileReader<At>>,
    projection: Option<Arc<Type>>,
    columns: Arc<Vec<Column>>,
    name: String,
    /// The number of each row group's first row.
    firsts: Arc<Vec<usize>>,
}

impl Job {
    /// Decodes row group `g` into chunks of text; false when the reader is
    /// gone or the group is damaged (told).
    fn group(&self, g: usize, send: &SyncSender<Chunk>) -> bool {
        let first = self.firsts.get(g).copied().unwrap_or(1);
        // The decoder has panicked on damaged pages before; a panic is the
        // file's problem here, not the program's.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.decode(g, first, send)));
        let problem = match outcome {
            Ok(Ok(sent)) => return sent && send.send(Chunk::End).is_ok(),
            Ok(Err((row, problem))) => (row, problem),
            Err(_) => (first, "the decoder failed".to_string()),
        };
        let (row, problem) = problem;
        let column = if compressed_with(&problem).is_some() {
            None
        } else {
            self.damaged_column(g)
        };
        let _ = send.send(Chunk::Bad(group_problem(
            &self.name,
            g,
            row,
            column.as_deref(),
            &problem,
        )));
        false
    }

    /// Ok(false) when the reader is gone; Err((row, problem)) at a row
    /// that cannot be read.
    fn decode(
        &self,
        g: usize,
        first: usize,
        send: &SyncSender<Chunk>,
    ) -> Result<bool, (usize, String)> {
        let group = self
            .reader
            .get_row_group(g)
            .map_err(|error| (first, error.to_string()))?;
        let rows = group
            .get_row_iter(self.projection.as_deref().cloned())
            .map_err(|error| (first, error.to_string()))?;
        let mut text = Vec::with_capacity(CHUNK + 4096);
        for (at, row) in rows.enumerate() {
            let number = first + at;
            let row = row.map_err(|error| (number, error.to_string()))?;
            self.push_row(&mut text, &row, number)?;
            if text.len() >= CHUNK {
                let full = std::mem::replace(&mut text, Vec::with_capacity(CHUNK + 4096));
                if send.send(Chunk::Text(full)).is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(text.is_empty() || send.send(Chunk::Text(text)).is_ok())
    }

    /// The first column of row group `g` that cannot be read alone.
    fn damaged_column(&self, g: usize) -> Option<String> {
        let projection = self.projection.as_deref()?;
        for field in projection.get_fields() {
            let alone = Type::group_type_builder(projection.name())
                .with_fields(vec![field.clone()])
                .build()
                .ok()?;
            let fails = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let Ok(group) = self.reader.get_row_group(g) else {
                    return true;
                };
                match group.get_row_iter(Some(alone)) {
                    Ok(mut rows) => rows.any(|row| row.is_err()),
                    Err(_) => true,
                }
            }))
            .unwrap_or(true);
            if fails {
                return Some(field.name().to_string());
            }
        }
        None
    }

    fn push_row(
        &self,
        text: &mut Vec<u8>,
        row: &Row,
        number: usize,
    ) -> Result<(), (usize, String)> {
        let mut fields = row.get_column_iter();
        let mut cell = String::new();
        for (at, column) in self.columns.iter().enumerate() {
            if at > 0 {
                text.push(b',');
            }
            if !column.read {
                continue;
            }
            let Some((name, field)) = fields.next() else {
                continue;
            };
            cell.clear();
            write_field(&mut cell, field, column.kind)
                .map_err(|problem| (number, format!("`{name}` {problem}")))?;
            push_cell(text, &cell);
        }
        text.push(b'\n');
        Ok(())
    }
}

/// The whole file as CSV text, for the commands that hold every customer
/// (`nurture replay`, `trace`, `sample history`).
pub fn csv_text(
    path: &Path,
    name: &str,
    types: Option<&Types<'_>>,
) -> Result<String, Vec<RowError>> {
    let mut reader = ParquetCsv::open(path, name, types, None)?;
    let mut text = String::new();
    match reader.read_to_string(&mut text) {
        Ok(_) => Ok(text),
        Err(error) => Err(vec![match bad_parquet(&error) {
            Some(row) => row.clone(),
            None => bad(name, 1, format!("cannot read the file: {error}")),
        }]),
    }
}
