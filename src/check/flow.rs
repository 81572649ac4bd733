//! How a customer moves through a program, statement by statement, and how
//! much time each move takes. The graph checks (consent, caps, loops) and
//! the static facts all walk this.
//!
//! A *point* is "about to run statement `at` of step `step`". Running it
//! leads to one or more next points or exits, each after some time: `wait 3d`
//! takes three days, a `timeout` arm the wait's length, everything else no
//! time at all. An event arm also takes no time, since a customer may answer
//! at once: that is the worst case the checks must allow for. `wait until
//! 30d after entry` takes no time of its own but ends no earlier than 30
//! days after entering (`Move::at_least`).
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
    /// An interrupt (`on EVENT -> STEP`) for this event, from a wait.
    Interrupt(&'p Name),
}

impl Via<'_> {
    /// An arm of a `wait up to … for` or a `branch`: what can be shadowed.
    pub fn is_arm(&self) -> bool {
        matches!(self, Via::Event(_) | Via::When(_) | Via::Interrupt(_))
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
    /// Minutes after entering that the move ends no earlier than: `wait
    /// until D after entry` ends at D, or at once when D has passed; 0 for
    /// every other move.
    pub at_least: u64,
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
    /// The latest arrival at each point (`timing.rs`), worked out when
    /// first asked for: finding what is shadowed may need it, and when
    /// nothing is, the flow it was worked out on is this one.
    timing: std::cell::OnceCell<super::timing::Timing>,
}

impl<'p> Flow<'p> {
    /// The flow without the moves that never happen.
    pub fn new(program: &'p Program) -> Self {
        let mut flow = Flow::with_every_move(program);
        let shadowed = super::shadow::find(&flow);
        let dead: std::collections::HashSet<Span> = shadowed.iter().map(|s| s.arm).collect();
        if !dead.is_empty() {
            // Worked out with every move: the flow without them differs.
            flow.timing = std::cell::OnceCell::new();
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
            timing: std::cell::OnceCell::new(),
        };
        flow.moves = program
            .steps
            .iter()
            .enumerate()
            .map(|(step, s)| {
                (0..s.statements.len())
                    .map(|at| flow.own_moves(Point { step, at }))
                    .collect()
            })
            .collect();
        flow.add_interrupts();
        flow
    }

    /// [`timing`](super::timing::timing) of this flow, worked out once.
    pub fn timing(&self) -> &super::timing::Timing {
        self.timing.get_or_init(|| super::timing::timing(self))
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

    /// Where a customer waits at `point`, the longest they may wait
    /// there: every interrupt may take them on at once (the event may come
    /// as the wait begins) or as late as that. `wait until` lasts until its
    /// moment at the latest, which no customer is past when they get
    /// there, so the moment bounds it.
    fn waits_at(&self, point: Point) -> Option<u64> {
        match self.statement(point).map(|s| &s.kind) {
            Some(StatementKind::Wait(d)) => Some(d.value.minutes),
            Some(StatementKind::WaitUntil(d)) => Some(d.value.minutes),
            Some(StatementKind::WaitFor(wait)) => Some(wait.up_to.value.minutes),
            // A send that quiet hours hold: the customer waits there too.
            Some(StatementKind::Send { .. }) if super::timing::holds_sends(self.program) => {
                Some(super::timing::hold_minutes(self.program))
            }
            _ => None,
        }
    }

    /// Every point reached from `from` by the statements' own moves: an
    /// interrupt's own way, where it does not apply (so it cannot loop).
    /// The compiler works out the same set on the plan's nodes.
    pub fn own_way(&self, from: Point) -> std::collections::BTreeSet<Point> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![from];
        while let Some(point) = todo.pop() {
            if self.statement(point).is_none() || !seen.insert(point) {
                continue;
            }
            for movement in self.moves(point) {
                if let To::Point(to) = movement.to {
                    todo.push(to);
                }
            }
        }
        seen
    }

    /// Adds each interrupt's moves: from every point a customer waits at,
    /// but for the interrupt's own way.
    fn add_interrupts(&mut self) {
        let program = self.program;
        let mut added: Vec<(Point, Move<'p>)> = Vec::new();
        for clause in &program.clauses {
            let crate::syntax::ast::ClauseKind::Interrupt(on) = &clause.kind else {
                continue;
            };
            // An unknown step (N301) leads nowhere.
            let Some(step) = self.step_index(on.step.as_str()) else {
                continue;
            };
            let target = Point { step, at: 0 };
            let own = self.own_way(target);
            for (i, s) in program.steps.iter().enumerate() {
                for at in 0..s.statements.len() {
                    let point = Point { step: i, at };
                    let Some(latest) = self.waits_at(point) else {
                        continue;
                    };
                    if own.contains(&point) {
                        continue;
                    }
                    added.push((
                        point,
                        Move {
                            to: To::Point(target),
                            after: 0,
                            latest,
                            via: Via::Interrupt(&on.event),
                            span: clause.span,
                            same_run: false,
                            at_least: 0,
                        },
                    ));
                }
            }
        }
        for (point, movement) in added {
            if let Some(moves) = self
                .moves
                .get_mut(point.step)
                .and_then(|step| step.get_mut(point.at))
            {
                moves.push(movement);
            }
        }
    }

    /// The moves a statement makes by itself.
    fn own_moves(&self, point: Point) -> Vec<Move<'p>> {
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
                at_least: 0,
            }],
            StatementKind::WaitUntil(at) => vec![Move {
                to: next,
                after: 0,
                latest: 0,
                via: Via::Next,
                span,
                // A new run when the customer waits; when the moment has
                // passed the run goes on, which `at_once.rs` counts.
                same_run: false,
                at_least: at.value.minutes,
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
                        at_least: 0,
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
                    at_least: 0,
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
                    at_least: 0,
                })
                .collect(),
            StatementKind::Exit(outcome) => vec![Move {
                to: To::Exit(outcome),
                after: 0,
                latest: 0,
                via: Via::Goto,
                span,
                same_run: true,
                at_least: 0,
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
                at_least: 0,
            }],
            _ => vec![Move {
                to: next,
                after: 0,
                latest: 0,
                via: Via::Next,
                span,
                same_run: true,
                at_least: 0,
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
