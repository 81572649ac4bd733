//! Stage 4, input: which customer ids a streamed file has already shown,
//! in memory that does not grow with the file, and which shard an id
//! belongs to.
//!
//! A file of ten million customers cannot keep a set of its ids (that set
//! was most of a run's memory). [`Seen`] is a Bloom filter of fixed size,
//! one 64-bit word per id with six bits set in it: it never misses an id
//! it was given, and only rarely says "maybe" of one it was not. A reader
//! holds back the rows it says "maybe" of and, at the end, reads the ids of
//! the file once more to tell a true repeat from a false alarm
//! (`sim/stream/`); with the filter sized to the file, a false alarm is
//! about one in a hundred million rows at ten million customers.

/// FNV-1a over the id's bytes, then SplitMix64's finaliser: fixed for all
/// time and every machine, since shards of one run are simulated apart.
pub fn id_hash(id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in id.as_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    mix(hash)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Which of `count` shards (numbered from 0) the id of `hash` is in.
pub fn shard_of(hash: u64, count: u32) -> u32 {
    // Mixed again, so the shard and the filter's word use different bits.
    (mix(hash ^ 0x5851_f42d_4c95_7f2d) % u64::from(count.max(1))) as u32
}

/// The fewest and most words of a filter: 8 KiB to 128 MiB.
const FEWEST_WORDS: usize = 1 << 10;
const MOST_WORDS: usize = 1 << 24;

/// A fixed-size Bloom filter of id hashes.
pub struct Seen {
    words: Vec<u64>,
    mask: usize,
}

impl Seen {
    /// A filter for a file of `bytes` bytes: a word per 64 bytes (a
    /// customer row is rarely shorter), at most 128 MiB.
    pub fn for_bytes(bytes: u64) -> Seen {
        Seen::with_words(usize::try_from(bytes / 64).unwrap_or(MOST_WORDS))
    }

    /// A filter for about `rows` ids.
    pub fn for_rows(rows: u64) -> Seen {
        Seen::with_words(usize::try_from(rows.saturating_mul(3)).unwrap_or(MOST_WORDS))
    }

    fn with_words(words: usize) -> Seen {
        let words = words.clamp(FEWEST_WORDS, MOST_WORDS).next_power_of_two();
        Seen {
            words: vec![0; words],
            mask: words - 1,
        }
    }

    /// Adds `hash`; true when all its bits were set already: the id may
    /// have been seen before (or another id set the same bits).
    pub fn insert(&mut self, hash: u64) -> bool {
        let word = (hash >> 40) as usize & self.mask;
        let mut bits = 0u64;
        for i in 0..6 {
            bits |= 1 << ((hash >> (6 * i)) & 63);
        }
        let before = self.words[word];
        self.words[word] = before | bits;
        before & bits == bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_given_twice_is_always_caught() {
        let mut seen = Seen::for_rows(1000);
        for i in 0..1000 {
            assert!(!seen.insert(id_hash(&format!("c{i}"))) || i > 0);
        }
        for i in 0..1000 {
            assert!(seen.insert(id_hash(&format!("c{i}"))), "c{i}");
        }
    }

    #[test]
    fn false_alarms_are_rare_at_the_size_chosen() {
        let rows = 200_000;
        let mut seen = Seen::for_rows(rows);
        let alarms = (0..rows)
            .filter(|i| seen.insert(id_hash(&format!("c{i:08}"))))
            .count();
        assert!(alarms < 5, "{alarms}");
    }

    #[test]
    fn shards_share_ids_out_evenly_and_for_good() {
        let mut counts = [0u32; 4];
        for i in 0..40_000 {
            counts[shard_of(id_hash(&format!("c{i}")), 4) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..10_500).contains(&c)),
            "{counts:?}"
        );
        // Pinned: shards simulated by different builds must agree.
        assert_eq!(id_hash("c0000001"), 0x6dd0_bac6_a29a_573c);
        assert_eq!(shard_of(id_hash("c0000001"), 7), 1);
    }
}
