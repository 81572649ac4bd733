//! Where each slot goes: x from its neighbours, spaced out in order; y from
//! the heights of the layers.

use super::{MARGIN, Slot};

/// Between two boxes side by side.
const BOX_GAP: f64 = 28.0;
/// Between an arrow passing through a layer and its neighbours.
const PASS_GAP: f64 = 14.0;
/// Between layers; the arrows bend here.
const LAYER_GAP: f64 = 30.0;
/// The least height of a layer of labels, so arrows have room to bend.
const MIN_LABEL_LAYER: f64 = 6.0;
/// Enough rounds for the bundled programs to settle; more change nothing.
const PLACE_ROUNDS: usize = 8;

/// The x of each slot's centre: rounds that pull each slot towards the mean
/// of its neighbours in the layer above, then below, each followed by
/// spacing the layer out again.
pub(super) fn place(
    slots: &[Slot],
    links: &[(usize, usize)],
    layers: &[Vec<usize>],
    real: usize,
) -> Vec<f64> {
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for &(a, b) in links {
        down[a].push(b);
        up[b].push(a);
    }
    let gaps: Vec<Vec<f64>> = layers
        .iter()
        .map(|layer| {
            layer
                .windows(2)
                .map(|w| {
                    let (a, b) = (&slots[w[0]], &slots[w[1]]);
                    let room = (a.width + a.reserve_right + b.width + b.reserve_right) / 2.0;
                    let gap = if w[0] < real && w[1] < real {
                        BOX_GAP
                    } else {
                        PASS_GAP
                    };
                    room + gap
                })
                .collect()
        })
        .collect();
    let mut xs = vec![0.0; slots.len()];
    for (layer, gaps) in layers.iter().zip(&gaps) {
        for (&v, x) in layer.iter().zip(space_out(&vec![0.0; layer.len()], gaps)) {
            xs[v] = x;
        }
    }
    let pull = |xs: &mut Vec<f64>, l: usize, towards: &[&Vec<Vec<usize>>]| {
        let mut wanted: Vec<f64> = Vec::with_capacity(layers[l].len());
        for (i, &v) in layers[l].iter().enumerate() {
            let around: Vec<usize> = towards.iter().flat_map(|t| t[v].iter().copied()).collect();
            let lonely = up[v].is_empty() && down[v].is_empty();
            wanted.push(if !around.is_empty() {
                around.iter().map(|&n| xs[n]).sum::<f64>() / around.len() as f64
            } else if lonely && i > 0 {
                // A box with no arrows (the goal, the rules) sits close
                // beside the one before it rather than where it started.
                wanted[i - 1] + gaps[l][i - 1]
            } else {
                xs[v]
            });
        }
        for (&v, x) in layers[l].iter().zip(space_out(&wanted, &gaps[l])) {
            xs[v] = x;
        }
    };
    for _ in 0..PLACE_ROUNDS {
        for l in 1..layers.len() {
            pull(&mut xs, l, &[&up]);
        }
        for l in (0..layers.len().saturating_sub(1)).rev() {
            pull(&mut xs, l, &[&down]);
        }
    }
    for l in 0..layers.len() {
        pull(&mut xs, l, &[&up, &down]);
    }
    straighten(&mut xs, slots, layers, &gaps, &up, &down, real);
    let left = slots
        .iter()
        .zip(&xs)
        .map(|(s, &x)| x - (s.width + s.reserve_right) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if left.is_finite() { MARGIN - left } else { 0.0 };
    // Boxes with loops are centred on box and loops together; the box itself
    // starts at the left of that.
    xs.iter().map(|x| x + shift).collect()
}

/// Lines up each run of placeholders of one arrow on one x where the
/// neighbours leave room for it, so a long arrow is drawn straight instead
/// of wobbling from layer to layer.
fn straighten(
    xs: &mut [f64],
    slots: &[Slot],
    layers: &[Vec<usize>],
    gaps: &[Vec<f64>],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    real: usize,
) {
    let mut index = vec![0usize; slots.len()];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            index[v] = i;
        }
    }
    // Placeholders are numbered after the boxes, an arrow's top to bottom,
    // so a run starts at one whose slot above is a box.
    for start in real..slots.len() {
        if up[start].first().is_some_and(|&above| above >= real) {
            continue;
        }
        let mut run = vec![start];
        while let Some(&next) = down[*run.last().unwrap_or(&start)].first() {
            if next < real {
                break;
            }
            run.push(next);
        }
        let fits = |x: f64, xs: &[f64]| {
            run.iter().all(|&v| {
                let (layer, i) = (&layers[slots[v].layer], index[v]);
                let gaps = &gaps[slots[v].layer];
                let left_ok = i == 0 || xs[layer[i - 1]] + gaps[i - 1] <= x + 1e-9;
                let right_ok = i + 1 == layer.len() || x + gaps[i] <= xs[layer[i + 1]] + 1e-9;
                left_ok && right_ok
            })
        };
        let mut candidates: Vec<f64> = run.iter().map(|&v| xs[v]).collect();
        candidates.sort_by(f64::total_cmp);
        // Try the middle position first: it moves the run the least.
        let middle = candidates.len() / 2;
        let mut tries = vec![candidates[middle]];
        tries.extend(candidates.iter().copied());
        if let Some(x) = tries.into_iter().find(|&x| fits(x, xs)) {
            for &v in &run {
                xs[v] = x;
            }
        }
    }
}

/// Positions as close as possible (least squares) to `wanted`, in the same
/// order, with at least `gaps[i]` between the i-th and the next: isotonic
/// regression by pooling adjacent violators, on the positions less the gaps
/// before them.
fn space_out(wanted: &[f64], gaps: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(wanted.len());
    let mut offset = 0.0;
    for i in 0..wanted.len() {
        offsets.push(offset);
        offset += gaps.get(i).copied().unwrap_or(0.0);
    }
    // (sum, count) blocks that share one value.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (w, o) in wanted.iter().zip(&offsets) {
        blocks.push((w - o, 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 > s2 / c2 as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s1 + s2, c1 + c2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(wanted.len());
    for (sum, count) in blocks {
        for _ in 0..count {
            out.push(sum / count as f64);
        }
    }
    out.iter().zip(&offsets).map(|(y, o)| y + o).collect()
}

/// The top and height of each layer's band; boxes are centred in theirs.
pub(super) struct Bands {
    top: Vec<f64>,
    height: Vec<f64>,
}

impl Bands {
    pub(super) fn new(slots: &[Slot], layers: &[Vec<usize>]) -> Bands {
        let mut top = Vec::with_capacity(layers.len());
        let mut height = Vec::with_capacity(layers.len());
        let mut y = MARGIN;
        for (l, layer) in layers.iter().enumerate() {
            let tallest = layer.iter().map(|&v| slots[v].height).fold(0.0, f64::max);
            let h = if l % 2 == 1 {
                tallest.max(MIN_LABEL_LAYER)
            } else {
                tallest
            };
            top.push(y);
            height.push(h);
            y += h + LAYER_GAP;
        }
        Bands { top, height }
    }

    pub(super) fn top(&self, layer: usize) -> f64 {
        self.top[layer]
    }

    pub(super) fn bottom(&self, layer: usize) -> f64 {
        self.top[layer] + self.height[layer]
    }

    /// The top of something this tall, centred in the layer's band.
    pub(super) fn centred(&self, layer: usize, height: f64) -> f64 {
        self.top[layer] + (self.height[layer] - height) / 2.0
    }

    pub(super) fn bottom_of_all(&self) -> f64 {
        self.top
            .len()
            .checked_sub(1)
            .map_or(MARGIN, |l| self.bottom(l))
    }
}
