//! The generator's random numbers: SplitMix64, written out here so that a
//! seed gives the same customers on every machine and with every version
//! of every dependency.
//!
//! Only integer arithmetic: `f64` functions like `ln` may round differently
//! from one libm to the next, and one bit's difference would change a row.

/// SplitMix64's increment, the golden ratio in 64 bits.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser: every input bit moves about half the output bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub struct Rng(u64);

impl Rng {
    /// The stream for one customer, from the seed and the customer's number
    /// alone, so a row never depends on the rows before it: customer 500 is
    /// the same in a file of 1,000 and a file of 1,000,000.
    pub fn for_customer(seed: u64, number: u64) -> Rng {
        // Mixing the number before adding it keeps seed 1 / customer 2 and
        // seed 2 / customer 1 apart.
        Rng(mix(seed ^ mix(number.wrapping_add(GOLDEN))))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0). Multiplying instead of taking
    /// the remainder keeps the high bits, the better ones; the bias is below
    /// one in 2^40 for the small `n` used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        low.wrapping_add(self.below(span) as i64)
    }

    /// True `per_mille` times in 1,000.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// One item, each as likely as its weight. An empty table or one whose
    /// weights are all 0 gives the first item (`None` when empty).
    pub fn pick<'a, T>(&mut self, table: &'a [(T, u32)]) -> Option<&'a T> {
        let total: u64 = table.iter().map(|(_, weight)| u64::from(*weight)).sum();
        let mut roll = self.below(total);
        for (item, weight) in table {
            let weight = u64::from(*weight);
            if roll < weight {
                return Some(item);
            }
            roll -= weight;
        }
        table.first().map(|(item, _)| item)
    }

    /// A number in `low..=high` that leans to `low`: the product of two
    /// uniform fractions, the way most customers spend little and a few
    /// spend a lot.
    pub fn skewed(&mut self, low: i64, high: i64) -> i64 {
        let (a, b) = (self.below(1001) as i64, self.below(1001) as i64);
        low + (high - low) * a * b / 1_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_numbers_are_fixed_forever() {
        // Changing these changes every sample file: regenerate
        // programs/sample/population.csv with the new numbers on purpose.
        let mut rng = Rng(0);
        assert_eq!(rng.next(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn ranges_are_kept() {
        let mut rng = Rng::for_customer(7, 1);
        for _ in 0..10_000 {
            let n = rng.between(-3, 3);
            assert!((-3..=3).contains(&n));
            let s = rng.skewed(10, 20);
            assert!((10..=20).contains(&s));
        }
        assert_eq!(rng.between(5, 5), 5);
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn customers_get_different_streams() {
        let a = Rng::for_customer(1, 2).next();
        let b = Rng::for_customer(2, 1).next();
        let c = Rng::for_customer(1, 3).next();
        assert!(a != b && a != c && b != c);
    }
}
