//! Stage 4, input: a customers file read in blocks of whole rows, so that
//! a file of any size is read in the memory of a few blocks, and the
//! blocks can be made customers of on several threads at once.
//!
//! A CSV block ends after a row's line break. Where a block holds no `"`
//! that is simply its last line break; where it holds one, csv-core reads
//! the block to find where its last whole row ends (a quoted cell may hold
//! a line break), and a row with a line break in a cell and the wrong
//! number of fields — a quote without its closing quote — is reported and
//! reading goes on at the line after its start, as `read_csv` does. A JSON
//! Lines block ends after its last line break.

use super::Report;
use super::from_csv::{Column, header};
use super::schema_types::Types;
use csv::StringRecord;
use std::io::Read;

/// The size of a block: big enough that handing one to a thread costs
/// nothing next to reading it, small enough that a few in flight are a
/// few megabytes.
pub const BLOCK: usize = 1 << 20;

/// A row longer than this is taken for a quote without its closing quote
/// rather than read to the end of the file.
pub const LONGEST_ROW: usize = 16 << 20;

/// Whole rows of a file.
pub struct Block {
    /// 0, 1, 2, … in file order.
    pub index: u64,
    pub bytes: Vec<u8>,
    /// The line the block starts on.
    pub first_line: usize,
    /// Whether it holds a `"` (CSV): then it is split with csv-core.
    pub quoted: bool,
    /// The rows of a Parquet file, already in cells (`bytes` is empty).
    pub parquet: Option<Box<super::ParquetRows>>,
}

/// Why a file cannot be read on.
#[derive(Debug)]
pub enum Unreadable {
    Io(std::io::Error),
    NotUtf8,
}

impl From<std::io::Error> for Unreadable {
    fn from(error: std::io::Error) -> Self {
        Unreadable::Io(error)
    }
}

/// The columns of a customers CSV, from its first line.
pub struct CsvHeader<'s> {
    pub(super) columns: Vec<Column<'s>>,
    pub(super) id_column: usize,
}

impl CsvHeader<'_> {
    pub fn width(&self) -> usize {
        self.columns.len()
    }

    pub fn id_column(&self) -> usize {
        self.id_column
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// CSV rows of this many fields.
    Csv(usize),
    Lines,
}

/// Reads `source` a block at a time.
pub struct Blocks<R> {
    source: R,
    /// Read, not yet handed out; starts at the start of a row.
    pending: Vec<u8>,
    /// The line `pending` starts on.
    line: usize,
    eof: bool,
    index: u64,
    kind: Kind,
    /// How many bytes a block is cut from.
    block: usize,
    /// Buffers of blocks already used, to fill again.
    spare: Vec<Vec<u8>>,
    record: CsvScratch,
    /// Rows cut out, not yet taken.
    cut_out: Vec<CutOut>,
}

/// A row cut out between blocks (a quote without its closing quote).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CutOut {
    pub line: usize,
    /// The index of the first block after the row: the row's problem is
    /// told after the rows of the blocks before it.
    pub before: u64,
    pub problem: String,
}

#[derive(Default)]
struct CsvScratch {
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Fields of the last record read.
    fields: usize,
}

impl<R: Read> Blocks<R> {
    /// Blocks cut from about `bytes` bytes rather than [`BLOCK`] (tests cut
    /// tiny ones, to put rows across the edges of blocks).
    pub fn with_block(mut self, bytes: usize) -> Self {
        self.block = bytes.max(1);
        self
    }

    /// A JSON Lines file.
    pub fn lines(source: R) -> Result<Self, Unreadable> {
        let mut blocks = Blocks::new(source, Kind::Lines);
        blocks.fill(BLOCK)?;
        blocks.strip_bom();
        Ok(blocks)
    }

    /// A CSV file, with its header read (and its problems reported).
    /// `None` when there are no columns to read rows by.
    pub fn csv<'s>(
        source: R,
        types: Option<&Types<'s>>,
        report: &mut Report<'_>,
    ) -> Result<Option<(CsvHeader<'s>, Self)>, Unreadable> {
        let mut blocks = Blocks::new(source, Kind::Csv(0));
        blocks.fill(BLOCK)?;
        blocks.strip_bom();
        let Some((record, line, unclosed)) = blocks.first_record(report)? else {
            return Ok(None);
        };
        let Some(columns) = header(&record, unclosed, types, line, report) else {
            return Ok(None);
        };
        // `header` refuses a first line without `id`.
        let Some(id_column) = columns.iter().position(|c| matches!(c, Column::Id)) else {
            return Ok(None);
        };
        blocks.kind = Kind::Csv(columns.len());
        Ok(Some((CsvHeader { columns, id_column }, blocks)))
    }

    fn new(source: R, kind: Kind) -> Self {
        Blocks {
            source,
            pending: Vec::with_capacity(BLOCK * 2),
            line: 1,
            eof: false,
            index: 0,
            kind,
            block: BLOCK,
            spare: Vec::new(),
            record: CsvScratch::default(),
            cut_out: Vec::new(),
        }
    }

    fn strip_bom(&mut self) {
        if self.pending.starts_with("\u{feff}".as_bytes()) {
            self.pending.drain(..3);
        }
    }

    /// Reads until `pending` holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        if !self.eof && self.pending.len() < want {
            let room = want - self.pending.len();
            self.pending.reserve(room);
            // `read_to_end` fills the room the buffer has without first
            // zeroing it, and stops at `room` bytes or the end of the file.
            let read = (&mut self.source)
                .take(room as u64)
                .read_to_end(&mut self.pending)?;
            self.eof = read < room;
        }
        Ok(())
    }

    /// A buffer to fill, used before if one is spare.
    pub fn give_back(&mut self, mut buffer: Vec<u8>) {
        if self.spare.len() < 64 {
            buffer.clear();
            self.spare.push(buffer);
        }
    }

    /// The first record that is not blank, and its line; the rest of the
    /// file after it stays pending.
    fn first_record(
        &mut self,
        report: &mut Report<'_>,
    ) -> Result<Option<(StringRecord, usize, bool)>, Unreadable> {
        'again: loop {
            let mut reader = csv_core::Reader::new();
            let mut at = 0;
            loop {
                match read_one(&mut reader, &self.pending[at..], self.eof, &mut self.record) {
                    One::Record(used) => {
                        let start = at + row_start(&self.pending[at..]);
                        at += used;
                        let fields = self.record.fields();
                        if fields.iter().all(|f| field_is_blank(f)) {
                            continue;
                        }
                        let mut record = csv::ByteRecord::new();
                        for field in fields {
                            record.push_field(field);
                        }
                        let record = StringRecord::from_byte_record(record)
                            .map_err(|_| Unreadable::NotUtf8)?;
                        let line = self.line + count_lines(&self.pending[..start]);
                        // A quote left open runs to the end of the file: its
                        // quotes are then odd in number (a closed field's come
                        // in pairs, `""` inside it included), as `from_csv`
                        // tells it.
                        let unclosed = self.pending[start..at]
                            .iter()
                            .filter(|&&b| b == b'"')
                            .count()
                            % 2
                            == 1;
                        self.line += count_lines(&self.pending[..at]);
                        self.pending.drain(..at);
                        return Ok(Some((record, line, unclosed)));
                    }
                    One::End => {
                        report.error(
                            1,
                            "the file is empty: its first line must name the columns, one of them `id`"
                                .into(),
                        );
                        return Ok(None);
                    }
                    One::Incomplete if self.pending.len() > LONGEST_ROW => {
                        report.error(
                            self.line + count_lines(&self.pending[..at]),
                            "the first line has a `\"` without its closing quote, so the columns cannot be read"
                                .into(),
                        );
                        return Ok(None);
                    }
                    One::Incomplete => {
                        let want = self.pending.len() * 2;
                        self.fill(want)?;
                        continue 'again;
                    }
                }
            }
        }
    }

    /// The rows cut out so far (see [`Blocks::next_block`]).
    pub fn take_cut_out(&mut self) -> Vec<CutOut> {
        std::mem::take(&mut self.cut_out)
    }

    /// The next block, or `None` at the end of the file. Rows cut out (a
    /// quote without its closing quote) are kept for [`Blocks::take_cut_out`].
    pub fn next_block(&mut self) -> Result<Option<Block>, Unreadable> {
        let mut want = self.block;
        loop {
            self.fill(want)?;
            if self.pending.is_empty() {
                return Ok(None);
            }
            // The block is cut from the first `want` bytes read.
            let limit = want.min(self.pending.len());
            let at_end = self.eof && limit == self.pending.len();
            let region = &self.pending[..limit];
            let last_break = match self.kind {
                Kind::Lines => memchr::memrchr(b'\n', region),
                _ => memchr::memrchr2(b'\n', b'\r', region),
            };
            let plain = |last_break: Option<usize>| match last_break {
                Some(at) => Some((at + 1, at + 1)),
                None if at_end => Some((limit, limit)),
                None => None,
            };
            let found = match self.kind {
                Kind::Lines => plain(last_break),
                Kind::Csv(_) if memchr::memchr(b'"', region).is_none() => plain(last_break),
                Kind::Csv(width) => {
                    let before = self.cut_out.len();
                    let found = self.scan(width, limit, at_end);
                    // A row cut out after the rows of this block, or, when
                    // the block is empty, before those of the next.
                    let next = if found.is_some_and(|(cut, _)| cut > 0) {
                        self.index + 1
                    } else {
                        self.index
                    };
                    for row in &mut self.cut_out[before..] {
                        row.before = next;
                    }
                    found
                }
            };
            let Some((cut, resume)) = found else {
                want = want.saturating_mul(2).max(self.pending.len() + 1);
                continue;
            };
            let mut rest = self
                .spare
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(2 * self.block));
            rest.extend_from_slice(&self.pending[resume..]);
            let first_line = self.line;
            self.line += count_lines(&self.pending[..resume]);
            let mut bytes = std::mem::replace(&mut self.pending, rest);
            bytes.truncate(cut);
            if bytes.is_empty() {
                self.give_back(bytes);
                continue;
            }
            let quoted =
                matches!(self.kind, Kind::Csv(_)) && memchr::memchr(b'"', &bytes).is_some();
            let index = self.index;
            self.index += 1;
            return Ok(Some(Block {
                index,
                bytes,
                first_line,
                quoted,
                parquet: None,
            }));
        }
    }

    /// Where the whole rows of a block with quotes end, and where reading
    /// goes on (after a row cut out); `None` when not one row is whole yet.
    fn scan(&mut self, width: usize, limit: usize, at_end: bool) -> Option<(usize, usize)> {
        let mut reader = csv_core::Reader::new();
        let mut at = 0;
        loop {
            match read_one(
                &mut reader,
                &self.pending[at..limit],
                at_end,
                &mut self.record,
            ) {
                One::Record(used) => {
                    let start = at + row_start(&self.pending[at..]);
                    let fields = self.record.fields();
                    let blank = fields.iter().all(|f| field_is_blank(f));
                    let broken = !blank
                        && fields.len() != width
                        && fields.iter().any(|f| f.contains(&b'\n'));
                    if broken {
                        let line = self.line + count_lines(&self.pending[..start]);
                        self.cut_out.push(CutOut {
                            line,
                            before: 0,
                            problem: format!(
                                "this row has {} fields, but the first line names {width} columns",
                                fields.len()
                            ),
                        });
                        let resume = match memchr::memchr(b'\n', &self.pending[start..]) {
                            Some(end) => start + end + 1,
                            None => self.pending.len(),
                        };
                        return Some((at, resume));
                    }
                    at += used;
                }
                One::End => return Some((limit, limit)),
                One::Incomplete if at > 0 => return Some((at, at)),
                One::Incomplete if limit > LONGEST_ROW => {
                    // A quote that does not close within a long stretch:
                    // the row is cut out as above, its fields uncounted.
                    let start = row_start(&self.pending);
                    self.cut_out.push(CutOut {
                        line: self.line + count_lines(&self.pending[..start]),
                        before: 0,
                        problem: format!(
                            "this row has a `\"` without its closing quote in the next {} MiB; it is skipped, and reading goes on at the next line",
                            LONGEST_ROW >> 20
                        ),
                    });
                    let resume = memchr::memchr(b'\n', &self.pending[start..])
                        .map_or(self.pending.len(), |end| start + end + 1);
                    return Some((0, resume));
                }
                One::Incomplete => return None,
            }
        }
    }
}

enum One {
    /// A record, and how many bytes it took (its line break included).
    Record(usize),
    End,
    /// The input ends within a record and the file goes on.
    Incomplete,
}

impl CsvScratch {
    fn fields(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends[..self.fields]
            .iter()
            .map(|&end| {
                let field = &self.out[start..end];
                start = end;
                field
            })
            .collect()
    }
}

/// Reads one record of `input` with `reader` into `scratch`.
fn read_one(
    reader: &mut csv_core::Reader,
    input: &[u8],
    eof: bool,
    scratch: &mut CsvScratch,
) -> One {
    use csv_core::ReadRecordResult as R;
    if scratch.out.len() < 1024 {
        scratch.out.resize(1024, 0);
    }
    if scratch.ends.len() < 64 {
        scratch.ends.resize(64, 0);
    }
    let (mut used, mut written, mut fields) = (0, 0, 0);
    loop {
        let rest = &input[used..];
        // An empty input tells csv-core the file has ended.
        if rest.is_empty() && !eof {
            return One::Incomplete;
        }
        let (result, nin, nout, nend) = reader.read_record(
            rest,
            &mut scratch.out[written..],
            &mut scratch.ends[fields..],
        );
        used += nin;
        written += nout;
        fields += nend;
        match result {
            R::InputEmpty => {}
            R::OutputFull => grow(&mut scratch.out),
            R::OutputEndsFull => grow_ends(&mut scratch.ends),
            R::Record => {
                scratch.fields = fields;
                return One::Record(used);
            }
            R::End => return One::End,
        }
    }
}

fn grow(out: &mut Vec<u8>) {
    let len = out.len().max(1024);
    out.resize(len * 2, 0);
}

fn grow_ends(ends: &mut Vec<usize>) {
    let len = ends.len().max(64);
    ends.resize(len * 2, 0);
}

/// Where a row really starts: after the line breaks csv-core skips.
pub(super) fn row_start(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|byte| matches!(byte, b'\r' | b'\n'))
        .count()
}

pub(super) fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// A cell with nothing but white space.
pub(super) fn field_is_blank(field: &[u8]) -> bool {
    match std::str::from_utf8(field) {
        Ok(text) => text.trim().is_empty(),
        Err(_) => false,
    }
}
