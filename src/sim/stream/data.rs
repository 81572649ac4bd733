//! What a streamed run reads: the customers file (a file, bytes in
//! memory, or a Parquet file), the shard of it to keep, and why it could
//! not be read to the end.

use crate::run::input::{Format, ParquetCsv, Types, Unreadable, parquet_error, shard_of};
use crate::syntax::ast::Schema;
use std::fs::File;
use std::io::Read;
use std::path::Path;

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
    /// A Parquet file, decoded a block of rows at a time into cells
    /// (`run/input/parquet/columns.rs`, opened by `source.rs`), only the
    /// columns `wanted` names besides the built-in ones (`None`: all of
    /// them). As a reader ([`Data::reader`]), the CSV text it holds.
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
    pub(super) fn open(self) -> Result<(Box<dyn Read + 'a>, u64), Failure> {
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
