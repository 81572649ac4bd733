//! A block's rows split into cells, whether split from CSV text or
//! decoded from Parquet columns: what a thread makes compact records of,
//! and what the ids are read again from for repeats.

use crate::run::input::{ParquetRows, Split};

/// Rows of one block, a cell per column.
pub(super) trait Table {
    fn count(&self) -> usize;
    fn line(&self, row: usize) -> usize;
    /// How many cells the row has.
    fn width(&self, row: usize) -> usize;
    fn cells(&self, row: usize) -> impl Iterator<Item = &str>;
    fn cell(&self, row: usize, column: usize) -> &str;
}

/// CSV rows, as split from the block's text.
pub(super) struct CsvRows<'t> {
    pub(super) split: &'t Split,
    pub(super) text: &'t str,
}

impl Table for CsvRows<'_> {
    fn count(&self) -> usize {
        self.split.rows.len()
    }

    fn line(&self, row: usize) -> usize {
        self.split.rows[row].line
    }

    fn width(&self, row: usize) -> usize {
        self.split.rows[row].count
    }

    fn cells(&self, row: usize) -> impl Iterator<Item = &str> {
        self.split.cells(self.text, self.split.rows[row])
    }

    fn cell(&self, row: usize, column: usize) -> &str {
        self.split.cell(self.text, self.split.rows[row], column)
    }
}

impl Table for ParquetRows {
    fn count(&self) -> usize {
        self.len()
    }

    fn line(&self, row: usize) -> usize {
        ParquetRows::line(self, row)
    }

    fn width(&self, _row: usize) -> usize {
        // Every row has every column of the file.
        self.columns()
    }

    fn cells(&self, row: usize) -> impl Iterator<Item = &str> {
        ParquetRows::cells(self, row)
    }

    fn cell(&self, row: usize, column: usize) -> &str {
        ParquetRows::cell(self, row, column)
    }
}
