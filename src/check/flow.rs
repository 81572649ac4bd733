//! How a customer moves through a program, statement by statement, and how
//! much time each move takes. The graph checks (consent, caps, loops) and
//! the static facts all walk this.
//!
//! A *point* is "about to run statement `at` of step `step`". Running it
//! leads to one or more next points or exits, each after some time: `wait 3d`
//! takes three days, a `timeout` arm the wait's length, everything else no
//! time at all. An event arm also takes no time, since a customer may answer
//! at once: that is the worst case the checks must allow for.
//!
//! Moves that never happen are left out: an arm for an event that an `exit
//! when` rule, the goal or an earlier arm always takes first, and a `when`
//! an earlier one always takes first (`shadow.rs` finds them, on the flow
//! with every move, and keeps what took them for the warnings).

pub use super::shadow::Shadowed;
use crate::span::{Name, Span};
use crate::syntax::ast::{Cond, Program, Statement, StatementKind, Target, WaitOn};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    pub step: usize,
    pub at: usize,
}

/// Where a move leads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum To<'p> {
    Point(Point),
    /// Leaves the program with this outcome.
    Exit(&'p Name),
    /// An arrow to a step that does not exist (reported by `graph`).
    Nowhere,
}

/// What takes the customer along a move.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Via<'p> {
    /// The next statement of the same step.
    Next,
    Goto,
    /// A wait arm for this event.
    Event(&'p Name),
    Timeout,
    /// A `when` arm, with its condition.
    When(&'p Cond),
    Else,
    Share,
}

impl Via<'_> {
    /// An arm of a `wait up to … for` or a `branch`: what can be shadowed.
    pub fn is_arm(&self) -> bool {
        matches!(self, Via::Event(_) | Via::When(_))
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Move<'p> {
    pub to: To<'p>,
    /// Minutes the move takes at the soonest (an answer may come at once).
    pub after: u64,
    /// Minutes the move may take at the latest: for an event arm, the
    /// wait's whole length, since the answer may come just before timeout.
    pub latest: u64,
    pub via: Via<'p>,
    /// The arrow or statement the move is written as.
    pub span: Span,
    /// True when the move is part of the same run of the interpreter: the
    /// next statement after one that does not wait, an arrow, a `branch`
    /// or `split` arm. A `wait`, an event arm and a `timeout` end a run:
    /// the customer waits, and the interpreter runs again later.
    pub same_run: bool,
}

pub struct Flow<'p> {
    pub program: &'p Program,
    steps: BTreeMap<&'p str, usize>,
    /// The moves from every point, worked out once: every check walks them
    /// many times.
    moves: Vec<Vec<Vec<Move<'p>>>>,
    /// The arms left out because something always takes their customers
    /// first, in source order.
    pub shadowed: Vec<Shadowed<'p>>,
}

impl<'p> Flow<'p> {
    /// The flow without the moves that never happen.
    pub fn new(program: &'p Program) -> Self {
        let mut flow = Flow::with_every_move(program);
        let shadowed = super::shadow::find(&flow);
        let dead: std::collections::HashSet<Span> = shadowed.iter().map(|s| s.arm).collect();
        if !dead.is_empty() {
            for step in &mut flow.moves {
                for moves in step {
                    moves.retain(|m| !(m.via.is_arm() && dead.contains(&m.span)));
                }
            }
        }
        flow.shadowed = shadowed;
        flow
    }

    /// The flow as written, every arm included.
    pub fn with_every_move(program: &'p Program) -> Self {
        let mut steps = BTreeMap::new();
        for (i, step) in program.steps.iter().enumerate() {
            // The first of two steps with one name wins, as N102 says.
            steps.entry(step.name.as_str()).or_insert(i);
        }
        let mut flow = Flow {
            program,
            steps,
            moves: Vec::new(),
            shadowed: Vec::new(),
        };
        flow.moves = program
            .steps
            .iter()
            .enumerate()
            .map(|(step, s)| {
                (0..s.statements.len())
                    .map(|at| flow.work_out_moves(Point { step, at }))
                    .collect()
            })
            .collect();
        flow
    }

    pub fn step_index(&self, name: &str) -> Option<usize> {
        self.steps.get(name).copied()
    }

    /// Where customers enter: `start STEP`, or else the first step.
    pub fn start(&self) -> Option<Point> {
        let named = self.program.clauses.iter().find_map(|c| match &c.kind {
            crate::syntax::ast::ClauseKind::Start(name) => Some(name.as_str()),
            _ => None,
        });
        let step = match named {
            Some(name) => self.step_index(name)?,
            None if self.program.steps.is_empty() => return None,
            None => 0,
        };
        Some(Point { step, at: 0 })
    }

    pub fn statement(&self, point: Point) -> Option<&'p Statement> {
        self.program.steps.get(point.step)?.statements.get(point.at)
    }

    pub fn target(&self, target: &'p Target) -> To<'p> {
        match target {
            Target::Exit { outcome, .. } => To::Exit(outcome),
            Target::Step(name) => match self.step_index(name.as_str()) {
                Some(step) => To::Point(Point { step, at: 0 }),
                None => To::Nowhere,
            },
        }
    }

    /// Every way on from `point`. A step that ends without a way on (N107)
    /// has none.
    pub fn moves(&self, point: Point) -> &[Move<'p>] {
        self.moves
            .get(point.step)
            .and_then(|step| step.get(point.at))
            .map_or(&[], Vec::as_slice)
    }

    fn work_out_moves(&self, point: Point) -> Vec<Move<'p>> {
        let Some(statement) = self.statement(point) else {
            return Vec::new();
        };
        let next = To::Point(Point {
            step: point.step,
            at: point.at + 1,
        });
        let span = statement.span;
        match &statement.kind {
            StatementKind::Wait(duration) => vec![Move {
                to: next,
                after: duration.value.minutes,
                latest: duration.value.minutes,
                via: Via::Next,
                span,
                same_run: false,
            }],
            StatementKind::WaitFor(wait) => wait
                .arms
                .iter()
                .map(|arm| {
                    let (after, via) = match &arm.on {
                        WaitOn::Event { event, .. } => (0, Via::Event(event)),
                        WaitOn::Timeout(_) => (wait.up_to.value.minutes, Via::Timeout),
                    };
                    Move {
                        to: self.target(&arm.target),
                        after,
                        latest: wait.up_to.value.minutes,
                        via,
                        span: arm.span,
                        same_run: false,
                    }
                })
                .collect(),
            StatementKind::Branch(arms) => arms
                .iter()
                .map(|arm| Move {
                    to: self.target(&arm.target),
                    after: 0,
                    latest: 0,
                    via: match &arm.condition {
                        Some(condition) => Via::When(condition),
                        None => Via::Else,
                    },
                    span: arm.span,
                    same_run: true,
                })
                .collect(),
            StatementKind::Split(arms) => arms
                .iter()
                .map(|arm| Move {
                    to: self.target(&arm.target),
                    after: 0,
                    latest: 0,
                    via: Via::Share,
                    span: arm.span,
                    same_run: true,
                })
                .collect(),
            StatementKind::Exit(outcome) => vec![Move {
                to: To::Exit(outcome),
                after: 0,
                latest: 0,
                via: Via::Goto,
                span,
                same_run: true,
            }],
            StatementKind::Goto(name) => vec![Move {
                to: match self.step_index(name.as_str()) {
                    Some(step) => To::Point(Point { step, at: 0 }),
                    None => To::Nowhere,
                },
                after: 0,
                latest: 0,
                via: Via::Goto,
                span,
                same_run: true,
            }],
            _ => vec![Move {
                to: next,
                after: 0,
                latest: 0,
                via: Via::Next,
                span,
                same_run: true,
            }],
        }
    }
}

/// "3d", "36h", "90m": the largest unit that divides the minutes (days at
/// most: "28d" reads more plainly than "4w"), while that takes at most two
/// digits of hours or minutes; past that, days, hours and minutes:
/// "36d 3h", "1d 10h 30m".
pub fn show_minutes(minutes: u64) -> String {
    const DAY: u64 = 24 * 60;
    if minutes >= DAY && minutes % DAY == 0 {
        return format!("{}d", minutes / DAY);
    }
    if (60..2 * DAY).contains(&minutes) && minutes % 60 == 0 {
        return format!("{}h", minutes / 60);
    }
    if minutes < 120 {
        return format!("{minutes}m");
    }
    let (days, hours, rest) = (minutes / DAY, minutes % DAY / 60, minutes % 60);
    let parts = [(days, "d"), (hours, "h"), (rest, "m")];
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}
