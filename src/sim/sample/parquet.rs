//! The sample customers as Parquet (`nurture sample customers --format
//! parquet`): the very rows `row.rs` writes as CSV, each column given its
//! natural type, so a run reads the same customers from either file.
//!
//! | columns | Parquet type |
//! |---|---|
//! | `id` | required string |
//! | `consents`, `tags`, `segments` | list of strings (empty for none) |
//! | `score`, `lifetime_value`, `last_order.amount` | int64 |
//! | `churn_risk` | double |
//! | `is_key_account` | boolean |
//! | `last_purchase_at`, `contract_end`, `consumables_due_at` | date |
//! | `last_event_at.purchase`, `last_event_at.login` | timestamp (milliseconds, UTC) |
//! | every other column | string |
//!
//! An empty CSV cell is a null. Row groups of [`GROUP`] rows, compressed
//! with Snappy, which every Parquet reader has.

use super::{HEADER, Options, profile, row};
use crate::run::input::parse_time;
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

/// Rows in a row group: sixteen groups for a million customers, so
/// reading spreads across threads, each group a few megabytes.
pub const GROUP: u64 = 65_536;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    List,
    Whole,
    Fraction,
    Bool,
    Date,
    Moment,
}

fn kind(column: &str) -> Kind {
    match column {
        "consents" | "tags" | "segments" => Kind::List,
        "score" | "lifetime_value" | "last_order.amount" => Kind::Whole,
        "churn_risk" => Kind::Fraction,
        "is_key_account" => Kind::Bool,
        "last_purchase_at" | "contract_end" | "consumables_due_at" => Kind::Date,
        _ if column.starts_with("last_event_at.") => Kind::Moment,
        _ => Kind::Text,
    }
}

fn schema() -> Result<Type, ParquetError> {
    let mut fields = Vec::new();
    for column in HEADER.split(',') {
        let optional = if column == "id" {
            Repetition::REQUIRED
        } else {
            Repetition::OPTIONAL
        };
        let leaf = |physical, logical: Option<LogicalType>| {
            Type::primitive_type_builder(column, physical)
                .with_repetition(optional)
                .with_logical_type(logical)
                .build()
        };
        let field = match kind(column) {
            Kind::Text => leaf(Physical::BYTE_ARRAY, Some(LogicalType::String))?,
            Kind::Whole => leaf(Physical::INT64, None)?,
            Kind::Fraction => leaf(Physical::DOUBLE, None)?,
            Kind::Bool => leaf(Physical::BOOLEAN, None)?,
            Kind::Date => leaf(Physical::INT32, Some(LogicalType::Date))?,
            Kind::Moment => leaf(
                Physical::INT64,
                Some(LogicalType::timestamp(true, TimeUnit::MILLIS)),
            )?,
            Kind::List => {
                let element = Type::primitive_type_builder("element", Physical::BYTE_ARRAY)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(Some(LogicalType::String))
                    .build()?;
                let list = Type::group_type_builder("list")
                    .with_repetition(Repetition::REPEATED)
                    .with_fields(vec![Arc::new(element)])
                    .build()?;
                Type::group_type_builder(column)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(Some(LogicalType::List))
                    .with_fields(vec![Arc::new(list)])
                    .build()?
            }
        };
        fields.push(Arc::new(field));
    }
    Type::group_type_builder("customers")
        .with_fields(fields)
        .build()
}

/// What the writer has written and `out` not yet taken: the writer must
/// own a `Send` sink, and `out` (a temporary file or standard output) is
/// handed the bytes after each row group.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("a writer failed"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Pending {
    fn drain_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let bytes = {
            let mut held = self
                .0
                .lock()
                .map_err(|_| io::Error::other("a writer failed"))?;
            std::mem::take(&mut *held)
        };
        out.write_all(&bytes)
    }
}

fn failed(error: ParquetError) -> io::Error {
    match error {
        ParquetError::External(inner) => io::Error::other(inner),
        other => io::Error::other(other.to_string()),
    }
}

/// Writes `options.count` customers to `out` as one Parquet file.
pub fn write_customers(out: &mut dyn Write, options: &Options) -> io::Result<()> {
    let mut writer = Writer::new()?;
    let width = super::digits(options.count).max(7);
    let mut text = Vec::new();
    let mut first = 1;
    while first <= options.count {
        let last = options.count.min(first + GROUP - 1);
        text.clear();
        for number in first..=last {
            let customer = profile::profile(options.seed, number, options.as_of);
            row::push_row(&mut text, number, width, &customer);
        }
        let text = std::str::from_utf8(&text).map_err(io::Error::other)?;
        writer.group(text.lines(), out)?;
        first = last + 1;
    }
    writer.finish(out)
}

/// A CSV in the sample's columns ([`HEADER`], nothing quoted) as Parquet,
/// typed as [`write_customers`] types them: the bundled population, or
/// any sample, for comparing the two readers (tests, benches).
pub fn csv_as_parquet(csv: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut lines = csv.lines();
    if lines.next() != Some(HEADER) {
        return Err(io::Error::other(
            "the first line is not the sample's columns",
        ));
    }
    let mut writer = Writer::new()?;
    let rows: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    for group in rows.chunks(GROUP as usize) {
        writer.group(group.iter().copied(), out)?;
    }
    writer.finish(out)
}

struct Writer {
    file: SerializedFileWriter<Pending>,
    pending: Pending,
}

impl Writer {
    fn new() -> io::Result<Writer> {
        let schema = Arc::new(schema().map_err(failed)?);
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(GROUP as usize))
                .build(),
        );
        let pending = Pending::default();
        let file =
            SerializedFileWriter::new(pending.clone(), schema, properties).map_err(failed)?;
        Ok(Writer { file, pending })
    }

    /// One row group of CSV rows (`row.rs` quotes nothing: no cell holds
    /// a comma or a line break), handed to `out`.
    fn group<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a str>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let columns: Vec<&str> = HEADER.split(',').collect();
        let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
        if rows.iter().any(|row| row.len() != columns.len()) {
            return Err(io::Error::other(
                "a row is not as wide as the sample's columns",
            ));
        }
        let mut group = self.file.next_row_group().map_err(failed)?;
        let mut at = 0;
        while let Some(mut column) = group.next_column().map_err(failed)? {
            let name = columns.get(at).copied().unwrap_or("");
            let cells = rows.iter().map(|row| row.get(at).copied().unwrap_or(""));
            write_column(column.untyped(), kind(name), name == "id", cells)?;
            column.close().map_err(failed)?;
            at += 1;
        }
        group.close().map_err(failed)?;
        self.pending.drain_to(out)
    }

    fn finish(self, out: &mut dyn Write) -> io::Result<()> {
        self.file.close().map_err(failed)?;
        self.pending.drain_to(out)?;
        out.flush()
    }
}

/// One column of a row group from its CSV cells.
fn write_column<'a>(
    writer: &mut ColumnWriter<'_>,
    kind: Kind,
    required: bool,
    cells: impl Iterator<Item = &'a str>,
) -> io::Result<()> {
    let mut defs: Vec<i16> = Vec::new();
    let mut reps: Vec<i16> = Vec::new();
    let bad =
        |cell: &str| io::Error::other(format!("the sample wrote `{cell}`, which it cannot read"));
    let result = match (kind, writer) {
        (Kind::List, ColumnWriter::ByteArrayColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                let mut items = cell.split(';').filter(|item| !item.is_empty()).peekable();
                if items.peek().is_none() {
                    defs.push(1);
                    reps.push(0);
                }
                for (n, item) in items.enumerate() {
                    defs.push(2);
                    reps.push(i16::from(n > 0));
                    values.push(ByteArray::from(item));
                }
            }
            w.write_batch(&values, Some(&defs), Some(&reps))
        }
        (Kind::Text, ColumnWriter::ByteArrayColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                if !cell.is_empty() {
                    values.push(ByteArray::from(cell));
                }
                defs.push(i16::from(!cell.is_empty()));
            }
            w.write_batch(&values, (!required).then_some(&defs[..]), None)
        }
        (Kind::Whole | Kind::Moment, ColumnWriter::Int64ColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                if !cell.is_empty() {
                    values.push(match kind {
                        Kind::Moment => parse_time(cell).ok_or_else(|| bad(cell))? * 1_000,
                        _ => cell.parse().map_err(|_| bad(cell))?,
                    });
                }
                defs.push(i16::from(!cell.is_empty()));
            }
            w.write_batch(&values, Some(&defs), None)
        }
        (Kind::Date, ColumnWriter::Int32ColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                if !cell.is_empty() {
                    let at = parse_time(cell).ok_or_else(|| bad(cell))?;
                    values.push(i32::try_from(at.div_euclid(86_400)).map_err(|_| bad(cell))?);
                }
                defs.push(i16::from(!cell.is_empty()));
            }
            w.write_batch(&values, Some(&defs), None)
        }
        (Kind::Fraction, ColumnWriter::DoubleColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                if !cell.is_empty() {
                    values.push(cell.parse::<f64>().map_err(|_| bad(cell))?);
                }
                defs.push(i16::from(!cell.is_empty()));
            }
            w.write_batch(&values, Some(&defs), None)
        }
        (Kind::Bool, ColumnWriter::BoolColumnWriter(w)) => {
            let mut values = Vec::new();
            for cell in cells {
                if !cell.is_empty() {
                    values.push(cell == "true");
                }
                defs.push(i16::from(!cell.is_empty()));
            }
            w.write_batch(&values, Some(&defs), None)
        }
        _ => return Err(io::Error::other("a column's writer is not of its type")),
    };
    result.map(|_| ()).map_err(failed)
}
