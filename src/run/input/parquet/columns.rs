//! Stage 4, input, Parquet: the simulator's reader. A block of rows is
//! decoded a column at a time, with the crate's column readers, into one
//! text and the ends of its cells per column: the cells the CSV reader
//! would split from the same data written as CSV, without the CSV (see the
//! module's comment in `mod.rs`). The columns a run does not read are not
//! decoded at all; their cells are empty.
//!
//! Blocks hold [`ROWS`] rows, cut in file order whatever the row groups
//! (a block may end one row group and start the next), so the same file
//! gives the same blocks for any number of threads.

use super::super::Report;
use super::super::blocks::{Block, CsvHeader};
use super::super::from_csv::header;
use super::super::schema_types::Types;
use super::super::time::show_into;
use super::file::At;
use super::kinds::Kind;
use super::{Bad, Opened, RowError, decimal, group_problem};
use parquet::basic::ConvertedType;
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, FixedLenByteArray, Int96};
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

/// Rows a block holds: about a CSV block's (`BLOCK`, 1 MiB of rows of
/// about 200 bytes).
pub const ROWS: usize = 4096;

/// The cells of a block of rows, a column at a time.
#[derive(Debug, Default)]
pub struct ParquetRows {
    /// The number of the block's first row (the file's first row is 1).
    first: usize,
    count: usize,
    /// Every column of the file; a column not read has no cells.
    columns: Vec<Cells>,
}

/// One column's cells: one text, and where each cell ends in it.
#[derive(Debug, Default)]
struct Cells {
    text: String,
    ends: Vec<usize>,
}

impl Cells {
    fn get(&self, row: usize) -> &str {
        let Some(&end) = self.ends.get(row) else {
            return "";
        };
        let start = match row {
            0 => 0,
            _ => self.ends.get(row - 1).copied().unwrap_or(end),
        };
        // Cells end where a value ended, never inside a character.
        self.text.get(start..end).unwrap_or("")
    }

    fn end(&mut self) {
        self.ends.push(self.text.len());
    }
}

impl ParquetRows {
    /// How many rows the block holds.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many columns the file has (every row has them all).
    pub fn columns(&self) -> usize {
        self.columns.len()
    }

    /// The row's number in the file, its line in messages.
    pub fn line(&self, row: usize) -> usize {
        self.first + row
    }

    /// The row's cells, a column each.
    pub fn cells(&self, row: usize) -> impl Iterator<Item = &str> {
        self.columns.iter().map(move |column| column.get(row))
    }

    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.columns.get(column).map_or("", |c| c.get(row))
    }
}

/// A column of the file as it is read.
struct Read {
    kind: Kind,
    converted: ConvertedType,
    /// The leaf the values are in.
    leaf: usize,
    max_def: i16,
    max_rep: i16,
}

/// A Parquet file of customers read a block of rows at a time.
pub struct ParquetBlocks {
    name: String,
    reader: SerializedFileReader<At>,
    /// Every column of the file: how it is read, when it is.
    columns: Vec<Option<Read>>,
    /// The readers of the row group being read, a column each.
    open: Vec<Option<ColumnReader>>,
    group: usize,
    /// Rows of the open row group not read yet.
    left: usize,
    /// The number of the next row.
    row: usize,
    index: u64,
    rows: usize,
    done: bool,
}

impl ParquetBlocks {
    /// Opens `path` and checks its schema and its columns' names (as a CSV
    /// header is checked, its problems told to `report`); the file's
    /// problems, all of them, when it cannot be read. `wanted` as for
    /// [`super::ParquetCsv::open`].
    pub fn open<'s>(
        path: &Path,
        name: &str,
        types: Option<&Types<'s>>,
        wanted: Option<&BTreeSet<String>>,
        report: &mut Report<'_>,
    ) -> Result<Option<(CsvHeader<'s>, ParquetBlocks)>, Vec<RowError>> {
        let opened = Opened::new(path, name, types, wanted)?;
        let names = csv::StringRecord::from(opened.names());
        let Some(columns) = header(&names, false, types, 1, report) else {
            return Ok(None);
        };
        let Some(id_column) = columns
            .iter()
            .position(|c| matches!(c, super::super::from_csv::Column::Id))
        else {
            return Ok(None);
        };
        let schema = opened.reader.metadata().file_metadata().schema_descr_ptr();
        let mut reads = Vec::with_capacity(opened.columns.len());
        for (at, column) in opened.columns.iter().enumerate() {
            let leaves: Vec<usize> = (0..schema.num_columns())
                .filter(|&leaf| schema.get_column_root_idx(leaf) == at)
                .collect();
            let read = match (column.read, leaves.as_slice()) {
                (true, &[leaf]) => {
                    let descr = schema.column(leaf);
                    Some(Read {
                        kind: column.kind,
                        converted: descr.converted_type(),
                        leaf,
                        max_def: descr.max_def_level(),
                        max_rep: descr.max_rep_level(),
                    })
                }
                // `Opened` refuses a column read that is not one leaf
                // (nested groups are of no kind nurture reads).
                _ => None,
            };
            reads.push(read);
        }
        let open = reads.iter().map(|_| None).collect();
        Ok(Some((
            CsvHeader { columns, id_column },
            ParquetBlocks {
                name: name.to_string(),
                reader: opened.reader,
                columns: reads,
                open,
                group: 0,
                left: 0,
                row: 1,
                index: 0,
                rows: ROWS,
                done: false,
            },
        )))
    }

    /// Blocks of `rows` rows rather than [`ROWS`] (tests cut tiny ones, to
    /// put row groups across the edges of blocks).
    pub fn with_rows(mut self, rows: usize) -> Self {
        self.rows = rows.max(1);
        self
    }

    /// How many rows the file says it has.
    pub fn file_rows(&self) -> u64 {
        u64::try_from(self.reader.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// The next block, or `None` after the last row; an error [`super::bad_parquet`]
    /// explains when a row group is damaged (and nothing more is read).
    pub fn next_block(&mut self) -> Result<Option<Block>, std::io::Error> {
        if self.done {
            return Ok(None);
        }
        // The decoder has panicked on damaged pages before; a panic is the
        // file's problem here, not the program's.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.decode()));
        let result = match outcome {
            Ok(result) => result,
            Err(_) => Err(group_problem(
                &self.name,
                self.group.saturating_sub(1),
                self.row,
                None,
                "the decoder failed",
            )),
        };
        match result {
            Ok(Some(rows)) => {
                let index = self.index;
                self.index += 1;
                Ok(Some(Block {
                    index,
                    bytes: Vec::new(),
                    first_line: rows.first,
                    quoted: false,
                    parquet: Some(Box::new(rows)),
                }))
            }
            Ok(None) => {
                self.done = true;
                Ok(None)
            }
            Err(problem) => {
                self.done = true;
                Err(std::io::Error::other(Bad(problem)))
            }
        }
    }

    fn decode(&mut self) -> Result<Option<ParquetRows>, RowError> {
        let mut rows = ParquetRows {
            first: self.row,
            count: 0,
            columns: self.columns.iter().map(|_| Cells::default()).collect(),
        };
        let mut levels = Levels::default();
        while rows.count < self.rows {
            if self.left == 0 && !self.next_group()? {
                break;
            }
            let take = self.left.min(self.rows - rows.count);
            let g = self.group - 1;
            for (at, read) in self.columns.iter().enumerate() {
                let (Some(read), Some(Some(reader)), Some(cells)) =
                    (read, self.open.get_mut(at), rows.columns.get_mut(at))
                else {
                    continue;
                };
                decode(reader, read, take, &mut levels, cells).map_err(|(offset, problem)| {
                    let root = self.reader.metadata().file_metadata().schema();
                    let column = root
                        .get_fields()
                        .get(at)
                        .map_or(String::new(), |field| field.name().to_string());
                    group_problem(&self.name, g, self.row + offset, Some(&column), &problem)
                })?;
            }
            rows.count += take;
            self.left -= take;
            self.row += take;
        }
        Ok((rows.count > 0).then_some(rows))
    }

    /// Opens the next row group with rows; false after the last.
    fn next_group(&mut self) -> Result<bool, RowError> {
        while self.group < self.reader.num_row_groups() {
            let g = self.group;
            self.group += 1;
            let rows = self.reader.metadata().row_group(g).num_rows().max(0) as usize;
            if rows == 0 {
                continue;
            }
            let group = self.reader.get_row_group(g).map_err(|error| {
                group_problem(&self.name, g, self.row, None, &error.to_string())
            })?;
            for (at, read) in self.columns.iter().enumerate() {
                let Some(read) = read else { continue };
                let reader = group.get_column_reader(read.leaf).map_err(|error| {
                    group_problem(&self.name, g, self.row, None, &error.to_string())
                })?;
                self.open[at] = Some(reader);
            }
            self.left = rows;
            return Ok(true);
        }
        Ok(false)
    }
}

/// The levels read, kept between columns.
#[derive(Default)]
struct Levels {
    def: Vec<i16>,
    rep: Vec<i16>,
    item: String,
}

/// `take` rows of one column into its cells; on a problem, the row (from
/// the first of these) and what is wrong.
fn decode(
    reader: &mut ColumnReader,
    read: &Read,
    take: usize,
    levels: &mut Levels,
    cells: &mut Cells,
) -> Result<(), (usize, String)> {
    let kind = read.kind;
    match reader {
        ColumnReader::BoolColumnReader(r) => typed(r, read, take, levels, cells, |v, out| {
            let _ = write!(out, "{v}");
            Ok(())
        }),
        ColumnReader::Int32ColumnReader(r) => typed(r, read, take, levels, cells, |v, out| {
            let v = *v;
            match kind {
                Kind::Date => show_into(out, i64::from(v) * 86_400),
                Kind::Decimal(scale) => out.push_str(&decimal(i128::from(v), scale)),
                // As the row reader widens them.
                _ => match read.converted {
                    ConvertedType::INT_8 => push_int(out, i128::from(v as i8)),
                    ConvertedType::INT_16 => push_int(out, i128::from(v as i16)),
                    ConvertedType::UINT_8 => push_int(out, i128::from(v as u8)),
                    ConvertedType::UINT_16 => push_int(out, i128::from(v as u16)),
                    ConvertedType::UINT_32 => push_int(out, i128::from(v as u32)),
                    _ => push_int(out, i128::from(v)),
                },
            }
            Ok(())
        }),
        ColumnReader::Int64ColumnReader(r) => typed(r, read, take, levels, cells, |v, out| {
            let v = *v;
            match kind {
                Kind::Timestamp(per) => show_into(out, v.div_euclid(per.max(1))),
                Kind::Date => show_into(out, v.saturating_mul(86_400)),
                Kind::Decimal(scale) => out.push_str(&decimal(i128::from(v), scale)),
                _ if read.converted == ConvertedType::UINT_64 => {
                    push_int(out, i128::from(v as u64))
                }
                _ => push_int(out, i128::from(v)),
            }
            Ok(())
        }),
        ColumnReader::Int96ColumnReader(r) => {
            typed(r, read, take, levels, cells, |v: &Int96, out| {
                show_into(out, v.to_millis().div_euclid(1_000));
                Ok(())
            })
        }
        // Rust writes the shortest digits that read back as the same
        // number, which is what a CSV export writes.
        ColumnReader::FloatColumnReader(r) => typed(r, read, take, levels, cells, |v, out| {
            let _ = write!(out, "{v}");
            Ok(())
        }),
        ColumnReader::DoubleColumnReader(r) => typed(r, read, take, levels, cells, |v, out| {
            let _ = write!(out, "{v}");
            Ok(())
        }),
        ColumnReader::ByteArrayColumnReader(r) => {
            typed(r, read, take, levels, cells, |v: &ByteArray, out| {
                bytes(v.data(), kind, out)
            })
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => typed(
            r,
            read,
            take,
            levels,
            cells,
            |v: &FixedLenByteArray, out| bytes(v.data(), kind, out),
        ),
    }
}

/// A whole number as Rust writes it, without the formatter (the reader
/// writes every number of a file).
fn push_int(out: &mut String, value: i128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if value < 0 {
        out.push('-');
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// Text, or a decimal's big-endian bytes.
fn bytes(data: &[u8], kind: Kind, out: &mut String) -> Result<(), String> {
    if let Kind::Decimal(scale) = kind {
        if data.is_empty() || data.len() > 16 {
            return Err("is a decimal of more than 38 digits".to_string());
        }
        let mut value: i128 = if data[0] & 0x80 != 0 { -1 } else { 0 };
        for byte in data {
            value = (value << 8) | i128::from(*byte);
        }
        let _ = write!(out, "{}", decimal(value, scale));
        return Ok(());
    }
    match std::str::from_utf8(data) {
        Ok(text) => {
            out.push_str(text);
            Ok(())
        }
        Err(_) => Err("is not UTF-8 text".to_string()),
    }
}

/// `take` records of a typed column, each value written by `write`; a null
/// is an empty cell, a list its items joined by `;` (blank items and
/// nulls left out, as the CSV text of a list).
fn typed<T: DataType>(
    reader: &mut ColumnReaderImpl<T>,
    read: &Read,
    take: usize,
    levels: &mut Levels,
    cells: &mut Cells,
    write: impl Fn(&T::T, &mut String) -> Result<(), String>,
) -> Result<(), (usize, String)> {
    levels.def.clear();
    levels.rep.clear();
    let mut values: Vec<T::T> = Vec::with_capacity(take);
    let mut records = 0;
    while records < take {
        let (got, _, _) = reader
            .read_records(
                take - records,
                Some(&mut levels.def),
                Some(&mut levels.rep),
                &mut values,
            )
            .map_err(|error| (records, error.to_string()))?;
        if got == 0 {
            return Err((records, "the column ends before its row group".to_string()));
        }
        records += got;
    }
    let mut values = values.iter();
    let mut next = |out: &mut String, row: usize| match values.next() {
        Some(value) => write(value, out).map_err(|problem| (row, problem)),
        None => Err((row, "a value is missing".to_string())),
    };
    if read.max_rep == 0 {
        for row in 0..take {
            let present = read.max_def == 0 || levels.def.get(row) == Some(&read.max_def);
            if present {
                next(&mut cells.text, row)?;
            }
            cells.end();
        }
        return Ok(());
    }
    // A list: a repetition level of 0 starts the next row.
    let mut row = 0;
    let mut first = true;
    for (at, &rep) in levels.rep.iter().enumerate() {
        if rep == 0 && at > 0 {
            cells.end();
            row += 1;
            first = true;
        }
        if levels.def.get(at) != Some(&read.max_def) {
            continue;
        }
        levels.item.clear();
        next(&mut levels.item, row)?;
        if levels.item.trim().is_empty() {
            continue;
        }
        if !first {
            cells.text.push(';');
        }
        first = false;
        cells.text.push_str(&levels.item);
    }
    if !levels.rep.is_empty() {
        cells.end();
        row += 1;
    }
    if row != take {
        return Err((0, format!("{take} rows hold {row} lists")));
    }
    Ok(())
}

// Tests only: the `expect`s below write a file the test makes itself, never
// a user's input.
#[cfg(test)]
mod tests {
    use super::*;

    /// A wide column no program reads is not decoded: its cells are not
    /// even empty texts, there are none.
    #[test]
    fn a_column_not_read_is_not_decoded() {
        use parquet::data_type::{ByteArrayType, Int64Type};
        use parquet::file::properties::WriterProperties;
        use parquet::file::writer::SerializedFileWriter;
        use parquet::schema::parser::parse_message_type;
        use std::sync::Arc;
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("wide.parquet");
        let message = "message m { required binary id (STRING); required binary notes (STRING); required int64 score; }";
        let schema = Arc::new(parse_message_type(message).expect("a schema"));
        let file = std::fs::File::create(&path).expect("created");
        let properties = Arc::new(WriterProperties::builder().build());
        let mut writer = SerializedFileWriter::new(file, schema, properties).expect("a writer");
        let mut group = writer.next_row_group().expect("a row group");
        let ids: Vec<ByteArray> = (0..10)
            .map(|n| ByteArray::from(format!("c{n}").as_str()))
            .collect();
        let notes: Vec<ByteArray> = (0..10)
            .map(|_| ByteArray::from("n".repeat(10_000).as_str()))
            .collect();
        let scores: Vec<i64> = (0..10).collect();
        for values in [&ids, &notes] {
            let mut column = group.next_column().expect("ok").expect("a column");
            column
                .typed::<ByteArrayType>()
                .write_batch(values, None, None)
                .expect("written");
            column.close().expect("closed");
        }
        let mut column = group.next_column().expect("ok").expect("a column");
        column
            .typed::<Int64Type>()
            .write_batch(&scores, None, None)
            .expect("written");
        column.close().expect("closed");
        group.close().expect("closed");
        writer.close().expect("closed");
        let mut report = Report::new("wide.parquet");
        let wanted = BTreeSet::new();
        let (header, blocks) =
            ParquetBlocks::open(&path, "wide.parquet", None, Some(&wanted), &mut report)
                .expect("opened")
                .expect("columns");
        assert_eq!(header.width(), 3);
        let mut blocks = blocks.with_rows(4);
        let mut seen = Vec::new();
        while let Some(block) = blocks.next_block().expect("read") {
            let rows = block.parquet.expect("rows");
            assert!(rows.columns[1].ends.is_empty() && rows.columns[1].text.is_empty());
            for row in 0..rows.len() {
                seen.push((
                    rows.line(row),
                    rows.cells(row).map(str::to_string).collect::<Vec<_>>(),
                ));
            }
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(
            seen[9],
            (10, vec!["c9".to_string(), String::new(), "9".to_string()])
        );
        // Read with every column, the notes are there.
        let mut report = Report::new("wide.parquet");
        let (_, mut blocks) = ParquetBlocks::open(&path, "wide.parquet", None, None, &mut report)
            .expect("opened")
            .expect("columns");
        let block = blocks.next_block().expect("read").expect("a block");
        let rows = block.parquet.expect("rows");
        assert_eq!(rows.cell(0, 1).len(), 10_000);
    }

    #[test]
    fn whole_numbers_are_written_as_rust_writes_them() {
        for value in [
            0,
            7,
            -7,
            10,
            1_234_567,
            i128::from(i64::MIN),
            i128::from(u64::MAX),
        ] {
            let mut out = String::new();
            push_int(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }
}
