//! Layering: which arrows are turned round, which layer each box is in, and
//! the placeholders that carry an arrow across the layers between its ends.

use super::route::{self, LoopLabel};
use super::{Graph, MAX_PLACES, Slot, TooLarge};

/// The graph in layers, every link joining neighbouring layers.
pub(super) struct Layered {
    pub(super) slots: Vec<Slot>,
    /// How many of the slots are boxes; placeholders come after them.
    pub(super) real: usize,
    pub(super) chains: Vec<Chain>,
    /// (upper, lower) slot pairs along every chain.
    pub(super) links: Vec<(usize, usize)>,
    /// Arrows from a box to itself, and where their loops go.
    pub(super) loops: Vec<(usize, LoopLabel)>,
}

/// An arrow between two boxes as slots from top to bottom.
pub(super) struct Chain {
    /// Its index in the graph.
    pub(super) arrow: usize,
    pub(super) slots: Vec<usize>,
    /// Turned round: it points up the page.
    pub(super) back: bool,
    /// The placeholder its label takes.
    pub(super) label: Option<usize>,
}

impl Layered {
    pub(super) fn new(graph: &Graph) -> Result<Layered, TooLarge> {
        let real = graph.sizes.len();
        let (loops, others): (Vec<usize>, Vec<usize>) =
            (0..graph.arrows.len()).partition(|&a| graph.arrows[a].from == graph.arrows[a].to);
        // An arrow to a box that does not exist is drawn nowhere.
        let others: Vec<usize> = others
            .into_iter()
            .filter(|&a| graph.arrows[a].from < real && graph.arrows[a].to < real)
            .collect();
        let back = back_edges(real, graph, &others);
        // (upper, lower): every arrow pointing down the page.
        let oriented: Vec<(usize, usize)> = others
            .iter()
            .map(|&a| {
                let arrow = &graph.arrows[a];
                if back[a] {
                    (arrow.to, arrow.from)
                } else {
                    (arrow.from, arrow.to)
                }
            })
            .collect();
        let layers_of = longest_path_layers(real, &oriented);
        // Every layer an arrow crosses takes a placeholder (two per layer of
        // boxes, as layers are doubled), and the later stages work on them
        // all: count them before making any.
        let places = oriented.iter().fold(real, |places, &(upper, lower)| {
            let crossed = (layers_of[lower] * 2).saturating_sub(layers_of[upper] * 2 + 1);
            places.saturating_add(crossed)
        });
        if places > MAX_PLACES {
            return Err(TooLarge { places });
        }

        let mut slots: Vec<Slot> = graph
            .sizes
            .iter()
            .zip(&layers_of)
            .map(|(&(w, h), &layer)| Slot {
                layer: layer * 2,
                width: w,
                height: h,
                reserve_right: 0.0,
            })
            .collect();
        let loops = route::reserve_loops(graph, &loops, &mut slots);

        // The label sits in the placeholder nearest the arrow's source: the
        // top one, or the bottom one for an arrow turned round.
        let mut chains = Vec::with_capacity(others.len());
        for (&a, &(upper, lower)) in others.iter().zip(&oriented) {
            let arrow = &graph.arrows[a];
            let (top, bottom) = (slots[upper].layer, slots[lower].layer);
            let labelled = arrow.label.0 > 0.0 && arrow.label.1 > 0.0;
            let label_layer = if back[a] { bottom - 1 } else { top + 1 };
            let mut chain = vec![upper];
            let mut label = None;
            for layer in top + 1..bottom {
                let (width, height) = if labelled && layer == label_layer {
                    label = Some(slots.len());
                    arrow.label
                } else {
                    (0.0, 0.0)
                };
                chain.push(slots.len());
                slots.push(Slot {
                    layer,
                    width,
                    height,
                    reserve_right: 0.0,
                });
            }
            chain.push(lower);
            chains.push(Chain {
                arrow: a,
                slots: chain,
                back: back[a],
                label,
            });
        }
        let links = chains
            .iter()
            .flat_map(|chain| chain.slots.windows(2).map(|w| (w[0], w[1])))
            .collect();
        Ok(Layered {
            slots,
            real,
            chains,
            links,
            loops,
        })
    }
}

/// Which arrows close a loop (by arrow index): those a depth-first search, from the boxes in
/// order, finds pointing back to a box still on its path.
fn back_edges(real: usize, graph: &Graph, arrows: &[usize]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); real];
    for &a in arrows {
        out[graph.arrows[a].from].push(a);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        Not,
        OnPath,
        Done,
    }
    let mut seen = vec![Seen::Not; real];
    let mut back = vec![false; graph.arrows.len()];
    for root in 0..real {
        if seen[root] != Seen::Not {
            continue;
        }
        // (box, how many of its arrows are followed), so deep programs do
        // not recurse deeply.
        let mut stack = vec![(root, 0)];
        seen[root] = Seen::OnPath;
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if let Some(&a) = out[v].get(next) {
                top.1 += 1;
                let to = graph.arrows[a].to;
                match seen[to] {
                    Seen::OnPath => back[a] = true,
                    Seen::Not => {
                        seen[to] = Seen::OnPath;
                        stack.push((to, 0));
                    }
                    Seen::Done => {}
                }
            } else {
                seen[v] = Seen::Done;
                stack.pop();
            }
        }
    }
    back
}

/// Each box's layer: the longest path to it from a box no arrow points to.
fn longest_path_layers(real: usize, oriented: &[(usize, usize)]) -> Vec<usize> {
    let mut incoming = vec![0usize; real];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); real];
    for &(from, to) in oriented {
        incoming[to] += 1;
        out[from].push(to);
    }
    let mut layer = vec![0usize; real];
    let mut ready: std::collections::BTreeSet<usize> =
        (0..real).filter(|&v| incoming[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &to in &out[v] {
            layer[to] = layer[to].max(layer[v] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.insert(to);
            }
        }
    }
    layer
}
