//! The chance and delay of one answer, by maximum likelihood.
//!
//! Each reference moment (a send, or the response a `given` waits for)
//! either saw the event, after a delay `d`, or did not by the time
//! watching stopped, `c` (the window, the next send, or the end of the
//! history: right-censored). The customer answers with chance `p` after a
//! log-normal delay (median `exp(mu)`, spread `sigma`), and besides does
//! the event anyway at the background rate `λ`, whichever comes first. Up
//! to factors that do not depend on `p`, `mu`, `sigma`:
//!
//! ```text
//! log L = Σ_seen log(p f(d) + λ (1 − p F(d))) + Σ_unseen log(1 − p F(c))
//! ```
//!
//! (`f`, `F` the log-normal's density and distribution). It is maximised
//! with Nelder and Mead's simplex, from the plain shares and quantiles, in
//! `libm` arithmetic, so the same history gives the same numbers.

/// What was seen of one answer.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// Delays seen, in seconds.
    pub seen: Vec<f64>,
    /// (how long it was watched for without being seen, how many times).
    pub unseen: Vec<(f64, u64)>,
}

impl Observed {
    pub fn count(&self) -> u64 {
        self.seen.len() as u64 + self.unseen.iter().map(|(_, n)| n).sum::<u64>()
    }

    pub fn add_unseen(&mut self, watched: f64) {
        match self.unseen.iter_mut().find(|(c, _)| *c == watched) {
            Some((_, n)) => *n += 1,
            None => self.unseen.push((watched, 1)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub chance: f64,
    /// The log of the median delay in seconds, and the spread.
    pub mu: f64,
    pub sigma: f64,
}

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

fn cdf(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (libm::log(x.max(1.0)) - mu) / (sigma * std::f64::consts::SQRT_2);
    0.5 * libm::erfc(-z)
}

fn pdf(x: f64, mu: f64, sigma: f64) -> f64 {
    let x = x.max(1.0);
    let z = (libm::log(x) - mu) / sigma;
    libm::exp(-0.5 * z * z) / (x * sigma * SQRT_2PI)
}

fn log_likelihood(data: &Observed, lambda: f64, p: f64, mu: f64, sigma: f64) -> f64 {
    let mut total = 0.0;
    for &d in &data.seen {
        let term = p * pdf(d, mu, sigma) + lambda * (1.0 - p * cdf(d, mu, sigma));
        total += libm::log(term.max(1e-300));
    }
    for &(c, n) in &data.unseen {
        total += n as f64 * libm::log((1.0 - p * cdf(c, mu, sigma)).max(1e-300));
    }
    total
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-x))
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    libm::log(p / (1.0 - p))
}

/// The widest spread fitted: a p90 46 times the median. Wider, the
/// likelihood of a short window cannot tell a slow answer from none.
const MAX_SIGMA: f64 = 3.0;

/// The estimate; `delay` fixes (mu, sigma) and fits the chance alone.
/// The median delay is held within `longest` seconds (the window: what
/// was never watched cannot be measured). `None` when nothing was watched.
pub fn estimate(
    data: &Observed,
    lambda: f64,
    delay: Option<(f64, f64)>,
    longest: f64,
) -> Option<Estimate> {
    let max_mu = libm::log(longest.max(60.0));
    let n = data.count();
    if n == 0 {
        return None;
    }
    let share = data.seen.len() as f64 / n as f64;
    let mut sorted = data.seen.clone();
    sorted.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        sorted
            .get(((q * sorted.len() as f64) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
    };
    let (mu0, sigma0) = match (quantile(0.5), quantile(0.9)) {
        (Some(median), Some(p90)) if median > 0.0 => (
            libm::log(median.max(1.0)),
            (libm::log(p90.max(median + 1.0) / median.max(1.0)) / crate::sim::behavior::Z90)
                .max(0.2),
        ),
        _ => (libm::log(3600.0), 1.0),
    };
    let lambda = lambda.max(0.0);
    match delay {
        Some((mu, sigma)) => {
            let best = minimise(
                &|x: &[f64]| -log_likelihood(data, lambda, logistic(x[0]), mu, sigma),
                &[logit(share.max(0.001))],
            );
            Some(Estimate {
                chance: logistic(best[0]),
                mu,
                sigma,
            })
        }
        None => {
            let bounded = |x: &[f64]| (x[1].min(max_mu), libm::exp(x[2]).clamp(0.05, MAX_SIGMA));
            let best = minimise(
                &|x: &[f64]| {
                    let (mu, sigma) = bounded(x);
                    // Outside the bounds the value is the edge's, a little
                    // worse, so the simplex turns back.
                    let outside = (x[1] - mu).abs() + (libm::exp(x[2]) - sigma).abs();
                    -log_likelihood(data, lambda, logistic(x[0]), mu, sigma) + outside
                },
                &[
                    logit(share.max(0.001)),
                    mu0.min(max_mu),
                    libm::log(sigma0.min(MAX_SIGMA)),
                ],
            );
            let (mu, sigma) = bounded(&best);
            Some(Estimate {
                chance: logistic(best[0]),
                mu,
                sigma,
            })
        }
    }
}

/// Nelder–Mead: at most 600 steps from `start`, with a first simplex of
/// half a unit on each axis.
fn minimise(f: &dyn Fn(&[f64]) -> f64, start: &[f64]) -> Vec<f64> {
    let n = start.len();
    let mut simplex: Vec<Vec<f64>> = vec![start.to_vec()];
    for i in 0..n {
        let mut point = start.to_vec();
        point[i] += 0.5;
        simplex.push(point);
    }
    let mut values: Vec<f64> = simplex.iter().map(|p| f(p)).collect();
    for _ in 0..600 {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        if (values[n] - values[0]).abs() <= 1e-10 * (1.0 + values[0].abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|p| p[j]).sum::<f64>() / n as f64)
            .collect();
        let towards = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|j| centroid[j] + t * (simplex[n][j] - centroid[j]))
                .collect()
        };
        let reflected = towards(-1.0);
        let r = f(&reflected);
        if r < values[0] {
            let expanded = towards(-2.0);
            let e = f(&expanded);
            if e < r {
                simplex[n] = expanded;
                values[n] = e;
            } else {
                simplex[n] = reflected;
                values[n] = r;
            }
        } else if r < values[n - 1] {
            simplex[n] = reflected;
            values[n] = r;
        } else {
            let contracted = towards(0.5);
            let c = f(&contracted);
            if c < values[n] {
                simplex[n] = contracted;
                values[n] = c;
            } else {
                for i in 1..=n {
                    let shrunk: Vec<f64> = (0..n)
                        .map(|j| simplex[0][j] + 0.5 * (simplex[i][j] - simplex[0][j]))
                        .collect();
                    values[i] = f(&shrunk);
                    simplex[i] = shrunk;
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| values[a].total_cmp(&values[b]))
        .unwrap_or(0);
    simplex[best].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::behavior::Delay;
    use crate::sim::draw::Draws;

    /// Answers drawn from a known model, watched for a week, come back as
    /// that model.
    #[test]
    fn a_known_chance_and_delay_come_back() {
        let mut draws = Draws::new(5, "fit", 0);
        let delay = Delay {
            median: 5.0 * 3600.0,
            sigma: libm::log(48.0 / 5.0) / crate::sim::behavior::Z90,
        };
        let mut data = Observed::default();
        let week = 7.0 * 86_400.0;
        for _ in 0..20_000 {
            let answered = draws.chance(0.4);
            let d = draws.delay(delay) as f64;
            if answered && d <= week {
                data.seen.push(d);
            } else {
                data.add_unseen(week);
            }
        }
        let fit = estimate(&data, 0.0, None, week).expect("an estimate");
        assert!((fit.chance - 0.4).abs() < 0.015, "{fit:?}");
        let median = libm::exp(fit.mu);
        assert!((median / delay.median - 1.0).abs() < 0.08, "{fit:?}");
        assert!((fit.sigma / delay.sigma - 1.0).abs() < 0.08, "{fit:?}");
    }
}
