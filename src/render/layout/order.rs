//! The order of the slots within each layer: barycenter sweeps, keeping the
//! order with the fewest crossings.

use super::Slot;

/// Enough rounds for the bundled programs to settle; more change nothing.
const ORDER_SWEEPS: usize = 12;

/// The order of the slots in each layer, left to right.
pub(super) fn order(
    slots: &[Slot],
    links: &[(usize, usize)],
    layer_count: usize,
) -> Vec<Vec<usize>> {
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for &(a, b) in links {
        down[a].push(b);
        up[b].push(a);
    }
    // Start from the order a depth-first walk meets the slots in, so a
    // box's children start out next to each other.
    let mut met = vec![usize::MAX; slots.len()];
    let mut counter = 0;
    for root in 0..slots.len() {
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            if met[v] != usize::MAX {
                continue;
            }
            met[v] = counter;
            counter += 1;
            stack.extend(down[v].iter().rev().copied());
        }
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for v in 0..slots.len() {
        layers[slots[v].layer].push(v);
    }
    for layer in &mut layers {
        layer.sort_by_key(|&v| met[v]);
    }

    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, links, slots);
    let mut position = vec![0usize; slots.len()];
    for layer in &layers {
        for (i, &v) in layer.iter().enumerate() {
            position[v] = i;
        }
    }
    for sweep in 0..ORDER_SWEEPS {
        let downward = sweep % 2 == 0;
        let sequence: Vec<usize> = if downward {
            (1..layer_count).collect()
        } else {
            (0..layer_count.saturating_sub(1)).rev().collect()
        };
        for l in sequence {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize, usize)> = layers[l]
                .iter()
                .map(|&v| {
                    let around = &neighbours[v];
                    let centre = if around.is_empty() {
                        // With nothing to follow, a slot keeps its place.
                        position[v] as f64
                    } else {
                        around.iter().map(|&n| position[n] as f64).sum::<f64>()
                            / around.len() as f64
                    };
                    (centre, position[v], v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, _, v)| v).collect();
            for (i, &v) in layers[l].iter().enumerate() {
                position[v] = i;
            }
        }
        let now = crossings(&layers, links, slots);
        if now < best_crossings {
            best_crossings = now;
            best = layers.clone();
        }
    }
    best
}

/// How many pairs of links cross, over all neighbouring layers.
fn crossings(layers: &[Vec<usize>], links: &[(usize, usize)], slots: &[Slot]) -> usize {
    let mut position = vec![0usize; slots.len()];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            position[v] = i;
        }
    }
    let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); layers.len()];
    for &(a, b) in links {
        by_layer[slots[a].layer].push((position[a], position[b]));
    }
    by_layer.iter_mut().map(|pairs| inversions(pairs)).sum()
}

/// How many pairs of (upper, lower) positions cross: sorted by upper, the
/// pairs whose lower positions are out of order. A Fenwick tree counts them
/// in n log n, which keeps a program with hundreds of steps quick to draw.
fn inversions(pairs: &mut [(usize, usize)]) -> usize {
    // Links from the same slot never cross; sorting them by their lower end
    // keeps them from counting.
    pairs.sort_unstable();
    let size = pairs.iter().map(|p| p.1 + 1).max().unwrap_or(0);
    let mut tree = vec![0usize; size + 1];
    let mut count = 0;
    for (seen, &(_, lower)) in pairs.iter().enumerate() {
        // Seen so far with a lower end at or before this one's.
        let mut at_or_before = 0;
        let mut i = lower + 1;
        while i > 0 {
            at_or_before += tree[i];
            i &= i - 1;
        }
        count += seen - at_or_before;
        let mut i = lower + 1;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::inversions;

    #[test]
    fn crossings_are_pairs_out_of_order() {
        // Shared ends never cross; (0,2)-(1,1) and (0,2)-(2,0) and (1,1)-(2,0) do.
        assert_eq!(inversions(&mut [(0, 2), (1, 1), (2, 0)]), 3);
        assert_eq!(inversions(&mut [(0, 0), (0, 1), (1, 1), (1, 0)]), 1);
        assert_eq!(inversions(&mut [(0, 1), (1, 1), (2, 1)]), 0);
        assert_eq!(inversions(&mut []), 0);
    }
}
