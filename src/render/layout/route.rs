//! The arrows' paths: ends spread along the sides of the boxes, straight
//! down through each layer, bending only in the gaps between layers; loops
//! onto a box on its right side.

use super::layers::Layered;
use super::place::Bands;
use super::{Direction, Graph, Point, Rect, Route, Segment, Slot};

/// Between the ends of arrows that share a side of a box.
const PORT_GAP: f64 = 14.0;
/// How far the first loop of a box onto itself reaches out, and each next.
const LOOP_REACH: f64 = 22.0;
const LOOP_STEP: f64 = 12.0;

/// Every arrow's route, in the graph's order.
pub(super) fn routes(
    graph: &Graph,
    layered: &Layered,
    xs: &[f64],
    bands: &Bands,
    boxes: &[Rect],
) -> Vec<Route> {
    let chains: Vec<&[usize]> = layered.chains.iter().map(|c| c.slots.as_slice()).collect();
    let ports = Ports::new(boxes, &chains, xs);
    let mut routes: Vec<Option<Route>> = (0..graph.arrows.len()).map(|_| None).collect();
    let slots = &layered.slots;
    for (k, chain) in layered.chains.iter().enumerate() {
        // (point, whether the segment leading to it bends)
        let mut points = Vec::new();
        let first = ports.bottom[k];
        points.push((first, false));
        let top_layer = slots[chain.slots[0]].layer;
        if first.y < bands.bottom(top_layer) {
            points.push((
                Point {
                    x: first.x,
                    y: bands.bottom(top_layer),
                },
                false,
            ));
        }
        for &slot in &chain.slots[1..chain.slots.len() - 1] {
            let layer = slots[slot].layer;
            points.push((
                Point {
                    x: xs[slot],
                    y: bands.top(layer),
                },
                true,
            ));
            points.push((
                Point {
                    x: xs[slot],
                    y: bands.bottom(layer),
                },
                false,
            ));
        }
        let last = ports.top[k];
        let bottom_layer = slots[chain.slots[chain.slots.len() - 1]].layer;
        points.push((
            Point {
                x: last.x,
                y: bands.top(bottom_layer),
            },
            true,
        ));
        if last.y > bands.top(bottom_layer) {
            points.push((last, false));
        }
        if chain.back {
            // Whether a segment bends belongs to the point it leads to, so
            // turning the path round shifts those by one.
            let bends: Vec<bool> = points.iter().map(|p| p.1).collect();
            points.reverse();
            for (i, point) in points.iter_mut().enumerate() {
                point.1 = i > 0 && bends[bends.len() - i];
            }
        }
        let label = chain.label.map(|slot| {
            let s = &slots[slot];
            Rect {
                x: xs[slot] - s.width / 2.0,
                y: bands.centred(s.layer, s.height),
                w: s.width,
                h: s.height,
            }
        });
        routes[chain.arrow] = Some(Route {
            start: points[0].0,
            segments: points
                .windows(2)
                .map(|w| bend(w[0].0, w[1].0, w[1].1))
                .collect(),
            direction: if chain.back {
                Direction::Back
            } else {
                Direction::Forward
            },
            label,
        });
    }
    for (a, spec) in &layered.loops {
        routes[*a] = Some(self_loop(&boxes[graph.arrows[*a].from], spec));
    }
    routes
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
        .collect()
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

/// Widens each box with loops onto itself by the room they take on its
/// right, and says which loops those are with their label sizes.
pub(super) fn reserve_loops(
    graph: &Graph,
    loops: &[usize],
    slots: &mut [Slot],
) -> Vec<(usize, LoopLabel)> {
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
pub(super) struct LoopLabel {
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

/// Where arrows leave the bottom of a box and arrive at the top: spread
/// along the side in the order of where they go, so arrows between the same
/// two boxes stay apart and do not cross at the box.
struct Ports {
    bottom: Vec<Point>,
    top: Vec<Point>,
}

impl Ports {
    fn new(boxes: &[Rect], chains: &[&[usize]], xs: &[f64]) -> Ports {
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
}
