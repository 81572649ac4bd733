//! Chance fixed in advance: the draws for the holdout and for `split`,
//! the same every run and on every machine.

use super::Run;
use crate::run::record::Record;

impl<R: Record, S> Run<'_, '_, R, S> {
    /// A number in 0..10000 fixed by the seed, the program, the customer
    /// and what it is for: `label` and the numbers joined by `/`, hashed as
    /// that text. The same every run, on every machine.
    pub(super) fn draw(&self, label: &[u8], numbers: &[u64]) -> u64 {
        // FNV-1a, 64 bits, then mixed: tiny, stable, and spreads ids evenly.
        let mut hash = digest_state(self.seed, &self.plan.digest);
        let mut feed = |bytes: &[u8]| {
            for &byte in bytes {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(self.customer.id().as_bytes());
        feed(label);
        for (i, number) in numbers.iter().enumerate() {
            if i > 0 {
                feed(b"/");
            }
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = *number;
            loop {
                at -= 1;
                digits[at] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            feed(&digits[at..]);
        }
        // FNV's low bits depend only on the inputs' low bits (the multiply
        // carries upwards), and `% 10_000` reads mostly low bits: mix the
        // high bits down first (SplitMix64's finaliser), or shares drift.
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        hash ^= hash >> 31;
        hash % 10_000
    }
}

/// FNV-1a's state for `draw` after the seed and the plan's digest: the
/// same for every customer of a run, and 71 bytes of hashing each time, so
/// each thread keeps the last one worked out (compared by content, so it is
/// never another plan's).
fn digest_state(seed: u64, digest: &str) -> u64 {
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    thread_local! {
        static LAST: std::cell::RefCell<(u64, String, u64)> =
            const { std::cell::RefCell::new((0, String::new(), START)) };
    }
    LAST.with_borrow_mut(|(last_seed, last_digest, state)| {
        if *last_seed != seed || last_digest != digest {
            let mut hash = START ^ seed;
            for &byte in digest.as_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            *last_seed = seed;
            last_digest.clear();
            last_digest.push_str(digest);
            *state = hash;
        }
        *state
    })
}
