//! Stage 4, input: a block of CSV rows split into rows and cells, as the
//! csv crate would split them (`,` between cells, `\r`, `\n` or `\r\n`
//! after a row, blank lines skipped). A block without a `"` is split by
//! looking for those three bytes alone; one with quotes goes through
//! csv-core, which unquotes its cells into a buffer of their own.

use super::blocks::{Block, row_start};

/// One row of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowAt {
    pub line: usize,
    /// Its cells: `cells[first..first + count]`.
    pub first: usize,
    pub count: usize,
}

/// A block's rows and cells, kept by a thread and used again.
#[derive(Default)]
pub struct Split {
    pub rows: Vec<RowAt>,
    /// Byte ranges of cells, in the block's text or in `unquoted`.
    cells: Vec<(u32, u32)>,
    unquoted: String,
    quoted: bool,
    scratch: Vec<u8>,
    ends: Vec<usize>,
}

impl Split {
    /// Splits `block`, whose bytes are `text`.
    pub fn split(&mut self, block: &Block, text: &str) {
        self.rows.clear();
        self.cells.clear();
        self.unquoted.clear();
        self.quoted = block.quoted;
        if block.quoted {
            self.split_quoted(text, block.first_line);
        } else {
            self.split_plain(text.as_bytes(), block.first_line);
        }
    }

    /// The cells of `row`, read from `text` (the block's).
    pub fn cells<'t>(&'t self, text: &'t str, row: RowAt) -> impl Iterator<Item = &'t str> + 't {
        let source = if self.quoted {
            self.unquoted.as_str()
        } else {
            text
        };
        self.cells[row.first..row.first + row.count]
            .iter()
            .map(move |&(from, to)| source.get(from as usize..to as usize).unwrap_or(""))
    }

    /// Cell `index` of `row`.
    pub fn cell<'t>(&'t self, text: &'t str, row: RowAt, index: usize) -> &'t str {
        self.cells(text, row).nth(index).unwrap_or("")
    }

    fn split_plain(&mut self, bytes: &[u8], first_line: usize) {
        let mut line = first_line;
        let mut at = 0;
        let end = bytes.len();
        while at < end {
            match bytes[at] {
                b'\n' => {
                    line += 1;
                    at += 1;
                    continue;
                }
                b'\r' => {
                    at += 1;
                    continue;
                }
                _ => {}
            }
            let first = self.cells.len();
            let stop = memchr::memchr2(b'\r', b'\n', &bytes[at..]).map_or(end, |k| at + k);
            let mut start = at;
            commas(&bytes[at..stop], |comma| {
                self.cells.push((start as u32, (at + comma) as u32));
                start = at + comma + 1;
            });
            self.cells.push((start as u32, stop as u32));
            at = stop;
            self.rows.push(RowAt {
                line,
                first,
                count: self.cells.len() - first,
            });
        }
    }

    fn split_quoted(&mut self, text: &str, first_line: usize) {
        use csv_core::ReadRecordResult as R;
        let bytes = text.as_bytes();
        let mut reader = csv_core::Reader::new();
        let mut out = std::mem::take(&mut self.scratch);
        let mut ends = std::mem::take(&mut self.ends);
        out.resize(out.len().max(bytes.len() + 1), 0);
        ends.resize(ends.len().max(256), 0);
        let mut line = first_line;
        let mut counted = 0;
        let mut at = 0;
        let mut written = 0;
        'rows: loop {
            let start = at + row_start(&bytes[at..]);
            let record_from = written;
            let mut fields = 0;
            loop {
                let (result, nin, nout, nend) =
                    reader.read_record(&bytes[at..], &mut out[written..], &mut ends[fields..]);
                at += nin;
                written += nout;
                fields += nend;
                match result {
                    R::InputEmpty => {}
                    R::OutputFull => {
                        let len = out.len();
                        out.resize(len * 2, 0);
                    }
                    R::OutputEndsFull => {
                        let len = ends.len();
                        ends.resize(len * 2, 0);
                    }
                    R::Record => break,
                    R::End => break 'rows,
                }
            }
            line += super::blocks::count_lines(&bytes[counted..start]);
            counted = start;
            let first = self.cells.len();
            let mut from = record_from;
            for &end in &ends[..fields] {
                self.cells.push((from as u32, (record_from + end) as u32));
                from = record_from + end;
            }
            self.rows.push(RowAt {
                line,
                first,
                count: fields,
            });
        }
        // csv-core only takes quotes out of valid UTF-8, so this holds.
        self.unquoted = String::from_utf8_lossy(&out[..written]).into_owned();
        self.scratch = out;
        self.ends = ends;
    }
}

/// Calls `found` with the place of each comma of `row`, eight bytes at a
/// time: a byte of a word is a comma where it is zero after the word is
/// xored with commas (and the test for a zero byte is exact: no carry
/// crosses from byte to byte).
fn commas(row: &[u8], mut found: impl FnMut(usize)) {
    const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = row.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ COMMAS;
        let mut zeros = !(((x & LOW) + LOW) | x | LOW);
        while zeros != 0 {
            found(base + zeros.trailing_zeros() as usize / 8);
            zeros &= zeros - 1;
        }
        base += 8;
    }
    for (i, &byte) in chunks.remainder().iter().enumerate() {
        if byte == b',' {
            found(base + i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        let block = Block {
            index: 0,
            bytes: text.as_bytes().to_vec(),
            first_line: 2,
            quoted: text.contains('"'),
            parquet: None,
        };
        let mut split = Split::default();
        split.split(&block, text);
        split
            .rows
            .iter()
            .map(|&row| {
                (
                    row.line,
                    split.cells(text, row).map(str::to_string).collect(),
                )
            })
            .collect()
    }

    /// What the csv crate reads from the same text, with lines as
    /// `read_csv` counts them.
    fn by_csv(text: &str) -> Vec<(usize, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut out = Vec::new();
        for record in reader.records() {
            let record = record.expect("record");
            let byte = record.position().map_or(0, |p| p.byte() as usize);
            let start = byte + row_start(&text.as_bytes()[byte..]);
            let line = 2 + text[..start].matches('\n').count();
            out.push((line, record.iter().map(str::to_string).collect()));
        }
        out
    }

    #[test]
    fn commas_are_found_in_words_and_in_the_tail() {
        let row = b",a,,bcdefgh,ijklmnop,,,q,\xc3\xa9,,";
        let want: Vec<usize> = row
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b',')
            .map(|(i, _)| i)
            .collect();
        let found = |row: &[u8]| {
            let mut at = Vec::new();
            commas(row, |i| at.push(i));
            at
        };
        assert_eq!(found(row), want);
        assert_eq!(found(b""), Vec::<usize>::new());
        assert_eq!(found(b"\x2d\x2b\xac,"), [3]);
    }

    #[test]
    fn rows_split_as_the_csv_crate_splits_them() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,b\r\n\r\n1,2\r\n",
            "a,,\n\n\n,x,\n",
            "a\rb\rc",
            "last,row,without,break",
            "a,\"b,c\",d\n\"multi\nline\",x\n\"q\"\"uote\",y\r\n",
            "\"unclosed,x\ny,z\n",
            "é,ü\n中,文\n",
        ] {
            assert_eq!(rows(text), by_csv(text), "{text:?}");
        }
    }
}
