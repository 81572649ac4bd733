//! A layered ("Sugiyama") layout for drawing a chart top to bottom, with no
//! knowledge of what the boxes say: it is given sizes and arrows, and hands
//! back where each box goes and the path of each arrow.
//!
//! The stages, each in a file of its own:
//! 1. `layers.rs`: arrows that close a loop (a DFS back edge) are turned round, so the
//!    graph has no cycles; they are drawn the right way round at the end;
//! 2. each box gets a layer: the longest path to it from a box with no
//!    arrows in. Layers are doubled so that every arrow crosses at least
//!    one empty layer, which is where its label goes;
//! 3. `layers.rs` too: an arrow that crosses layers gets a placeholder in each one, so it
//!    takes room there like a box and nothing is drawn across it;
//! 4. `order.rs`: the order within each layer comes from a few barycenter sweeps that
//!    keep the order with the fewest crossings;
//! 5. `place.rs`: x positions are pulled towards neighbours and then spaced out
//!    (isotonic regression, which keeps the order and the gaps and moves
//!    boxes as little as possible); y comes from the layer heights;
//! 6. `route.rs`: the arrows' paths, from spread-out ends on the boxes
//!    through their placeholders.
//!
//! Everything is computed in a fixed order from the input, and the same
//! IEEE arithmetic gives the same numbers on every machine.

mod layers;
mod order;
mod place;
mod route;

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

/// The most boxes and placeholders a layout is made of. The bundled programs
/// need a few hundred; a chart past this is unreadable as a picture, and
/// laying it out would take seconds to minutes.
pub const MAX_PLACES: usize = 20_000;

/// A graph that would need more than [`MAX_PLACES`] boxes and placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    pub places: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the chart is too large to draw: its boxes, and the arrows where they cross layers, take {} places, more than the {MAX_PLACES} nurture lays out",
            self.places
        )
    }
}

/// A box or a placeholder in the layered graph.
struct Slot {
    pub(super) layer: usize,
    /// The width it takes in its layer.
    pub(super) width: f64,
    pub(super) height: f64,
    /// Wider than the box by the loops onto itself on its right.
    pub(super) reserve_right: f64,
}

pub fn layout(graph: &Graph) -> Result<Layout, TooLarge> {
    let layered = layers::Layered::new(graph)?;
    let layer_count = layered.slots.iter().map(|s| s.layer + 1).max().unwrap_or(0);
    let layers = order::order(&layered.slots, &layered.links, layer_count);
    let xs = place::place(&layered.slots, &layered.links, &layers, layered.real);
    let bands = place::Bands::new(&layered.slots, &layers);
    let boxes: Vec<Rect> = (0..layered.real)
        .map(|v| {
            let slot = &layered.slots[v];
            Rect {
                x: xs[v] - (slot.width + slot.reserve_right) / 2.0,
                y: bands.centred(slot.layer, slot.height),
                w: slot.width,
                h: slot.height,
            }
        })
        .collect();
    let routes = route::routes(graph, &layered, &xs, &bands, &boxes);
    let width = layered
        .slots
        .iter()
        .zip(&xs)
        .map(|(slot, &x)| x + (slot.width + slot.reserve_right) / 2.0)
        .fold(0.0, f64::max);
    Ok(Layout {
        boxes,
        routes,
        width: width + MARGIN,
        height: bands.bottom_of_all() + MARGIN,
    })
}
