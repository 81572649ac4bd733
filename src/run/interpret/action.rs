//! What the interpreter does, as actions: the owned [`Action`] a runtime
//! stores and carries out, the borrowed [`ActionRef`] a [`Sink`] is handed,
//! and the one-line text a trace shows for each.

use crate::run::record::DatumRef;
use crate::run::{Datum, Seconds};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub at: Seconds,
    pub customer: String,
    /// Unique per program source, customer, entry and action: a sender drops
    /// an action whose key it has already carried out, so a retried
    /// transition never sends twice.
    pub key: String,
    /// The plan node that caused it (`None` for entering and rules).
    pub node: Option<usize>,
    #[serde(flatten)]
    pub kind: ActionKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActionKind {
    Enter {
        holdout: bool,
    },
    Send {
        channel: String,
        template: String,
    },
    /// A send that did not happen, and why (`no_consent`, `guard`, `cap`).
    Skip {
        channel: String,
        template: String,
        reason: String,
    },
    /// A send held back until quiet hours end.
    Defer {
        channel: String,
        template: String,
        until: Seconds,
    },
    Notify {
        recipient: String,
        message: String,
    },
    Score {
        points: i64,
    },
    Tag {
        tag: String,
    },
    Untag {
        tag: String,
    },
    Set {
        attribute: String,
        value: Datum,
    },
    Phase {
        phase: String,
    },
    Exit {
        outcome: String,
    },
}

/// An action as the interpreter hands it to a [`Sink`]: borrowed from the
/// plan and the record, so that a sink that only counts (the simulator)
/// never copies a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActionRef<'a> {
    pub at: Seconds,
    pub customer: &'a str,
    /// Which entry of the customer's, and which action in it: with the
    /// plan's digest, these make the idempotency key.
    pub entry: u32,
    pub number: u32,
    pub node: Option<usize>,
    pub kind: KindRef<'a>,
}

/// [`ActionKind`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KindRef<'a> {
    Enter {
        holdout: bool,
    },
    Send {
        channel: &'a str,
        template: &'a str,
    },
    Skip {
        channel: &'a str,
        template: &'a str,
        reason: &'static str,
    },
    Defer {
        channel: &'a str,
        template: &'a str,
        until: Seconds,
    },
    Notify {
        recipient: &'a str,
        message: &'a str,
    },
    Score {
        points: i64,
    },
    Tag {
        tag: &'a str,
    },
    Untag {
        tag: &'a str,
    },
    Set {
        attribute: &'a str,
        value: DatumRef<'a>,
    },
    Phase {
        phase: &'a str,
    },
    Exit {
        outcome: &'a str,
    },
}

impl KindRef<'_> {
    pub fn to_owned(self) -> ActionKind {
        match self {
            KindRef::Enter { holdout } => ActionKind::Enter { holdout },
            KindRef::Send { channel, template } => ActionKind::Send {
                channel: channel.to_string(),
                template: template.to_string(),
            },
            KindRef::Skip {
                channel,
                template,
                reason,
            } => ActionKind::Skip {
                channel: channel.to_string(),
                template: template.to_string(),
                reason: reason.to_string(),
            },
            KindRef::Defer {
                channel,
                template,
                until,
            } => ActionKind::Defer {
                channel: channel.to_string(),
                template: template.to_string(),
                until,
            },
            KindRef::Notify { recipient, message } => ActionKind::Notify {
                recipient: recipient.to_string(),
                message: message.to_string(),
            },
            KindRef::Score { points } => ActionKind::Score { points },
            KindRef::Tag { tag } => ActionKind::Tag {
                tag: tag.to_string(),
            },
            KindRef::Untag { tag } => ActionKind::Untag {
                tag: tag.to_string(),
            },
            KindRef::Set { attribute, value } => ActionKind::Set {
                attribute: attribute.to_string(),
                value: value.to_owned(),
            },
            KindRef::Phase { phase } => ActionKind::Phase {
                phase: phase.to_string(),
            },
            KindRef::Exit { outcome } => ActionKind::Exit {
                outcome: outcome.to_string(),
            },
        }
    }
}

/// Where the interpreter puts what it does.
pub trait Sink {
    /// Whether [`Sink::entry`] is told of entry checks: working out every
    /// trigger that matched costs a little, and only the simulator's
    /// entry funnel wants it.
    const ENTRY_CHECKS: bool = false;

    fn act(&mut self, action: ActionRef<'_>);

    /// Called when a trigger matched for a customer who may enter, with
    /// how far they got (when [`Sink::ENTRY_CHECKS`]).
    fn entry(&mut self, _check: EntryCheck) {}

    /// Called at every node a customer reaches, before it runs: the
    /// simulator counts the ways taken through the program with it.
    fn visit(&mut self, _node: usize) {}

    /// Whether a cap outside the plan stops a send on `channel` at `now`:
    /// the schema's caps, across every program a customer is in
    /// (`run/portfolio.rs`). Such a send is skipped with the reason `cap`,
    /// as the plan's own caps skip (docs/runtime.md).
    fn capped(&self, _channel: &str, _now: crate::run::Seconds) -> bool {
        false
    }
}

/// A trigger matched for a customer who may enter: which triggers (bit
/// `i` for the plan's trigger `i`, the first 64), and the gate that stopped
/// them, or [`Gate::Entered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryCheck {
    pub triggers: u64,
    pub gate: Gate,
}

/// The gates after a trigger, in the order they are passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Not in the audience.
    Audience,
    /// In the audience, without a consent the entry asks for.
    Consent,
    /// Entered (treated or in the holdout).
    Entered,
}

/// The sink of [`advance`]: owned actions with their idempotency keys.
pub struct Recorder<'a> {
    pub(super) digest: &'a str,
    pub(super) actions: &'a mut Vec<Action>,
}

impl Sink for Recorder<'_> {
    fn act(&mut self, action: ActionRef<'_>) {
        self.actions.push(Action {
            at: action.at,
            customer: action.customer.to_string(),
            key: format!(
                "{}/{}/{}/{}",
                self.digest, action.customer, action.entry, action.number
            ),
            node: action.node,
            kind: action.kind.to_owned(),
        });
    }
}

/// One line of a trace: `send email "welcome"`, `exit converted`.
impl std::fmt::Display for KindRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KindRef::Enter { holdout: false } => write!(f, "enter"),
            KindRef::Enter { holdout: true } => write!(f, "enter the holdout (gets nothing)"),
            KindRef::Send { channel, template } => write!(f, "send {channel} {template:?}"),
            KindRef::Skip {
                channel,
                template,
                reason,
            } => {
                let why = match *reason {
                    "no_consent" => "no consent",
                    "cap" => "over a cap",
                    _ => "its condition does not hold",
                };
                write!(f, "skip {channel} {template:?}: {why}")
            }
            KindRef::Defer {
                channel,
                template,
                until,
            } => write!(
                f,
                "hold {channel} {template:?} for quiet hours until {}",
                crate::run::input::show_time(*until)
            ),
            KindRef::Notify { recipient, message } => write!(f, "notify {recipient}: {message:?}"),
            KindRef::Score { points } => write!(f, "score {points:+}"),
            KindRef::Tag { tag } => write!(f, "tag {tag}"),
            KindRef::Untag { tag } => write!(f, "untag {tag}"),
            KindRef::Set { attribute, value } => match value {
                DatumRef::Text(text) => write!(f, "set {attribute} = {text:?}"),
                DatumRef::Number(n) => write!(f, "set {attribute} = {n}"),
                DatumRef::Bool(b) => write!(f, "set {attribute} = {b}"),
                other => write!(f, "set {attribute} = {other:?}"),
            },
            KindRef::Phase { phase } => write!(f, "phase {phase}"),
            KindRef::Exit { outcome } => write!(f, "exit {outcome}"),
        }
    }
}
