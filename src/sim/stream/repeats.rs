//! Rows held back as possible repeats, told at the end: the file's ids
//! read once more, on one thread, to find the first row of each.

use super::hand::Held;
use super::table::{CsvRows, Table};
use super::{Context, Failure, Input, source};
use crate::run::input::{CsvHeader, Report, Split, block_lines, customer_of_line};
use std::collections::HashMap;

/// Where a row is: its line, block and place in the block (the same
/// blocks each time the file is read).
#[derive(Clone, Copy)]
pub(super) struct Place {
    pub(super) line: usize,
    pub(super) block: u64,
    pub(super) row: usize,
}

/// The first row of each held row's id, from the file read once more on
/// this thread.
pub(super) fn first_lines(
    input: &Input<'_>,
    context: &Context<'_>,
    held: &[Held],
) -> Result<HashMap<String, Place>, Failure> {
    let mut wanted: HashMap<String, Option<Place>> =
        held.iter().map(|h| (h.id.clone(), None)).collect();
    let mut report = Report::new(input.name);
    let mut split = Split::default();
    let mut see = |id: &str, place: Place| {
        if let Some(first @ None) = wanted.get_mut(id) {
            *first = Some(place);
        }
    };
    let Some(opened) = source::open(input, context.types, &mut report)? else {
        return Ok(HashMap::new());
    };
    let mut blocks = opened.blocks;
    match context.header {
        Some(header) => {
            while let Some(block) = blocks.next_block()? {
                match &block.parquet {
                    Some(rows) => ids(rows.as_ref(), block.index, header, &mut see),
                    None => {
                        let text =
                            std::str::from_utf8(&block.bytes).map_err(|_| Failure::NotUtf8)?;
                        split.split(&block, text);
                        let rows = CsvRows {
                            split: &split,
                            text,
                        };
                        ids(&rows, block.index, header, &mut see);
                    }
                }
                blocks.give_back(block.bytes);
            }
        }
        None => {
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

/// The ids of a block's rows with their places, rows as a thread takes
/// them (`Hand::take_table`).
fn ids(table: &impl Table, block: u64, header: &CsvHeader<'_>, see: &mut impl FnMut(&str, Place)) {
    for index in 0..table.count() {
        if table.width(index) != header.width()
            || table.cells(index).all(|cell| cell.trim().is_empty())
        {
            continue;
        }
        let id = table.cell(index, header.id_column()).trim();
        if !id.is_empty() {
            let place = Place {
                line: table.line(index),
                block,
                row: index,
            };
            see(id, place);
        }
    }
}
