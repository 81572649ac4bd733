//! `nurture simulate --shard I/N`: what a shard's report says of the
//! customers file it read (its size and digest), so that `merge` adds up
//! only shards of one file.

use crate::cli::bundled::SAMPLE_CUSTOMERS;
use crate::cli::{complain, exit, files};
use std::path::Path;

/// The size and the digest of the customers file `customers` (the bundled
/// sample without one), named `name` in what is said when it cannot be
/// read.
pub(super) fn customers_file(customers: Option<&Path>, name: &str) -> Result<(u64, String), i32> {
    let bytes = match customers {
        Some(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
        None => SAMPLE_CUSTOMERS.len() as u64,
    };
    let customers_digest = match customers {
        Some(path) => match file_digest(path) {
            Ok(digest) => digest,
            Err(error) => {
                complain(&format!(
                    "cannot read `{name}` for its digest: {}",
                    files::plain(&error)
                ));
                return Err(exit::TROUBLE);
            }
        },
        None => {
            use sha2::Digest;
            format!("sha256:{:x}", sha2::Sha256::digest(SAMPLE_CUSTOMERS))
        }
    };
    Ok((bytes, customers_digest))
}

/// `sha256:` and the hex SHA-256 of a file's bytes, read in pieces (a
/// customers file can be larger than memory).
fn file_digest(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(format!("sha256:{:x}", hasher.finalize()))
}
