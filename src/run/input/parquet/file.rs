//! Stage 4, input, Parquet: the file as the decoder reads it, by position.
//!
//! The parquet crate's reader for a `File` clones the handle and seeks it,
//! and clones share one offset: two threads decoding two row groups moved
//! each other's reads and saw pages that are not there ("Unexpected
//! PageType", "snappy: corrupt input") in a sound file. Here every read
//! says where it starts (`pread`), so any number of threads read the same
//! file at once.

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};
use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

/// A file read at positions, shared by every thread that decodes it.
#[derive(Clone)]
pub(super) struct At {
    file: Arc<File>,
    len: u64,
}

impl At {
    pub(super) fn new(file: File) -> io::Result<At> {
        let len = file.metadata()?.len();
        Ok(At {
            file: Arc::new(file),
            len,
        })
    }
}

impl Length for At {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for At {
    type T = Cursor;

    fn get_read(&self, start: u64) -> Result<Cursor, ParquetError> {
        Ok(Cursor {
            file: self.file.clone(),
            at: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let mut buffer = vec![0; length];
        read_exact_at(&self.file, &mut buffer, start)
            .map_err(|error| ParquetError::General(format!("cannot read the file: {error}")))?;
        Ok(Bytes::from(buffer))
    }
}

/// A reader from a position of the file, its own position its own.
pub(super) struct Cursor {
    file: Arc<File>,
    at: u64,
}

impl Read for Cursor {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = read_at(&self.file, out, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, out: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, out, at)
}

#[cfg(windows)]
fn read_at(file: &File, out: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, out, at)
}

fn read_exact_at(file: &File, mut out: &mut [u8], mut at: u64) -> io::Result<()> {
    while !out.is_empty() {
        match read_at(file, out, at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                out = &mut out[n..];
                at += n as u64;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_at_their_own_positions() {
        let mut file = tempfile::tempfile().expect("a file");
        file.write_all(b"0123456789").expect("written");
        let at = At::new(file).expect("opened");
        let mut one = at.get_read(2).expect("a reader");
        let mut two = at.get_read(6).expect("a reader");
        let mut a = [0; 2];
        let mut b = [0; 2];
        one.read_exact(&mut a).expect("read");
        two.read_exact(&mut b).expect("read");
        one.read_exact(&mut b).expect("read");
        assert_eq!((&a, &b), (b"23", b"45"));
        assert_eq!(&at.get_bytes(7, 3).expect("read")[..], b"789");
        assert!(at.get_bytes(8, 3).is_err());
    }
}
