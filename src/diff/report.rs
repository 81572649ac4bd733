//! Stage diff: the whole comparison of two versions as one value, what
//! `nurture diff` renders (`render/diff.rs`) and prints as JSON.

use super::align::pair_steps;
use super::changes::{Change, Shown, Side, changes};
use super::layout::{Layout, Rest, RestKind};
use super::map::MigrationMap;
use crate::check::facts::{Facts, facts_with};
use crate::plan::Plan;
use crate::run::migrate::Landing;
use crate::span::Span;
use crate::syntax::ast::{Program, Schema};
use serde::Serialize;

/// The JSON's `format_version`: raised when a field changes meaning or goes
/// away.
pub const FORMAT_VERSION: u32 = 1;

/// One version of the program, as read and compiled.
pub struct Version<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub program: &'a Program,
    pub plan: &'a Plan,
    pub schema: Option<&'a Schema>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    pub format_version: u32,
    pub old: Named,
    pub new: Named,
    /// The two plans have the same digest: nothing a customer sees
    /// changes (layout, comments and `(was …)` aside).
    pub same_meaning: bool,
    pub changes: Vec<Change>,
    pub facts: FactsChange,
    /// Every place a journey can rest in the old version, and where its
    /// customers go in the new one.
    pub migration: Vec<Moved>,
    pub hazards: Vec<HazardShown>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Named {
    pub path: String,
    pub program: String,
    pub digest: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactsChange {
    pub before: Facts,
    pub after: Facts,
    pub messages: Delta,
    pub longest_stay: Delta,
    /// Outcomes customers can leave with now and could not before, and
    /// the other way round.
    pub outcomes_added: Vec<String>,
    pub outcomes_removed: Vec<String>,
}

/// A bound before and after; `None` is unbounded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta {
    pub before: Option<u64>,
    pub after: Option<u64>,
    /// After minus before, when both are bounded.
    pub change: Option<i64>,
}

impl Delta {
    fn new(before: Option<u64>, after: Option<u64>) -> Delta {
        let change = match (before, after) {
            (Some(a), Some(b)) => {
                Some(i64::try_from(b).unwrap_or(i64::MAX) - i64::try_from(a).unwrap_or(i64::MAX))
            }
            _ => None,
        };
        Delta {
            before,
            after,
            change,
        }
    }
}

/// A place, in words and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Place {
    /// What kind of place it is; `None` for a statement customers go on
    /// from.
    pub place: Option<RestKind>,
    /// The step and the statement's number in it (from 1); `None` for the
    /// holdout.
    pub step: Option<String>,
    pub statement: Option<usize>,
    /// The statement, as the plan has it (`wait up to 5d for click`).
    pub text: Option<String>,
    pub line: Option<usize>,
    /// At a held send: what holds it back in this version (its plan's
    /// `quiet` and `window`s), for the words a reader sees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_by: Option<HeldBy>,
}

/// What can hold a send back: quiet hours, its send windows, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldBy {
    QuietHours,
    SendWindow,
    QuietHoursOrSendWindow,
}

impl HeldBy {
    fn of(plan: &Plan) -> Option<HeldBy> {
        match (plan.quiet.is_some(), !plan.windows.is_empty()) {
            (true, false) => Some(HeldBy::QuietHours),
            (false, true) => Some(HeldBy::SendWindow),
            (true, true) => Some(HeldBy::QuietHoursOrSendWindow),
            (false, false) => None,
        }
    }

    /// Until when the customers stay held, in words.
    pub fn until(self) -> &'static str {
        match self {
            HeldBy::QuietHours => "until quiet hours end",
            HeldBy::SendWindow => "outside its send window, until the window opens",
            HeldBy::QuietHoursOrSendWindow => {
                "for quiet hours or outside its send window, until it may go out"
            }
        }
    }
}

/// Where the customers resting at one place go.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Moved {
    pub from: Place,
    /// `None`: nowhere; they stay on the old version.
    pub to: Option<Destination>,
    pub note: Option<String>,
    /// The codes of the hazards at this place.
    pub hazards: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Destination {
    /// Wait on at this place.
    Waits { place: Place },
    /// Stay in the holdout.
    Holdout,
    /// Go on at once from this statement.
    GoesOn { place: Place },
    /// Leave at once with this outcome.
    Leaves { outcome: String },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HazardShown {
    pub code: String,
    pub name: String,
    pub message: String,
    pub help: String,
    pub place: Place,
}

/// Compares two versions of a program, both checked without errors.
pub fn diff(old: &Version, new: &Version) -> Diff {
    let (before, after) = (
        Side::new(old.source, old.program, old.plan),
        Side::new(new.source, new.program, new.plan),
    );
    let (old_layout, new_layout) = (Layout::new(old.plan), Layout::new(new.plan));
    let same_meaning = old.plan.digest == new.plan.digest;
    let found = if same_meaning {
        Vec::new()
    } else {
        changes(&before, &after, &pair_steps(&old_layout, &new_layout))
    };
    let map = MigrationMap::new(old.plan, new.plan);
    let place = |side: &Side, layout: &Layout, rest: Rest| -> Place {
        let kind = layout.kind(rest);
        match rest {
            Rest::Holdout => Place {
                place: Some(RestKind::Holdout),
                step: None,
                statement: None,
                text: None,
                line: None,
                held_by: None,
            },
            Rest::Node(node) => statement_place(side, layout, node, kind),
        }
    };
    let mut migration = Vec::new();
    let mut hazards = Vec::new();
    for moved in &map.places {
        let from = place(&before, &old_layout, moved.from);
        let to = moved.to.as_ref().map(|landing| match landing {
            Landing::Rest { node } => Destination::Waits {
                place: place(&after, &new_layout, Rest::Node(*node)),
            },
            Landing::Holdout => Destination::Holdout,
            Landing::GoOn { node } => Destination::GoesOn {
                place: statement_place(&after, &new_layout, *node, None),
            },
            Landing::Leave { outcome } => Destination::Leaves {
                outcome: outcome.clone(),
            },
        });
        for hazard in &moved.hazards {
            hazards.push(HazardShown {
                code: hazard.code.id().to_string(),
                name: hazard.code.name().to_string(),
                message: hazard.message.clone(),
                help: hazard.help.clone(),
                place: from.clone(),
            });
        }
        migration.push(Moved {
            from,
            to,
            note: moved.note.clone(),
            hazards: moved
                .hazards
                .iter()
                .map(|h| h.code.id().to_string())
                .collect(),
        });
    }
    let (facts_before, facts_after) = (
        facts_with(old.program, old.schema),
        facts_with(new.program, new.schema),
    );
    let outcomes = |a: &Facts, b: &Facts| -> Vec<String> {
        b.outcomes
            .iter()
            .filter(|o| !a.outcomes.contains(o))
            .cloned()
            .collect()
    };
    let facts = FactsChange {
        messages: Delta::new(facts_before.messages.total, facts_after.messages.total),
        longest_stay: Delta::new(
            facts_before.longest_stay.minutes,
            facts_after.longest_stay.minutes,
        ),
        outcomes_added: outcomes(&facts_before, &facts_after),
        outcomes_removed: outcomes(&facts_after, &facts_before),
        before: facts_before,
        after: facts_after,
    };
    Diff {
        format_version: FORMAT_VERSION,
        old: Named {
            path: old.path.to_string(),
            program: old.plan.program.clone(),
            digest: old.plan.digest.clone(),
        },
        new: Named {
            path: new.path.to_string(),
            program: new.plan.program.clone(),
            digest: new.plan.digest.clone(),
        },
        same_meaning,
        changes: found,
        facts,
        migration,
        hazards,
    }
}

/// A statement's node as a place: its step, number, text and line.
fn statement_place(side: &Side, layout: &Layout, node: usize, kind: Option<RestKind>) -> Place {
    let (step, statement) = match layout.place(node) {
        Some((step, at)) => (
            layout.plan.steps.get(step).map(|s| s.name.clone()),
            Some(at + 1),
        ),
        None => (None, None),
    };
    let line = layout.plan.nodes.get(node).map(|n| {
        let shown: Shown = side.shown(Span::new(n.span.start, n.span.start));
        shown.line
    });
    Place {
        place: kind,
        step,
        statement,
        text: Some(layout.describe(node)),
        line,
        held_by: (kind == Some(RestKind::HeldSend))
            .then(|| HeldBy::of(layout.plan))
            .flatten(),
    }
}
