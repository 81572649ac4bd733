//! Where a streamed run's blocks come from: a CSV or JSON Lines file cut
//! into blocks of whole rows, or a Parquet file decoded a block of rows at
//! a time into cells (`run/input/parquet/columns.rs`).

use super::{Data, Failure, Input};
use crate::run::input::{
    BLOCK, Block, Blocks, CsvHeader, CutOut, Format, ParquetBlocks, Report, Types, Unreadable,
    parquet_error,
};
use std::io::Read;

/// The blocks of a customers file, in file order.
pub(super) enum Source<'a> {
    Text(Blocks<Box<dyn Read + 'a>>),
    Parquet(ParquetBlocks),
}

/// An open file: its columns (CSV and Parquet), its blocks, and about how
/// many bytes of CSV it holds (the filter of ids is sized by them).
pub(super) struct Opened<'a, 's> {
    pub(super) header: Option<CsvHeader<'s>>,
    pub(super) blocks: Source<'a>,
    pub(super) bytes: u64,
}

/// Opens `input` from the start; `None` when it has no columns to read
/// rows by (told to `report`).
pub(super) fn open<'a, 's>(
    input: &Input<'a>,
    types: Option<&Types<'s>>,
    report: &mut Report<'_>,
) -> Result<Option<Opened<'a, 's>>, Failure> {
    if let Data::Parquet { path, wanted, .. } = input.data {
        let found = ParquetBlocks::open(path, input.name, types, wanted, report)
            .map_err(|problems| Failure::Io(parquet_error(problems)))?;
        let Some((header, blocks)) = found else {
            return Ok(None);
        };
        // A block of rows for every 256 bytes a CSV block is cut from
        // (4,096 rows for `BLOCK`), so tests cut tiny blocks alike.
        let blocks = blocks.with_rows(input.block.min(BLOCK) >> 8);
        // As many words as `Seen::for_rows` takes for the file's rows.
        let bytes = blocks.file_rows().saturating_mul(3 * 64);
        return Ok(Some(Opened {
            header: Some(header),
            blocks: Source::Parquet(blocks),
            bytes,
        }));
    }
    let (file, bytes) = input.data.open()?;
    match input.format {
        Format::Csv => Ok(
            Blocks::csv(file, types, report)?.map(|(header, blocks)| Opened {
                header: Some(header),
                blocks: Source::Text(blocks.with_block(input.block)),
                bytes,
            }),
        ),
        Format::JsonLines => Ok(Some(Opened {
            header: None,
            blocks: Source::Text(Blocks::lines(file)?.with_block(input.block)),
            bytes,
        })),
    }
}

impl Source<'_> {
    pub(super) fn next_block(&mut self) -> Result<Option<Block>, Unreadable> {
        match self {
            Source::Text(blocks) => blocks.next_block(),
            Source::Parquet(blocks) => blocks.next_block().map_err(Unreadable::Io),
        }
    }

    pub(super) fn give_back(&mut self, buffer: Vec<u8>) {
        if let Source::Text(blocks) = self {
            blocks.give_back(buffer);
        }
    }

    pub(super) fn take_cut_out(&mut self) -> Vec<CutOut> {
        match self {
            Source::Text(blocks) => blocks.take_cut_out(),
            Source::Parquet(_) => Vec::new(),
        }
    }
}
