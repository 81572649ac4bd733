//! Every name a document writes, with what it names: the index that hover,
//! go to definition, find references and rename look names up in. It is a
//! walk over the syntax tree, no check: a name the schema does not declare
//! is still indexed (the diagnostics say it is unknown).

use crate::span::{Name, Span};
use crate::syntax::ast::{
    ClauseKind, Cond, CondKind, DataRef, DataSource, Operand, Program, Schema, StatementKind,
    Target, TriggerKind, WaitOn,
};

/// What a name names. Two occurrences name the same thing when their
/// namespace and text are equal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Namespace {
    Step,
    Event,
    Attribute,
    /// A property of the event named.
    Property(String),
    /// A property of the event that started the journey (`trigger.NAME`).
    TriggerData,
    /// A property of the answering event (`answer.NAME`).
    Answer,
    Channel,
    Team,
    Segment,
    Tag,
    Outcome,
    Kind,
    Phase,
}

impl Namespace {
    /// What it is called in hover texts.
    pub fn noun(&self) -> &'static str {
        match self {
            Namespace::Step => "step",
            Namespace::Event => "event",
            Namespace::Attribute => "attribute",
            Namespace::Property(_) => "event property",
            Namespace::TriggerData => "property of the triggering event",
            Namespace::Answer => "property of the answer",
            Namespace::Channel => "channel",
            Namespace::Team => "team",
            Namespace::Segment => "segment",
            Namespace::Tag => "tag",
            Namespace::Outcome => "outcome",
            Namespace::Kind => "kind",
            Namespace::Phase => "phase",
        }
    }

    /// Whether the schema declares names of this kind.
    pub fn in_schema(&self) -> bool {
        !matches!(
            self,
            Namespace::Step
                | Namespace::Outcome
                | Namespace::Kind
                | Namespace::Phase
                | Namespace::TriggerData
                | Namespace::Answer
        )
    }
}

#[derive(Clone, Debug)]
pub struct Occurrence {
    pub name: String,
    pub span: Span,
    pub namespace: Namespace,
    /// Where the name is declared: `step NAME {`, or an entry in a schema.
    pub declaration: bool,
}

#[derive(Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    /// The occurrence under `offset` (the end of a name counts, so a
    /// cursor right after it finds it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset <= o.span.end && !o.span.is_empty())
    }

    pub fn all<'i>(
        &'i self,
        namespace: &'i Namespace,
        name: &'i str,
    ) -> impl Iterator<Item = &'i Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| &o.namespace == namespace && o.name == name)
    }

    fn push(&mut self, name: &Name, namespace: Namespace, declaration: bool) {
        if name.value.is_empty() {
            return; // A stand-in for a name that could not be read.
        }
        self.occurrences.push(Occurrence {
            name: name.value.clone(),
            span: name.span,
            namespace,
            declaration,
        });
    }

    /// The names of a program. A name in a condition after `EVENT where`
    /// is the event's property when `schema` says the event has it, and
    /// the customer's attribute otherwise (the rule `check::names` applies).
    pub fn of_program(program: &Program, schema: Option<&Schema>) -> Index {
        let mut index = Index::default();
        for clause in &program.clauses {
            match &clause.kind {
                ClauseKind::Kind(kind) => index.push(&kind.name, Namespace::Kind, false),
                ClauseKind::Trigger(trigger) => match &trigger.kind {
                    TriggerKind::Event { event, condition } => {
                        index.push(event, Namespace::Event, false);
                        index.condition(condition.as_ref(), Some(event), schema);
                    }
                    TriggerKind::Inactivity { event, .. } => {
                        index.push(event, Namespace::Event, false)
                    }
                    TriggerKind::Segment { segment, .. } => {
                        index.push(segment, Namespace::Segment, false)
                    }
                    TriggerKind::Date { attribute, .. } => {
                        index.push(attribute, Namespace::Attribute, false)
                    }
                    TriggerKind::Phase(phase) => index.push(&phase.name, Namespace::Phase, false),
                    TriggerKind::Tag { tag, .. } => index.push(tag, Namespace::Tag, false),
                },
                ClauseKind::Audience(cond) => index.condition(Some(cond), None, schema),
                ClauseKind::Consent(channels) => {
                    for channel in channels {
                        index.push(channel, Namespace::Channel, false);
                    }
                }
                ClauseKind::Goal(goal) => {
                    index.push(&goal.event, Namespace::Event, false);
                    index.condition(goal.condition.as_ref(), Some(&goal.event), schema);
                }
                ClauseKind::ExitWhen(rule) => {
                    index.push(&rule.event, Namespace::Event, false);
                    index.condition(rule.condition.as_ref(), Some(&rule.event), schema);
                    if let Some(outcome) = &rule.outcome {
                        index.push(outcome, Namespace::Outcome, false);
                    }
                }
                ClauseKind::Cap(cap) => {
                    if let Some(channel) = &cap.channel {
                        index.push(channel, Namespace::Channel, false);
                    }
                }
                ClauseKind::Start(step) => index.push(step, Namespace::Step, false),
                ClauseKind::Interrupt(on) => {
                    index.push(&on.event, Namespace::Event, false);
                    index.condition(on.condition.as_ref(), Some(&on.event), schema);
                    index.push(&on.step, Namespace::Step, false);
                }
                ClauseKind::Ends(deadline) => {
                    if let Some(outcome) = &deadline.outcome {
                        index.push(outcome, Namespace::Outcome, false);
                    }
                }
                ClauseKind::Title(_)
                | ClauseKind::Owner(_)
                | ClauseKind::Reentry(_)
                | ClauseKind::Quiet(_)
                | ClauseKind::Window(_)
                | ClauseKind::Holdout(_) => {}
                ClauseKind::Group(_) | ClauseKind::Priority(_) => {}
            }
        }
        for step in &program.steps {
            index.push(&step.name, Namespace::Step, true);
            for statement in &step.statements {
                index.statement(&statement.kind, schema);
            }
        }
        index.occurrences.sort_by_key(|o| o.span);
        index
    }

    fn statement(&mut self, statement: &StatementKind, schema: Option<&Schema>) {
        match statement {
            StatementKind::Send { guard, .. } => {
                for channel in statement.send_channels() {
                    self.push(channel, Namespace::Channel, false);
                }
                self.condition(guard.as_ref(), None, schema);
            }
            StatementKind::WaitFor(wait) => {
                for event in &wait.events {
                    self.push(event, Namespace::Event, false);
                }
                for arm in &wait.arms {
                    if let WaitOn::Event { event, condition } = &arm.on {
                        self.push(event, Namespace::Event, false);
                        self.condition(condition.as_ref(), Some(event), schema);
                    }
                    self.target(&arm.target);
                }
            }
            StatementKind::Branch(arms) => {
                for arm in arms {
                    self.condition(arm.condition.as_ref(), None, schema);
                    self.target(&arm.target);
                }
            }
            StatementKind::Split(arms) => {
                for arm in arms {
                    self.target(&arm.target);
                }
            }
            StatementKind::Tag(tag) | StatementKind::Untag(tag) => {
                self.push(tag, Namespace::Tag, false)
            }
            StatementKind::Set { attribute, .. } => {
                self.push(attribute, Namespace::Attribute, false)
            }
            StatementKind::Keep { attribute, from } => {
                self.push(attribute, Namespace::Attribute, false);
                self.data(from);
            }
            StatementKind::Phase(phase) => self.push(&phase.name, Namespace::Phase, false),
            StatementKind::Notify { recipient, .. } => self.push(recipient, Namespace::Team, false),
            StatementKind::Exit(outcome) => self.push(outcome, Namespace::Outcome, false),
            StatementKind::Goto(step) => self.push(step, Namespace::Step, false),
            StatementKind::Wait(_) | StatementKind::WaitUntil(_) | StatementKind::Score(_) => {}
        }
    }

    fn target(&mut self, target: &Target) {
        match target {
            Target::Step(step) => self.push(step, Namespace::Step, false),
            Target::Exit { outcome, .. } => self.push(outcome, Namespace::Outcome, false),
        }
    }

    fn condition(&mut self, cond: Option<&Cond>, event: Option<&Name>, schema: Option<&Schema>) {
        let Some(cond) = cond else {
            return;
        };
        let mut todo = vec![cond];
        while let Some(cond) = todo.pop() {
            match &cond.kind {
                CondKind::Any(parts) | CondKind::All(parts) => todo.extend(parts),
                CondKind::Not(inner) => todo.push(inner),
                CondKind::Consent(channel) => self.push(channel, Namespace::Channel, false),
                CondKind::HasTag(tag) => self.push(tag, Namespace::Tag, false),
                CondKind::Compare { left, right, .. } => {
                    self.operand(left, event, schema);
                    // `tier == gold`: a name on the right that is no
                    // attribute is a choice, not indexed.
                    if let Operand::Attribute(name) = right {
                        if is_attribute(name, event, schema) {
                            self.operand(right, event, schema);
                        }
                    }
                }
                CondKind::In { left, .. } | CondKind::Truthy(left) => {
                    self.operand(left, event, schema)
                }
                CondKind::HasData(data) => self.data(data),
            }
        }
    }

    /// `trigger.PROPERTY` and `answer.PROPERTY`: a property of the events
    /// that may have carried it, which the index does not know; named as
    /// such, so that hover says what it is.
    fn data(&mut self, data: &DataRef) {
        let namespace = match data.source {
            DataSource::Trigger => Namespace::TriggerData,
            DataSource::Answer => Namespace::Answer,
        };
        self.push(&data.property, namespace, false);
    }

    fn operand(&mut self, operand: &Operand, event: Option<&Name>, schema: Option<&Schema>) {
        if let Operand::Data(data) = operand {
            self.data(data);
        }
        if let Operand::Attribute(name) = operand {
            let property = event.filter(|event| has_property(schema, event, name));
            match property {
                Some(event) => self.push(name, Namespace::Property(event.value.clone()), false),
                None => self.push(name, Namespace::Attribute, false),
            }
        }
    }

    /// The declarations of a schema file.
    pub fn of_schema(schema: &Schema) -> Index {
        let mut index = Index::default();
        for attribute in &schema.attributes {
            index.push(&attribute.name, Namespace::Attribute, true);
        }
        for event in &schema.events {
            index.push(&event.name, Namespace::Event, true);
            for property in &event.properties {
                index.push(
                    &property.name,
                    Namespace::Property(event.name.value.clone()),
                    true,
                );
            }
        }
        for channel in &schema.channels {
            index.push(&channel.name, Namespace::Channel, true);
        }
        for (names, namespace) in [
            (&schema.teams, Namespace::Team),
            (&schema.segments, Namespace::Segment),
            (&schema.tags, Namespace::Tag),
        ] {
            for name in names {
                index.push(name, namespace.clone(), true);
            }
        }
        index.occurrences.sort_by_key(|o| o.span);
        index
    }
}

fn has_property(schema: Option<&Schema>, event: &Name, name: &Name) -> bool {
    schema.is_some_and(|schema| {
        schema
            .events
            .iter()
            .filter(|e| e.name.value == event.value)
            .any(|e| e.properties.iter().any(|p| p.name.value == name.value))
    })
}

/// Whether a name on the right of a comparison is an attribute (or
/// property): without a schema nothing says it is.
fn is_attribute(name: &Name, event: Option<&Name>, schema: Option<&Schema>) -> bool {
    schema.is_some_and(|schema| {
        schema.attributes.iter().any(|a| a.name.value == name.value)
            || event.is_some_and(|event| has_property(Some(schema), event, name))
    })
}
