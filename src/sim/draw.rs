//! Random draws for the simulator, keyed rather than streamed.
//!
//! Each customer gets their own sequence, fixed by the seed and the
//! customer's id: draw number n of customer c is the same number whichever
//! thread simulates c and whatever was drawn for anyone else. The maths
//! (`log`, `exp`, `cos`) comes from `libm`, Rust code rather than the
//! platform's C library, so a delay is the same second on every machine.

use super::behavior::Delay;

/// A customer's random numbers.
pub struct Draws {
    key: u64,
    count: u64,
}

/// The longest delay drawn: a ten-year answer is no answer at all.
const LONGEST_DELAY: f64 = 10.0 * 365.0 * 86_400.0;

impl Draws {
    /// The sequence `stream` of `customer` under `seed`: the background
    /// and each program's answers use streams of their own.
    pub fn new(seed: u64, customer: &str, stream: u64) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in customer.as_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Draws {
            key: mix(seed ^ mix(hash ^ mix(stream))),
            count: 0,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.count += 1;
        mix(self
            .key
            .wrapping_add(self.count.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `chance`.
    pub fn chance(&mut self, chance: f64) -> bool {
        self.uniform() < chance
    }

    /// A standard normal number (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]: the log is finite
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// A delay in whole seconds.
    pub fn delay(&mut self, delay: Delay) -> i64 {
        if delay.median <= 0.0 {
            return 0;
        }
        let seconds = delay.median * libm::exp(delay.sigma * self.normal());
        libm::round(seconds.clamp(0.0, LONGEST_DELAY)) as i64
    }

    /// An exponential wait with the given mean, in whole seconds.
    pub fn exponential(&mut self, mean: f64) -> i64 {
        let u = 1.0 - self.uniform();
        libm::round((-mean * libm::log(u)).clamp(0.0, LONGEST_DELAY)) as i64
    }
}

/// SplitMix64's finaliser: every input bit reaches every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gives_the_same_numbers() {
        let mut a = Draws::new(7, "c1", 0);
        let mut b = Draws::new(7, "c1", 0);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(first[0], Draws::new(8, "c1", 0).next_u64());
        assert_ne!(first[0], Draws::new(7, "c2", 0).next_u64());
        assert_ne!(first[0], Draws::new(7, "c1", 1).next_u64());
    }

    #[test]
    fn uniform_numbers_spread_evenly() {
        let mut draws = Draws::new(1, "c", 0);
        let n = 100_000;
        let below_tenth = (0..n).filter(|_| draws.uniform() < 0.1).count();
        assert!((9_500..10_500).contains(&below_tenth), "{below_tenth}");
    }

    #[test]
    fn delays_have_the_median_and_p90_asked_for() {
        let mut draws = Draws::new(3, "c", 0);
        // A median of an hour and a p90 of a day.
        let sigma = libm::log(24.0) / 1.281_551_565_544_600_4;
        let delay = Delay {
            median: 3600.0,
            sigma,
        };
        let mut seconds: Vec<i64> = (0..20_000).map(|_| draws.delay(delay)).collect();
        seconds.sort_unstable();
        let median = seconds[10_000];
        let p90 = seconds[18_000];
        assert!((3_300..3_900).contains(&median), "median {median}");
        assert!((78_000..95_000).contains(&p90), "p90 {p90}");
    }
}
