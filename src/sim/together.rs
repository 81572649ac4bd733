//! One customer through every program of a portfolio at once (`nurture
//! simulate programs/`), with the behaviour model answering every message:
//! one record shared by all programs, and the rules of programs run
//! together that replay and serve keep (`run/portfolio.rs`): the line-up
//! order, the schema's caps (one shared
//! [`Capped`](crate::run::portfolio::Capped) policy), groups
//! ([`held_by_group`](crate::run::portfolio::held_by_group)) and hand-offs
//! ([`Round`](crate::run::portfolio::Round), bounded by
//! [`MAX_HAND_OFFS_AT_ONCE`](crate::run::portfolio::MAX_HAND_OFFS_AT_ONCE)).
//!
//! The customer's timeline holds, as for one program (`engine.rs`), the
//! programs' due timers (or, while out, their next date or inactivity
//! trigger), the events the model has the customer do, and the start. The
//! earliest goes next. At equal times a timer goes before an event, and
//! timers due at the same moment fire in line-up order. An event is offered
//! to every program in line-up order, then remembered on the record (its
//! last time, an unsubscribe's consent). A change of the phase or tags by a
//! program starts the programs whose hand-off trigger waits for it, in the
//! same moment, after the input has been offered to every program, in the
//! order the changes were made.
//!
//! Each program keeps its own draws (the stream it has when simulated
//! alone), its journal and its counts; the background activity is drawn
//! once and seen by every program.
//!
//! This file holds the line-up, the space a run reuses and the run traced
//! for `--trace`; the rest is split by what it owns:
//!
//! | file | owns |
//! |---|---|
//! | `together/timeline.rs` | one customer's timeline (`simulate_together`): the next timer or event, an event offered to every program, hand-offs settled, one program's transition (a group's hold, the caps) |
//! | `together/log.rs` | what a run did for one customer, for a test to replay ([`Logged`]), and the sink that notes it |
//! | `together/week.rs` | messages per customer per week across every program, and the bound `check` proves on them |

mod log;
mod timeline;
mod week;

pub use log::Logged;
pub use week::{WEEK, WeekTally, busiest, proved_week_bound};

use super::behavior::Behavior;
use super::engine::{Scratch, Simulated, Subject, TraceLine, Window};
use super::setup::Setup;
use super::tally::Tally;
use crate::plan::{Cap, Plan};
use crate::run::Seconds;
use crate::run::interpret::has_change_trigger;
use crate::run::portfolio::order;
pub use timeline::simulate_together;

/// The programs of a portfolio in the order they take an input, with the
/// schema's caps: what every customer is simulated through together.
pub struct Lineup<'s, 'm> {
    /// Every program, in the order of the report (file order).
    setups: &'s [Setup<'m>],
    /// Line-up position → index into `setups`.
    order: Vec<usize>,
    /// The plans in line-up order.
    plans: Vec<&'m Plan>,
    caps: Vec<Cap>,
    hand_offs: bool,
    groups: bool,
}

impl<'s, 'm> Lineup<'s, 'm> {
    pub fn new(setups: &'s [Setup<'m>], caps: Vec<Cap>) -> Self {
        let all: Vec<&'m Plan> = setups.iter().map(|s| s.plan).collect();
        let order = order(&all);
        let plans: Vec<&'m Plan> = order.iter().map(|&i| all[i]).collect();
        Lineup {
            setups,
            hand_offs: plans.iter().any(|p| has_change_trigger(p)),
            groups: plans.iter().any(|p| p.group.is_some()),
            order,
            plans,
            caps,
        }
    }

    /// The programs' names in line-up order.
    pub fn names(&self) -> Vec<&str> {
        self.plans.iter().map(|p| p.program.as_str()).collect()
    }
}

/// Per-thread space of a portfolio run, reused from customer to customer.
#[derive(Default)]
pub struct Space {
    /// Every program's sends to this customer, for the week's figures.
    sent: Vec<Seconds>,
    /// The sends within the longest schema cap, for the caps.
    recent: Vec<(Seconds, String)>,
    /// The moments of the one customer `trace_together` follows; `None`
    /// when no one is traced.
    trace: Option<Vec<TogetherLine>>,
}

/// One line of a customer's trace through programs run together: the
/// program it is of (an index into the line-up's setups, in report order),
/// or `None` for an event, which every program sees.
#[derive(Clone, Debug, PartialEq)]
pub struct TogetherLine {
    pub program: Option<usize>,
    pub line: TraceLine,
}

/// [`simulate_together`] for `--trace`: the one run together, every
/// program's moments in the order they happened, each naming its program;
/// sends skipped for a schema cap, customers held out by a group and
/// hand-offs as they happened.
pub fn trace_together<'m, R: Simulated + Clone>(
    lineup: &'m Lineup<'m, 'm>,
    model: &'m Behavior,
    seed: u64,
    window: Window,
    subject: &mut Subject<R>,
    tallies: &mut [Tally],
) -> Vec<TogetherLine> {
    let mut scratch = Scratch::new();
    let mut space = Space {
        trace: Some(Vec::new()),
        ..Space::default()
    };
    let mut week = WeekTally::default();
    simulate_together(
        lineup,
        model,
        seed,
        window,
        subject,
        &mut scratch,
        &mut space,
        tallies,
        &mut week,
        None,
    );
    space.trace.unwrap_or_default()
}
