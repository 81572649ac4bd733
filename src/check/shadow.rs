//! Arms, rules and the goal that never fire, because something before them
//! always takes their customers first (N309, N313, N314).
//!
//! The interpreter (`run/interpret/`) offers an event to these in order,
//! and the first that takes it ends the search:
//!
//! 1. the `exit when` rules, in the order written;
//! 2. the goal, while its window is open (from entering, inclusive);
//! 3. the interrupts (`on EVENT -> STEP`), in the order written;
//! 4. the arms of the wait the customer is at, in the order written;
//! 5. and without an event, when the wait's time is up, its `timeout`.
//!
//! So an arm for an event that a rule takes (N313), or that the goal takes
//! while the customer can only wait there inside the goal's window (N314),
//! never fires, nor does an arm or a `when` behind an earlier one that
//! matches everyone it would (N309); a rule behind an earlier rule, and the
//! goal behind a rule, neither (N313); an arm or an interrupt behind an
//! interrupt that takes every such event, N324. What "matches everyone it would"
//! means is in `covering.rs`: only what the text alone decides, so every
//! warning is true. Whether a wait ends inside the goal's window is worked
//! out by `timing.rs`, with every delay counted.
//!
//! The flow leaves these arms out (`flow.rs`), so that the summary lists
//! no outcome only they lead to, and steps only they lead to are
//! unreachable (N302).

use super::covering::Covering;
use super::flow::{Flow, Point, show_minutes};
use super::timing;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span};
use crate::syntax::ast::{ClauseKind, Cond, Goal, StatementKind, Target, WaitFor, WaitOn};
use std::collections::HashMap;

/// Something that never fires, and what takes its customers first.
#[derive(Clone, Debug)]
pub struct Shadowed<'p> {
    /// The arm, rule or goal's span.
    pub arm: Span,
    /// Where the warning points: the arm, or a `when`'s condition.
    pub at: Span,
    pub what: What<'p>,
    pub by: Taker,
}

#[derive(Clone, Copy, Debug)]
pub enum What<'p> {
    /// An arm of a `wait up to … for`, for this event.
    WaitArm(&'p Name),
    /// A `when` of a `branch`.
    When,
    /// An `exit when` rule, for this event.
    Rule(&'p Name),
    /// The goal, for this event.
    Goal(&'p Name),
    /// An interrupt, for this event.
    Interrupt(&'p Name),
}

#[derive(Clone, Copy, Debug)]
pub enum Taker {
    /// An `exit when` rule: its clause.
    Rule(Span),
    /// The goal: its clause, its window and the latest a customer can
    /// still be waiting at the arm (minutes after entering).
    Goal {
        clause: Span,
        within: u64,
        until: u64,
    },
    /// An earlier arm or `when`: its span.
    Earlier(Span),
    /// An interrupt: its clause.
    Interrupt(Span),
}

/// Everything that never fires, in source order, found on the flow with
/// every move.
pub fn find<'p>(flow: &Flow<'p>) -> Vec<Shadowed<'p>> {
    let program = flow.program;
    let mut found = Vec::new();
    // The rules by event, in order, and what they take.
    let mut rules: HashMap<&str, Covering> = HashMap::new();
    let mut goal: Option<(Span, &Goal)> = None;
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::ExitWhen(rule) => {
                let seen = rules.entry(rule.event.as_str()).or_default();
                if let Some(first) = seen.meet(rule.condition.as_ref(), clause.span) {
                    found.push(Shadowed {
                        arm: clause.span,
                        at: clause.span,
                        what: What::Rule(&rule.event),
                        by: Taker::Rule(first),
                    });
                }
            }
            ClauseKind::Goal(g) => goal = goal.or(Some((clause.span, g))),
            _ => {}
        }
    }
    // The interrupts, after every rule whatever the order written.
    let mut interrupts: HashMap<&str, Covering> = HashMap::new();
    for clause in &program.clauses {
        let ClauseKind::Interrupt(on) = &clause.kind else {
            continue;
        };
        let condition = on.condition.as_ref();
        let by_rule = rules
            .get(on.event.as_str())
            .and_then(|seen| seen.find(condition))
            .map(Taker::Rule);
        let by_earlier = interrupts
            .entry(on.event.as_str())
            .or_default()
            .meet(condition, clause.span)
            .map(Taker::Interrupt);
        if let Some(by) = by_rule.or(by_earlier) {
            found.push(Shadowed {
                arm: clause.span,
                at: clause.span,
                what: What::Interrupt(&on.event),
                by,
            });
        }
    }
    if let Some((span, g)) = goal {
        let taker = rules
            .get(g.event.as_str())
            .and_then(|seen| seen.find(g.condition.as_ref()));
        if let Some(first) = taker {
            found.push(Shadowed {
                arm: span,
                at: span,
                what: What::Goal(&g.event),
                by: Taker::Rule(first),
            });
            goal = None;
        }
    }
    // What the goal takes, as a covering of one condition.
    let goal = goal.map(|(span, g)| {
        let mut takes = Covering::default();
        takes.add(g.condition.as_ref(), span);
        (span, g, takes)
    });
    let timing = goal.as_ref().map(|_| flow.timing());

    for (step, s) in program.steps.iter().enumerate() {
        for (at, statement) in s.statements.iter().enumerate() {
            match &statement.kind {
                StatementKind::WaitFor(wait) => {
                    let deadline = timing::deadline_minutes(program);
                    let until = timing.as_ref().and_then(|t| {
                        t.arrival(Point { step, at }).map(|arrival| {
                            let until = arrival.saturating_add(wait.up_to.value.minutes);
                            deadline.map_or(until, |d| until.min(d))
                        })
                    });
                    let goal = goal.as_ref().map(|(span, g, takes)| (*span, *g, takes));
                    wait_arms(wait, (&rules, &interrupts), goal, until, &mut found);
                }
                StatementKind::Branch(arms) => {
                    let mut earlier = Covering::default();
                    for arm in arms {
                        let Some(condition) = &arm.condition else {
                            continue;
                        };
                        if let Some(first) = earlier.meet(Some(condition), condition.span) {
                            found.push(Shadowed {
                                arm: arm.span,
                                at: condition.span,
                                what: What::When,
                                by: Taker::Earlier(first),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    found.sort_by_key(|s| s.arm.start);
    found
}

/// The arms of one wait, offered each event after the rules and the goal.
/// `until` is the latest a customer can still be waiting here, in minutes
/// after entering (`None`: no bound).
fn wait_arms<'p>(
    wait: &'p WaitFor,
    (rules, interrupts): (&HashMap<&str, Covering>, &HashMap<&str, Covering>),
    goal: Option<(Span, &Goal, &Covering)>,
    until: Option<u64>,
    found: &mut Vec<Shadowed<'p>>,
) {
    let mut earlier: HashMap<&str, Covering> = HashMap::new();
    for arm in &wait.arms {
        let WaitOn::Event { event, condition } = &arm.on else {
            continue;
        };
        let condition: Option<&Cond> = condition.as_ref();
        let by_rule = rules
            .get(event.as_str())
            .and_then(|seen| seen.find(condition))
            .map(Taker::Rule);
        let by_goal = goal.and_then(|(clause, g, takes)| {
            let within = g.within.value.minutes;
            let until = until?;
            (g.event.as_str() == event.as_str()
                && until <= within
                && takes.find(condition).is_some())
            .then_some(Taker::Goal {
                clause,
                within,
                until,
            })
        });
        let by_interrupt = interrupts
            .get(event.as_str())
            .and_then(|seen| seen.find(condition))
            .map(Taker::Interrupt);
        let by_arm = earlier
            .entry(event.as_str())
            .or_default()
            .meet(condition, arm.span)
            .map(Taker::Earlier);
        if let Some(by) = by_rule.or(by_goal).or(by_interrupt).or(by_arm) {
            found.push(Shadowed {
                arm: arm.span,
                at: arm.span,
                what: What::WaitArm(event),
                by,
            });
        }
    }
}

/// N309, N313 and N314, from what the flow left out. A step only such arms
/// lead to is named with the arm (and not again as N302).
pub fn check(flow: &Flow) -> Vec<Diagnostic> {
    let reached = super::graph::reached(flow, &super::graph::step_graph(flow));
    // Where each arm leads, by the arm's span (looked up, not searched:
    // a generated program may have thousands of arms that never fire).
    let mut targets: HashMap<Span, &Name> = HashMap::new();
    for statement in flow.program.steps.iter().flat_map(|s| &s.statements) {
        let arms: Vec<(Span, &Target)> = match &statement.kind {
            StatementKind::WaitFor(wait) => wait.arms.iter().map(|a| (a.span, &a.target)).collect(),
            StatementKind::Branch(arms) => arms.iter().map(|a| (a.span, &a.target)).collect(),
            _ => Vec::new(),
        };
        for (span, target) in arms {
            if let Target::Step(name) = target {
                targets.insert(span, name);
            }
        }
    }
    for clause in &flow.program.clauses {
        if let ClauseKind::Interrupt(on) = &clause.kind {
            targets.insert(clause.span, &on.step);
        }
    }
    let target = |arm: Span| targets.get(&arm).copied();
    flow.shadowed
        .iter()
        .map(|shadowed| {
            let diagnostic = diagnostic(shadowed);
            let lost = target(shadowed.arm).filter(|name| {
                flow.step_index(name.as_str())
                    .is_some_and(|step| !reached[step])
            });
            match lost {
                Some(name) => diagnostic.label(
                    name.span,
                    format!("so no customer ever reaches step `{}`", name.as_str()),
                ),
                None => diagnostic,
            }
        })
        .collect()
}

fn diagnostic(shadowed: &Shadowed) -> Diagnostic {
    let arm = shadowed.at;
    match (shadowed.what, shadowed.by) {
        (What::WaitArm(event), Taker::Rule(rule)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByExitRule, format!("this `{e}` arm can never fire"))
                .label(arm, format!("every `{e}` here has already ended the journey"))
                .label(rule, format!("this rule takes every such `{e}` first, at any step"))
                .help("the `exit when` rules are tried before a step's arms: remove the arm, or narrow the rule with `where`")
        }
        (What::Goal(event), Taker::Rule(rule)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByExitRule, "the goal can never be reached")
                .label(arm, format!("every `{e}` it would count has already ended the journey"))
                .label(rule, format!("this rule takes every such `{e}` first"))
                .help("the `exit when` rules are tried before the goal: remove the rule, or narrow it with `where`")
        }
        (What::Rule(event), Taker::Rule(rule)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByExitRule, "this rule can never fire")
                .label(arm, format!("every `{e}` has already ended the journey"))
                .label(rule, format!("this rule takes every such `{e}` first"))
                .help("the `exit when` rules are tried in order: put the narrower `where` first, or remove this rule")
        }
        (What::WaitArm(event), Taker::Goal { clause, within, until }) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByGoal, format!("this `{e}` arm can never fire"))
                .label(arm, format!(
                    "customers wait here at most until {} after entering, inside the goal's {}",
                    show_minutes(until),
                    show_minutes(within)
                ))
                .label(clause, format!("the goal takes every such `{e}` first, as `converted`"))
                .help(format!(
                    "the goal ends the journey at any step: remove the arm (the goal counts these customers as converted), or wait for another event than `{e}`"
                ))
        }
        (What::WaitArm(event), Taker::Interrupt(interrupt)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByInterrupt, format!("this `{e}` arm can never fire"))
                .label(arm, format!("every `{e}` here has already moved the customer on"))
                .label(interrupt, format!("this interrupt takes every such `{e}` first, at any step"))
                .help("interrupts are tried before a step's arms: remove the arm, or narrow the interrupt with `where`")
        }
        (What::Interrupt(event), Taker::Rule(rule)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByExitRule, "this interrupt can never fire")
                .label(arm, format!("every `{e}` has already ended the journey"))
                .label(rule, format!("this rule takes every such `{e}` first"))
                .help("the `exit when` rules are tried before the interrupts: remove one, or narrow the rule with `where`")
        }
        (What::Interrupt(event), Taker::Interrupt(first)) => {
            let e = event.as_str();
            Diagnostic::new(Code::TakenByInterrupt, "this interrupt can never fire")
                .label(arm, format!("every `{e}` has already moved the customer on"))
                .label(first, format!("this interrupt takes every such `{e}` first"))
                .help("interrupts are tried in order: put the narrower `where` first, or remove this one")
        }
        (_, Taker::Interrupt(interrupt)) => {
            Diagnostic::new(Code::TakenByInterrupt, "this can never fire")
                .label(arm, "an interrupt takes it first")
                .label(interrupt, "the interrupt")
        }
        (What::WaitArm(event), Taker::Earlier(first)) => {
            let e = event.as_str();
            Diagnostic::new(Code::ShadowedCondition, format!("this `{e}` arm can never fire"))
                .label(arm, "every event this matches has already gone to an earlier arm")
                .label(first, format!("this arm takes every such `{e}` first"))
                .help("a wait takes the first arm that matches the event: put the narrower `where` first, or remove this arm")
        }
        (_, Taker::Earlier(first)) => {
            Diagnostic::new(Code::ShadowedCondition, "this `when` can never match")
                .label(arm, "every customer this matches has already gone on")
                .label(first, "an earlier arm matches them first")
                .help("`branch` takes the first `when` that matches: put the narrower condition first, or remove this arm")
        }
        // The goal takes only wait arms.
        (_, Taker::Goal { clause, .. }) => {
            Diagnostic::new(Code::TakenByGoal, "this can never fire")
                .label(arm, "the goal takes it first")
                .label(clause, "the goal")
        }
        (What::When, Taker::Rule(rule)) => Diagnostic::new(Code::TakenByExitRule, "this can never fire")
            .label(arm, "a rule takes it first")
            .label(rule, "the rule"),
    }
}
