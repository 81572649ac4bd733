//! Compiling a checked program to a [`Plan`]. The program must have passed
//! `nurture check` without errors; compiling a broken one is refused by the
//! caller, and nothing here panics if it is not.

use super::{
    Cap, CompareOp, Cond, Entry, EventArm, ExitRule, FORMAT_VERSION, Goal, Node, Op, Operand, Plan,
    Quiet, Reentry, SCHEMA_REF, SourceSpan, SplitArm, StepRef, Trigger, Value, WhenArm,
};
use crate::span::Span;
use crate::syntax::ast::{self, ClauseKind, Program, Schema, StatementKind, Target};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub fn compile(program: &Program, schema: Option<&Schema>) -> Plan {
    let mut compiler = Compiler::new(program, schema);
    let nodes = compiler.nodes();
    let start = compiler.start();
    let steps = program
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| StepRef {
            name: step.name.value.clone(),
            node: compiler.resolve(i, 0),
            length: compiler.length(i),
            was: step.was.iter().map(|old| old.value.clone()).collect(),
        })
        .collect();

    let mut plan = Plan {
        schema: SCHEMA_REF.to_string(),
        format_version: FORMAT_VERSION,
        program: program.name.value.clone(),
        kind: String::new(),
        title: None,
        owner: None,
        group: None,
        priority: None,
        digest: String::new(),
        entry: Entry {
            triggers: Vec::new(),
            audience: None,
            consent: Vec::new(),
            reentry: Reentry::Always,
            holdout: 0,
            keep: kept_trigger_data(program),
        },
        goal: None,
        exit_rules: Vec::new(),
        interrupts: Vec::new(),
        ends: None,
        caps: Vec::new(),
        quiet: None,
        windows: Vec::new(),
        no_consent_needed: no_consent_needed(program, schema),
        start,
        steps,
        nodes,
    };
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Title(text) => plan.title = Some(text.value.clone()),
            ClauseKind::Kind(kind) => plan.kind = kind.name.value.clone(),
            ClauseKind::Owner(text) => plan.owner = Some(text.value.clone()),
            ClauseKind::Trigger(trigger) => plan.entry.triggers.push(compiler.trigger(trigger)),
            ClauseKind::Audience(cond) => plan.entry.audience = Some(compiler.cond(cond)),
            ClauseKind::Consent(channels) => plan
                .entry
                .consent
                .extend(channels.iter().map(|c| c.value.clone())),
            ClauseKind::Goal(goal) => {
                plan.goal = Some(Goal {
                    event: goal.event.value.clone(),
                    condition: goal
                        .condition
                        .as_ref()
                        .map(|c| compiler.cond_in(c, Some(goal.event.as_str()))),
                    within_minutes: goal.within.value.minutes,
                })
            }
            ClauseKind::ExitWhen(rule) => plan.exit_rules.push(ExitRule {
                event: rule.event.value.clone(),
                condition: rule
                    .condition
                    .as_ref()
                    .map(|c| compiler.cond_in(c, Some(rule.event.as_str()))),
                outcome: rule.outcome.as_ref().unwrap_or(&rule.event).value.clone(),
            }),
            ClauseKind::Reentry(ast::Reentry::Never) => plan.entry.reentry = Reentry::Never,
            ClauseKind::Reentry(ast::Reentry::After(after)) => {
                plan.entry.reentry = Reentry::After {
                    minutes: after.value.minutes,
                }
            }
            ClauseKind::Cap(cap) => plan.caps.push(Cap {
                count: cap.count.value,
                channel: cap.channel.as_ref().map(|c| c.value.clone()),
                per_minutes: cap.per.value.minutes,
            }),
            ClauseKind::Quiet(quiet) => {
                plan.quiet = Some(Quiet {
                    from: quiet.from.value.0,
                    until: quiet.until.value.0,
                })
            }
            ClauseKind::Holdout(share) => plan.entry.holdout = share.value.0,
            ClauseKind::Window(window) => {
                let mask = window.day_mask();
                plan.windows.push(super::window::Window {
                    days: super::window::Day::ALL
                        .into_iter()
                        .filter(|d| mask & (1 << d.number()) != 0)
                        .collect(),
                    from: window.from.value.0,
                    until: window.until_minutes(),
                })
            }
            ClauseKind::Ends(deadline) => {
                plan.ends = Some(super::Ends {
                    minutes: deadline.after.value.minutes,
                    outcome: deadline.outcome().to_string(),
                })
            }
            ClauseKind::Interrupt(on) => {
                // A checked program names only steps it has (N301).
                if let Some(&step) = compiler.steps.get(on.step.as_str()) {
                    let to = compiler.resolve(step, 0);
                    plan.interrupts.push(super::Interrupt {
                        event: on.event.value.clone(),
                        condition: on
                            .condition
                            .as_ref()
                            .map(|c| compiler.cond_in(c, Some(on.event.as_str()))),
                        to,
                        not_at: super::own_way(&plan.nodes, to),
                    });
                }
            }
            ClauseKind::Start(_) => {}
            ClauseKind::Group(name) => plan.group = Some(name.value.clone()),
            ClauseKind::Priority(n) => plan.priority = Some(n.value),
        }
    }
    plan.format_version = super::lowest_format(&plan);
    plan.digest = meaning_digest(&plan);
    plan
}

/// The properties of the triggering event the program reads, sorted: what
/// a journey keeps from entering on.
fn kept_trigger_data(program: &Program) -> Vec<String> {
    let mut kept = std::collections::BTreeSet::new();
    program.visit_data(&mut |data| {
        if data.source == ast::DataSource::Trigger {
            kept.insert(data.property.value.clone());
        }
    });
    kept.into_iter().collect()
}

/// `sha256:` and the SHA-256 of what the plan does: its JSON without the
/// digest and without spans. Two texts that differ only in layout and
/// comments (what `nurture fmt` changes) have the same digest, so
/// reformatting a running program keeps its splits, its holdout and its
/// idempotency keys; any change of meaning makes a new digest.
pub(super) fn meaning_digest(plan: &Plan) -> String {
    let mut bare = plan.clone();
    bare.digest.clear();
    // Where the schema is published says nothing of what the plan does; it
    // is hashed as the first plans of format 1 named it, so moving the
    // schema changes no digest, draw or idempotency key.
    bare.schema = super::DIGESTED_SCHEMA_REF.to_string();
    for node in &mut bare.nodes {
        node.span = SourceSpan { start: 0, end: 0 };
    }
    // Where statements sit and what steps were called before say nothing
    // of what the plan does (and keep the digests of plans written before
    // they were added).
    for step in &mut bare.steps {
        step.length = 0;
        step.was.clear();
    }
    // Plain structs with string keys and finite numbers always serialise.
    let json = serde_json::to_vec(&bare).unwrap_or_default();
    format!("sha256:{:x}", Sha256::digest(&json))
}

struct Compiler<'p> {
    program: &'p Program,
    schema: Option<&'p Schema>,
    steps: BTreeMap<&'p str, usize>,
    /// The node of each statement that is one (`-> STEP` is not: it is
    /// resolved to where it leads).
    index: BTreeMap<(usize, usize), usize>,
    /// Nodes added for `exit OUTCOME` arms, after the statements' nodes.
    extra: Vec<Node>,
    statement_nodes: usize,
}

impl<'p> Compiler<'p> {
    fn new(program: &'p Program, schema: Option<&'p Schema>) -> Self {
        let mut steps = BTreeMap::new();
        let mut index = BTreeMap::new();
        for (i, step) in program.steps.iter().enumerate() {
            steps.entry(step.name.as_str()).or_insert(i);
            for (at, statement) in step.statements.iter().enumerate() {
                if !matches!(statement.kind, StatementKind::Goto(_)) {
                    let next = index.len();
                    index.insert((i, at), next);
                }
            }
        }
        let statement_nodes = index.len();
        Compiler {
            program,
            schema,
            steps,
            index,
            extra: Vec::new(),
            statement_nodes,
        }
    }

    /// The node that runs when a customer reaches statement `at` of `step`:
    /// arrows are followed; a chain of arrows that never ends (refused by the
    /// checker as N303) ends in an `exit stuck`.
    fn resolve(&mut self, step: usize, at: usize) -> usize {
        let (mut step, mut at) = (step, at);
        for _ in 0..=self.program.steps.len() {
            if let Some(&node) = self.index.get(&(step, at)) {
                return node;
            }
            let statement = self
                .program
                .steps
                .get(step)
                .and_then(|s| s.statements.get(at));
            match statement.map(|s| &s.kind) {
                Some(StatementKind::Goto(name)) => match self.steps.get(name.as_str()) {
                    Some(&target) => (step, at) = (target, 0),
                    None => break,
                },
                _ => break,
            }
        }
        let span = self
            .program
            .steps
            .get(step)
            .map_or(self.program.span, |s| s.span);
        self.exit_node("stuck", span)
    }

    /// How many nodes the statements of `step` are: all but a final arrow.
    fn length(&self, step: usize) -> usize {
        self.index.range((step, 0)..(step + 1, 0)).count()
    }

    fn exit_node(&mut self, outcome: &str, span: Span) -> usize {
        self.extra.push(Node {
            span: source_span(span),
            op: Op::Exit {
                outcome: outcome.to_string(),
            },
        });
        self.statement_nodes + self.extra.len() - 1
    }

    fn target(&mut self, target: &Target) -> usize {
        match target {
            Target::Exit { outcome, span } => self.exit_node(outcome.as_str(), *span),
            Target::Step(name) => match self.steps.get(name.as_str()) {
                Some(&step) => self.resolve(step, 0),
                None => self.exit_node("stuck", name.span),
            },
        }
    }

    fn start(&mut self) -> usize {
        let named = self.program.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Start(name) => Some(name.as_str()),
            _ => None,
        });
        let step = named.and_then(|n| self.steps.get(n).copied()).unwrap_or(0);
        self.resolve(step, 0)
    }

    fn nodes(&mut self) -> Vec<Node> {
        let mut nodes = Vec::with_capacity(self.statement_nodes);
        let program = self.program;
        for (i, step) in program.steps.iter().enumerate() {
            for (at, statement) in step.statements.iter().enumerate() {
                if matches!(statement.kind, StatementKind::Goto(_)) {
                    continue;
                }
                let op = self.op(i, at, &statement.kind);
                nodes.push(Node {
                    span: source_span(statement.span),
                    op,
                });
            }
        }
        nodes.append(&mut self.extra);
        nodes
    }

    fn op(&mut self, step: usize, at: usize, kind: &StatementKind) -> Op {
        let next = |c: &mut Self| c.resolve(step, at + 1);
        match kind {
            StatementKind::Send {
                channel,
                template,
                fallback,
                guard,
            } => Op::Send {
                channel: channel.value.clone(),
                template: template.value.clone(),
                fallback: fallback
                    .iter()
                    .map(|f| super::fallback::Choice {
                        channel: f.channel.value.clone(),
                        template: f.template.value.clone(),
                    })
                    .collect(),
                guard: guard.as_ref().map(|g| self.cond(g)),
                next: next(self),
            },
            StatementKind::Wait(duration) => Op::Wait {
                minutes: duration.value.minutes,
                next: next(self),
            },
            StatementKind::WaitUntil(duration) => Op::WaitUntil {
                minutes: duration.value.minutes,
                next: next(self),
            },
            StatementKind::WaitFor(wait) => {
                let mut arms = Vec::new();
                let mut timeout = None;
                for arm in &wait.arms {
                    let to = self.target(&arm.target);
                    match &arm.on {
                        ast::WaitOn::Event { event, condition } => arms.push(EventArm {
                            event: event.value.clone(),
                            condition: condition
                                .as_ref()
                                .map(|c| self.cond_in(c, Some(event.as_str()))),
                            to,
                        }),
                        ast::WaitOn::Timeout(_) => timeout = timeout.or(Some(to)),
                    }
                }
                let timeout = match timeout {
                    Some(to) => to,
                    None => self.exit_node("stuck", wait.up_to.span),
                };
                Op::WaitFor {
                    minutes: wait.up_to.value.minutes,
                    arms,
                    timeout,
                }
            }
            StatementKind::Branch(branch_arms) => {
                let mut arms = Vec::new();
                let mut otherwise = None;
                for arm in branch_arms {
                    let to = self.target(&arm.target);
                    match &arm.condition {
                        Some(condition) => arms.push(WhenArm {
                            condition: self.cond(condition),
                            to,
                        }),
                        None => otherwise = otherwise.or(Some(to)),
                    }
                }
                let otherwise = match otherwise {
                    Some(to) => to,
                    None => self.exit_node(
                        "stuck",
                        branch_arms.last().map_or(Span::default(), |a| a.span),
                    ),
                };
                Op::Branch { arms, otherwise }
            }
            StatementKind::Split(split_arms) => Op::Split {
                arms: split_arms
                    .iter()
                    .map(|arm| SplitArm {
                        share: arm.share.value.0,
                        to: self.target(&arm.target),
                    })
                    .collect(),
            },
            StatementKind::Score(points) => Op::Score {
                points: points.value,
                next: next(self),
            },
            StatementKind::Tag(tag) => Op::Tag {
                tag: tag.value.clone(),
                next: next(self),
            },
            StatementKind::Untag(tag) => Op::Untag {
                tag: tag.value.clone(),
                next: next(self),
            },
            StatementKind::Set { attribute, value } => Op::Set {
                attribute: attribute.value.clone(),
                value: value_of(&value.value),
                next: next(self),
            },
            StatementKind::Phase(phase) => Op::Phase {
                phase: phase.name.value.clone(),
                next: next(self),
            },
            StatementKind::Notify { recipient, message } => Op::Notify {
                recipient: recipient.value.clone(),
                message: message.value.clone(),
                next: next(self),
            },
            StatementKind::Exit(outcome) => Op::Exit {
                outcome: outcome.value.clone(),
            },
            StatementKind::Keep { attribute, from } => Op::SetFrom {
                attribute: attribute.value.clone(),
                from: match from.source {
                    ast::DataSource::Trigger => super::Source::Trigger,
                    ast::DataSource::Answer => super::Source::Answer,
                },
                property: from.property.value.clone(),
                next: next(self),
            },
            // Never a node: `resolve` follows arrows.
            StatementKind::Goto(_) => Op::Exit {
                outcome: "stuck".to_string(),
            },
        }
    }

    fn trigger(&self, trigger: &ast::Trigger) -> Trigger {
        match &trigger.kind {
            ast::TriggerKind::Event { event, condition } => Trigger::Event {
                event: event.value.clone(),
                condition: condition
                    .as_ref()
                    .map(|c| self.cond_in(c, Some(event.as_str()))),
            },
            ast::TriggerKind::Inactivity { event, quiet_for } => Trigger::Inactivity {
                event: event.value.clone(),
                minutes: quiet_for.value.minutes,
            },
            ast::TriggerKind::Segment { segment, entered } => Trigger::Segment {
                segment: segment.value.clone(),
                entered: *entered,
            },
            ast::TriggerKind::Phase(phase) => Trigger::Phase {
                phase: phase.name.value.clone(),
            },
            ast::TriggerKind::Tag { tag, added } => Trigger::Tag {
                tag: tag.value.clone(),
                added: *added,
            },
            ast::TriggerKind::Date {
                offset,
                before,
                attribute,
            } => {
                let minutes = i64::try_from(offset.value.minutes).unwrap_or(i64::MAX);
                Trigger::Date {
                    attribute: attribute.value.clone(),
                    offset_minutes: if *before { -minutes } else { minutes },
                }
            }
        }
    }

    fn cond(&self, cond: &ast::Cond) -> Cond {
        self.cond_in(cond, None)
    }

    /// A condition; after `where`, `event` names the event whose properties
    /// its names may refer to.
    fn cond_in(&self, cond: &ast::Cond, event: Option<&str>) -> Cond {
        match &cond.kind {
            ast::CondKind::All(parts) => Cond::All {
                all: parts.iter().map(|p| self.cond_in(p, event)).collect(),
            },
            ast::CondKind::Any(parts) => Cond::Any {
                any: parts.iter().map(|p| self.cond_in(p, event)).collect(),
            },
            ast::CondKind::Not(inner) => Cond::Not {
                not: Box::new(self.cond_in(inner, event)),
            },
            ast::CondKind::Consent(channel) => Cond::Consent {
                channel: channel.value.clone(),
            },
            ast::CondKind::HasTag(tag) => Cond::HasTag {
                tag: tag.value.clone(),
            },
            ast::CondKind::Compare { left, op, right } => Cond::Compare {
                left: self.operand(left, false, event),
                op: match op.value {
                    ast::CompareOp::Eq => CompareOp::Eq,
                    ast::CompareOp::Ne => CompareOp::Ne,
                    ast::CompareOp::Lt => CompareOp::Lt,
                    ast::CompareOp::Le => CompareOp::Le,
                    ast::CompareOp::Gt => CompareOp::Gt,
                    ast::CompareOp::Ge => CompareOp::Ge,
                },
                right: self.operand(right, true, event),
            },
            ast::CondKind::In {
                left,
                negated,
                list,
            } => Cond::In {
                left: self.operand(left, false, event),
                negated: *negated,
                list: list.iter().map(|v| value_of(&v.value)).collect(),
            },
            ast::CondKind::Truthy(operand) => Cond::Truthy {
                operand: self.operand(operand, false, event),
            },
            // `has answer.…` is refused by the checker (N222).
            ast::CondKind::HasData(data) => Cond::HasTrigger {
                property: data.property.value.clone(),
            },
        }
    }

    /// A bare word on the right of a comparison is a name when the schema
    /// declares an attribute, or a property of the event after `where`, of
    /// that name (`amount > previous_amount`), and otherwise a value
    /// (`tier == gold`). Without a schema, the runtime decides (`bare`).
    fn operand(&self, operand: &ast::Operand, right: bool, event: Option<&str>) -> Operand {
        match operand {
            ast::Operand::Attribute(name) if right => {
                let word = name.value.clone();
                let Some(schema) = self.schema else {
                    return Operand::Bare { word };
                };
                let attribute = schema.attributes.iter().any(|a| a.name.value == word);
                let property = event.is_some_and(|event| {
                    schema
                        .events
                        .iter()
                        .filter(|e| e.name.value == event)
                        .any(|e| e.properties.iter().any(|p| p.name.value == word))
                });
                if attribute || property {
                    Operand::Name { name: word }
                } else {
                    Operand::Value {
                        value: Value::Word(word),
                    }
                }
            }
            ast::Operand::Attribute(name) => Operand::Name {
                name: name.value.clone(),
            },
            ast::Operand::Value(value) => Operand::Value {
                value: value_of(&value.value),
            },
            ast::Operand::RelativeTime { offset, past, .. } => {
                let minutes = i64::try_from(offset.value.minutes).unwrap_or(i64::MAX);
                Operand::Moment {
                    minutes: if *past { -minutes } else { minutes },
                }
            }
            // `answer.…` in a condition is refused by the checker (N222).
            ast::Operand::Data(data) => Operand::Trigger {
                property: data.property.value.clone(),
            },
        }
    }
}

/// The channels the program sends on that need no consent, sorted.
fn no_consent_needed(program: &Program, schema: Option<&Schema>) -> Vec<String> {
    let mut channels: Vec<String> = program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .flat_map(|s| s.kind.send_channels())
        .map(|channel| channel.as_str())
        .filter(|channel| !crate::check::names::needs_consent(schema, channel))
        .map(str::to_string)
        .collect();
    channels.sort();
    channels.dedup();
    channels
}

fn value_of(value: &ast::ValueKind) -> Value {
    match value {
        ast::ValueKind::Text(text) => Value::Text(text.clone()),
        ast::ValueKind::Number(n) => Value::Number(*n),
        ast::ValueKind::Bool(b) => Value::Bool(*b),
        ast::ValueKind::Duration(d) => Value::Duration(d.minutes),
        ast::ValueKind::Percent(p) => Value::Percent(p.0),
        ast::ValueKind::Word(word) => Value::Word(word.clone()),
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan {
        start: span.start,
        end: span.end,
    }
}
