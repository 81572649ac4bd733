//! A layered ("Sugiyama") layout for drawing a chart top to bottom, with no
//! knowledge of what the boxes say: it is given sizes and arrows, and hands
//! back where each box goes and the path of each arrow.
//!
//! The stages, each a function below:
//! 1. arrows that close a loop (a DFS back edge) are turned round, so the
//!    graph has no cycles; they are drawn the right way round at the end;
//! 2. each box gets a layer: the longest path to it from a box with no
//!    arrows in. Layers are doubled so that every arrow crosses at least
//!    one empty layer, which is where its label goes;
//! 3. an arrow that crosses layers gets a placeholder in each one, so it
//!    takes room there like a box and nothing is drawn across it;
//! 4. the order within each layer comes from a few barycenter sweeps that
//!    keep the order with the fewest crossings;
//! 5. x positions are pulled towards neighbours and then spaced out
//!    (isotonic regression, which keeps the order and the gaps and moves
//!    boxes as little as possible); y comes from the layer heights.
//!
//! Everything is computed in a fixed order from the input, and the same
//! IEEE arithmetic gives the same numbers on every machine.

/// A point in the drawing, y down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// An axis-aligned box, by its top-left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// What to lay out: box sizes (w, h), and arrows between them with the size
/// of their label, (0, 0) for none.
pub struct Graph {
    pub sizes: Vec<(f64, f64)>,
    pub arrows: Vec<Arrow>,
}

pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub label: (f64, f64),
}

/// One piece of an arrow's path, from where the last one ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment {
    Line(Point),
    Curve(Point, Point, Point),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Down the page, the way the program runs.
    Forward,
    /// Back up to an earlier box: a loop.
    Back,
    /// From a box to itself.
    SelfLoop,
}

/// An arrow's path from its source's border to its target's border.
pub struct Route {
    pub start: Point,
    pub segments: Vec<Segment>,
    pub direction: Direction,
    pub label: Option<Rect>,
}

pub struct Layout {
    pub boxes: Vec<Rect>,
    pub routes: Vec<Route>,
    pub width: f64,
    pub height: f64,
}

/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// Between two boxes side by side.
const BOX_GAP: f64 = 28.0;
/// Between an arrow passing through a layer and its neighbours.
const PASS_GAP: f64 = 14.0;
/// Between layers; the arrows bend here.
const LAYER_GAP: f64 = 30.0;
/// The least height of a layer of labels, so arrows have room to bend.
const MIN_LABEL_LAYER: f64 = 6.0;
/// Between the ends of arrows that share a side of a box.
const PORT_GAP: f64 = 14.0;
/// How far the first loop of a box onto itself reaches out, and each next.
const LOOP_REACH: f64 = 22.0;
const LOOP_STEP: f64 = 12.0;
/// Enough rounds for the bundled programs to settle; more change nothing.
const ORDER_SWEEPS: usize = 12;
const PLACE_ROUNDS: usize = 8;

/// A box or a placeholder in the layered graph.
struct Slot {
    layer: usize,
    /// The width it takes in its layer.
    width: f64,
    height: f64,
    /// Wider than the box by the loops onto itself on its right.
    reserve_right: f64,
}

pub fn layout(graph: &Graph) -> Layout {
    let real = graph.sizes.len();
    let (loops, others): (Vec<usize>, Vec<usize>) =
        (0..graph.arrows.len()).partition(|&a| graph.arrows[a].from == graph.arrows[a].to);
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
            if back.contains(&a) {
                (arrow.to, arrow.from)
            } else {
                (arrow.from, arrow.to)
            }
        })
        .collect();
    let layers_of = longest_path_layers(real, &oriented);

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
    let loop_labels = reserve_loops(graph, &loops, &mut slots);

    // Each arrow becomes a chain of slots, top to bottom, and its label sits
    // in the placeholder nearest the arrow's source.
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut label_slot: Vec<Option<usize>> = Vec::new();
    for (k, &(upper, lower)) in oriented.iter().enumerate() {
        let arrow = &graph.arrows[others[k]];
        let is_back = back.contains(&others[k]);
        let (top, bottom) = (slots[upper].layer, slots[lower].layer);
        let labelled = arrow.label.0 > 0.0 && arrow.label.1 > 0.0;
        let label_layer = if is_back { bottom - 1 } else { top + 1 };
        let mut chain = vec![upper];
        let mut label_at = None;
        for layer in top + 1..bottom {
            let (width, height) = if labelled && layer == label_layer {
                label_at = Some(slots.len());
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
        chains.push(chain);
        label_slot.push(label_at);
    }
    let links: Vec<(usize, usize)> = chains
        .iter()
        .flat_map(|chain| chain.windows(2).map(|w| (w[0], w[1])))
        .collect();

    let layer_count = slots.iter().map(|s| s.layer + 1).max().unwrap_or(0);
    let layers = order(&slots, &links, layer_count);
    let xs = place(&slots, &links, &layers, real);
    let (band_top, band_height) = bands(&slots, &layers);

    let boxes: Vec<Rect> = (0..real)
        .map(|v| {
            let slot = &slots[v];
            let layer = slot.layer;
            Rect {
                x: xs[v] - (slot.width + slot.reserve_right) / 2.0,
                y: band_top[layer] + (band_height[layer] - slot.height) / 2.0,
                w: slot.width,
                h: slot.height,
            }
        })
        .collect();

    let ports = Ports::new(&boxes, &chains, &xs);
    let mut routes: Vec<Option<Route>> = (0..graph.arrows.len()).map(|_| None).collect();
    for (k, chain) in chains.iter().enumerate() {
        let mut points = Vec::new();
        let first = ports.bottom(k);
        points.push((first, false));
        let layer_bottom = |layer: usize| band_top[layer] + band_height[layer];
        let top_layer = slots[chain[0]].layer;
        if first.y < layer_bottom(top_layer) {
            points.push((
                Point {
                    x: first.x,
                    y: layer_bottom(top_layer),
                },
                false,
            ));
        }
        for &slot in &chain[1..chain.len() - 1] {
            let layer = slots[slot].layer;
            points.push((
                Point {
                    x: xs[slot],
                    y: band_top[layer],
                },
                true,
            ));
            points.push((
                Point {
                    x: xs[slot],
                    y: layer_bottom(layer),
                },
                false,
            ));
        }
        let last = ports.top(k);
        let bottom_layer = slots[chain[chain.len() - 1]].layer;
        points.push((
            Point {
                x: last.x,
                y: band_top[bottom_layer],
            },
            true,
        ));
        if last.y > band_top[bottom_layer] {
            points.push((last, false));
        }
        let is_back = back.contains(&others[k]);
        if is_back {
            // The kind of each segment belongs to the point it leads to, so
            // turning the path round shifts the kinds by one.
            let kinds: Vec<bool> = points.iter().map(|p| p.1).collect();
            points.reverse();
            for (i, point) in points.iter_mut().enumerate() {
                point.1 = i > 0 && kinds[kinds.len() - i];
            }
        }
        let label = label_slot[k].map(|slot| {
            let layer = slots[slot].layer;
            Rect {
                x: xs[slot] - slots[slot].width / 2.0,
                y: band_top[layer] + (band_height[layer] - slots[slot].height) / 2.0,
                w: slots[slot].width,
                h: slots[slot].height,
            }
        });
        routes[others[k]] = Some(Route {
            start: points[0].0,
            segments: points
                .windows(2)
                .map(|w| bend(w[0].0, w[1].0, w[1].1))
                .collect(),
            direction: if is_back {
                Direction::Back
            } else {
                Direction::Forward
            },
            label,
        });
    }
    for (a, label) in loop_labels {
        routes[a] = Some(self_loop(&boxes[graph.arrows[a].from], &label));
    }

    let mut width: f64 = 0.0;
    for (slot, &x) in slots.iter().zip(&xs) {
        width = width.max(x + (slot.width + slot.reserve_right) / 2.0);
    }
    let height = band_top
        .last()
        .zip(band_height.last())
        .map(|(top, h)| top + h)
        .unwrap_or(0.0);
    Layout {
        boxes,
        routes: routes
            .into_iter()
            .map(|r| {
                // An arrow to a box that does not exist is drawn nowhere.
                r.unwrap_or(Route {
                    start: Point { x: 0.0, y: 0.0 },
                    segments: Vec::new(),
                    direction: Direction::Forward,
                    label: None,
                })
            })
            .collect(),
        width: width + MARGIN,
        height: height + MARGIN,
    }
}

/// The segment leading to `to`: a curve that leaves and arrives vertically,
/// bending halfway, or a straight line inside a layer.
fn bend(from: Point, to: Point, curve: bool) -> Segment {
    if !curve || from.x == to.x {
        return Segment::Line(to);
    }
    let middle = (from.y + to.y) / 2.0;
    Segment::Curve(
        Point {
            x: from.x,
            y: middle,
        },
        Point { x: to.x, y: middle },
        to,
    )
}

/// Arrows that close a loop: those a depth-first search, from the boxes in
/// order, finds pointing back to a box still on its path.
fn back_edges(real: usize, graph: &Graph, arrows: &[usize]) -> Vec<usize> {
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
    let mut back = Vec::new();
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
                    Seen::OnPath => back.push(a),
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
    back.sort_unstable();
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

/// Widens each box with loops onto itself by the room they take on its
/// right, and says which loops those are with their label sizes.
fn reserve_loops(graph: &Graph, loops: &[usize], slots: &mut [Slot]) -> Vec<(usize, LoopLabel)> {
    let mut by_box: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &a in loops {
        if graph.arrows[a].from < slots.len() {
            by_box.entry(graph.arrows[a].from).or_default().push(a);
        }
    }
    let mut placed = Vec::new();
    for (v, mine) in by_box {
        let reach = LOOP_REACH + LOOP_STEP * (mine.len() - 1) as f64;
        let widest = mine
            .iter()
            .map(|&a| graph.arrows[a].label.0)
            .fold(0.0, f64::max);
        let total_height: f64 = mine.iter().map(|&a| graph.arrows[a].label.1).sum();
        slots[v].reserve_right = reach + 6.0 + widest;
        let mut y = -total_height / 2.0;
        for (k, &a) in mine.iter().enumerate() {
            let (w, h) = graph.arrows[a].label;
            placed.push((
                a,
                LoopLabel {
                    nth: k,
                    label_x: reach + 6.0,
                    label_y: y,
                    size: (w, h),
                },
            ));
            y += h;
        }
    }
    placed
}

/// Where a loop onto a box goes, relative to the box's right side and middle.
struct LoopLabel {
    nth: usize,
    label_x: f64,
    label_y: f64,
    size: (f64, f64),
}

fn self_loop(of: &Rect, spec: &LoopLabel) -> Route {
    let right = of.x + of.w;
    let middle = of.y + of.h / 2.0;
    let spread = 5.0 + 4.0 * spec.nth as f64;
    let reach = LOOP_REACH + LOOP_STEP * spec.nth as f64;
    let start = Point {
        x: right,
        y: middle - spread,
    };
    let end = Point {
        x: right,
        y: middle + spread,
    };
    let label = (spec.size.0 > 0.0).then_some(Rect {
        x: right + spec.label_x,
        y: middle + spec.label_y,
        w: spec.size.0,
        h: spec.size.1,
    });
    Route {
        start,
        segments: vec![Segment::Curve(
            Point {
                x: right + reach * 1.3,
                y: start.y - reach * 0.6,
            },
            Point {
                x: right + reach * 1.3,
                y: end.y + reach * 0.6,
            },
            end,
        )],
        direction: Direction::SelfLoop,
        label,
    }
}

/// The order of the slots in each layer, left to right.
fn order(slots: &[Slot], links: &[(usize, usize)], layer_count: usize) -> Vec<Vec<usize>> {
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
    for sweep in 0..ORDER_SWEEPS {
        let downward = sweep % 2 == 0;
        let sequence: Vec<usize> = if downward {
            (1..layer_count).collect()
        } else {
            (0..layer_count.saturating_sub(1)).rev().collect()
        };
        for l in sequence {
            for layer in &layers {
                for (i, &v) in layer.iter().enumerate() {
                    position[v] = i;
                }
            }
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
    by_layer
        .iter()
        .map(|pairs| {
            let mut count = 0;
            for (i, p) in pairs.iter().enumerate() {
                for q in &pairs[i + 1..] {
                    if (p.0 < q.0 && p.1 > q.1) || (p.0 > q.0 && p.1 < q.1) {
                        count += 1;
                    }
                }
            }
            count
        })
        .sum()
}

/// The x of each slot's centre: rounds that pull each slot towards the mean
/// of its neighbours in the layer above, then below, each followed by
/// spacing the layer out again.
fn place(slots: &[Slot], links: &[(usize, usize)], layers: &[Vec<usize>], real: usize) -> Vec<f64> {
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
fn bands(slots: &[Slot], layers: &[Vec<usize>]) -> (Vec<f64>, Vec<f64>) {
    let mut tops = Vec::with_capacity(layers.len());
    let mut heights = Vec::with_capacity(layers.len());
    let mut y = MARGIN;
    for (l, layer) in layers.iter().enumerate() {
        let tallest = layer.iter().map(|&v| slots[v].height).fold(0.0, f64::max);
        let height = if l % 2 == 1 {
            tallest.max(MIN_LABEL_LAYER)
        } else {
            tallest
        };
        tops.push(y);
        heights.push(height);
        y += height + LAYER_GAP;
    }
    (tops, heights)
}

/// Where arrows leave the bottom of a box and arrive at the top: spread
/// along the side in the order of where they go, so arrows between the same
/// two boxes stay apart and do not cross at the box.
struct Ports {
    bottom: Vec<Point>,
    top: Vec<Point>,
}

impl Ports {
    fn new(boxes: &[Rect], chains: &[Vec<usize>], xs: &[f64]) -> Ports {
        let mut leaving: Vec<Vec<(f64, usize)>> = vec![Vec::new(); boxes.len()];
        let mut arriving: Vec<Vec<(f64, usize)>> = vec![Vec::new(); boxes.len()];
        for (k, chain) in chains.iter().enumerate() {
            let n = chain.len();
            leaving[chain[0]].push((xs[chain[1]], k));
            arriving[chain[n - 1]].push((xs[chain[n - 2]], k));
        }
        let mut bottom = vec![Point { x: 0.0, y: 0.0 }; chains.len()];
        let mut top = bottom.clone();
        for (v, b) in boxes.iter().enumerate() {
            for (side, y, out) in [
                (&mut leaving[v], b.y + b.h, &mut bottom),
                (&mut arriving[v], b.y, &mut top),
            ] {
                side.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
                let n = side.len();
                let spacing = if n > 1 {
                    PORT_GAP.min((b.w - 16.0).max(0.0) / (n - 1) as f64)
                } else {
                    0.0
                };
                let centre = b.x + b.w / 2.0;
                for (i, &(_, k)) in side.iter().enumerate() {
                    let x = centre + (i as f64 - (n - 1) as f64 / 2.0) * spacing;
                    out[k] = Point { x, y };
                }
            }
        }
        Ports { bottom, top }
    }

    fn bottom(&self, chain: usize) -> Point {
        self.bottom[chain]
    }

    fn top(&self, chain: usize) -> Point {
        self.top[chain]
    }
}
