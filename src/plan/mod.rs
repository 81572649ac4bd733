//! Stage 3: the executable plan.
//!
//! A checked program compiles (`compile.rs`) to a flat, versioned plan:
//! statements become nodes in one vector, arrows become node indices, and
//! every node keeps the byte span of the source it came from, for tracing.
//! The plan is what a runtime loads (`load.rs`): plain data, serialised as
//! JSON, with a JSON Schema (`nurture schema plan`, docs/plan.schema.json).
//!
//! Versioning: `format_version` is raised whenever a field changes meaning or
//! goes away, or something appears that an older runtime could not run; an
//! optional field an older runtime may ignore does not raise it. A plan is
//! written in the lowest format that holds it (`version.rs`), so a program
//! that uses nothing newer keeps its bytes, digest and keys. A loader reads
//! every format up to its own and refuses a newer one.

mod compile;
mod load;
mod reads;
mod version;
// Format 3: channel fallback and send windows.
pub mod fallback;
pub mod window;

pub use compile::compile;
pub use load::{LoadError, load};
pub use reads::attributes_read;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The newest `format_version` this build writes and reads; it reads every
/// older one too.
pub const FORMAT_VERSION: u32 = 3;

pub use version::lowest_format;

/// The plan's JSON Schema: its `$id`, and the `$schema` of every plan, so
/// that an editor or a validator finds the schema from the plan. The same
/// document is committed as docs/plan.schema.json and printed by `nurture
/// schema plan`.
pub const SCHEMA_REF: &str = "https://nurture.dev/schemas/plan-1.schema.json";

/// What `$schema` is taken to be when the digest is made (see
/// `compile::meaning_digest`): the relative path plans first carried.
const DIGESTED_SCHEMA_REF: &str = "docs/plan.schema.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub format_version: u32,
    /// The program's name.
    pub program: String,
    /// The program's kind (`wake_up`, `welcome`, …).
    pub kind: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    /// `group NAME`: at most one program of a group runs per customer at
    /// a time (enforced by the runtimes that run several programs);
    /// format 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `priority N`: which program gets a customer who qualifies for
    /// several at one moment; `1` is the first choice (a lower number
    /// wins), ties broken by program name; format 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `sha256:` and the hex SHA-256 of what the plan does (its JSON without
    /// the digest and the spans): a runtime can tell which program a plan
    /// is, draws and idempotency keys use it, and reformatting the text
    /// changes none of them.
    pub digest: String,
    pub entry: Entry,
    pub goal: Option<Goal>,
    pub exit_rules: Vec<ExitRule>,
    /// `on EVENT [where COND] -> STEP`, in the order written: tried after
    /// the exit rules and the goal, before the arms of a wait; format 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interrupts: Vec<Interrupt>,
    /// `ends after D as OUTCOME`: every journey leaves this long after
    /// entering at the latest; format 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Ends>,
    pub caps: Vec<Cap>,
    pub quiet: Option<Quiet>,
    /// `window DAYS HH:MM..HH:MM`, in the order written: sends go out
    /// only inside one (and outside quiet hours); format 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<window::Window>,
    /// Channels a send needs no consent for (the schema's `needs no
    /// consent`; without a schema, `call` and `letter`).
    pub no_consent_needed: Vec<String>,
    /// The node customers start at.
    pub start: usize,
    /// Each step's name and its first node, in source order, for tracing.
    pub steps: Vec<StepRef>,
    pub nodes: Vec<Node>,
}

/// Who may enter, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub triggers: Vec<Trigger>,
    pub audience: Option<Cond>,
    /// Channels the customer must have agreed to before entering.
    pub consent: Vec<String>,
    pub reentry: Reentry,
    /// The control group's share in hundredths of a percent (1000 = 10%).
    pub holdout: u32,
    /// The properties of the triggering event the plan reads
    /// (`trigger.PROPERTY`), kept with the journey from entering on;
    /// format 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    Event {
        event: String,
        condition: Option<Cond>,
    },
    Inactivity {
        event: String,
        minutes: u64,
    },
    Segment {
        segment: String,
        entered: bool,
    },
    /// `minutes` before (negative) or after (positive) the date in `attribute`.
    Date {
        attribute: String,
        offset_minutes: i64,
    },
    /// `phase becomes PHASE`: the customer's phase changes to `phase` (set
    /// by another program, or the record changing); format 3.
    Phase {
        phase: String,
    },
    /// `tag added TAG` (`added`) or `tag removed TAG`: the tag appears on or
    /// goes from the customer's record; format 3.
    Tag {
        tag: String,
        added: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reentry {
    /// No `reentry` clause: a customer who has left may enter again (never
    /// while still in the program).
    Always,
    Never,
    After {
        minutes: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub event: String,
    pub condition: Option<Cond>,
    pub within_minutes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitRule {
    pub event: String,
    pub condition: Option<Cond>,
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interrupt {
    pub event: String,
    pub condition: Option<Cond>,
    /// The node the customer goes on at: the step's first.
    pub to: usize,
    /// The nodes where it does not apply, sorted: its own way, every node
    /// reached from `to` (so an interrupt cannot loop). Left out when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_at: Vec<usize>,
}

impl Op {
    /// The nodes this one may go on to.
    pub fn successors(&self) -> Vec<usize> {
        match self {
            Op::Send { next, .. }
            | Op::Wait { next, .. }
            | Op::WaitUntil { next, .. }
            | Op::Score { next, .. }
            | Op::Tag { next, .. }
            | Op::Untag { next, .. }
            | Op::Set { next, .. }
            | Op::Phase { next, .. }
            | Op::Notify { next, .. }
            | Op::SetFrom { next, .. } => vec![*next],
            Op::WaitFor { arms, timeout, .. } => arms
                .iter()
                .map(|a| a.to)
                .chain(std::iter::once(*timeout))
                .collect(),
            Op::Branch { arms, otherwise } => arms
                .iter()
                .map(|a| a.to)
                .chain(std::iter::once(*otherwise))
                .collect(),
            Op::Split { arms } => arms.iter().map(|a| a.to).collect(),
            Op::Exit { .. } => Vec::new(),
        }
    }
}

/// Every node reached from `from`, sorted: an interrupt's own way.
pub fn own_way(nodes: &[Node], from: usize) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![from];
    while let Some(node) = todo.pop() {
        let Some(entry) = nodes.get(node) else {
            continue;
        };
        if seen.insert(node) {
            todo.extend(entry.op.successors());
        }
    }
    seen.into_iter().collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ends {
    /// Minutes after entering.
    pub minutes: u64,
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    pub count: u32,
    /// `None` caps all messages together.
    pub channel: Option<String>,
    pub per_minutes: u64,
}

/// No sends from `from` until `until`, minutes after midnight in the
/// customer's time zone; `from > until` wraps midnight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quiet {
    pub from: u16,
    pub until: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRef {
    pub name: String,
    /// The step's first node (for a step that is only `-> STEP`, where it
    /// leads).
    pub node: usize,
    /// How many nodes, from `node` on, the step's own statements are (a
    /// final `-> STEP` is no node of its own): where each statement sits,
    /// for moving customers between versions (`nurture serve --migrate`).
    /// Absent in plans written before it was added, and for a step that is
    /// only `-> STEP`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub length: usize,
    /// The names the step had in earlier versions (`step a (was b)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub was: Vec<String>,
}

fn is_zero(value: &usize) -> bool {
    *value == 0
}

/// A byte range in the program's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceSpan {
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Node {
    pub span: SourceSpan,
    #[serde(flatten)]
    pub op: Op,
}

/// What a node does. Nodes that do not decide where to go next continue at
/// `next`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    Send {
        channel: String,
        template: String,
        /// `or CHANNEL "TEMPLATE"`: the channels tried after `channel`, in
        /// order, when the customer has not agreed to it or its cap is
        /// full; format 3.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fallback: Vec<fallback::Choice>,
        guard: Option<Cond>,
        next: usize,
    },
    Wait {
        minutes: u64,
        next: usize,
    },
    /// `wait until D after entry`: until `minutes` after entering, and on at
    /// once when that has passed; format 2.
    WaitUntil {
        minutes: u64,
        next: usize,
    },
    WaitFor {
        minutes: u64,
        arms: Vec<EventArm>,
        timeout: usize,
    },
    Branch {
        arms: Vec<WhenArm>,
        otherwise: usize,
    },
    /// Shares in hundredths of a percent, adding up to 10000.
    Split {
        arms: Vec<SplitArm>,
    },
    Score {
        points: i64,
        next: usize,
    },
    Tag {
        tag: String,
        next: usize,
    },
    Untag {
        tag: String,
        next: usize,
    },
    Set {
        attribute: String,
        value: Value,
        next: usize,
    },
    Phase {
        phase: String,
        next: usize,
    },
    Notify {
        recipient: String,
        message: String,
        next: usize,
    },
    Exit {
        outcome: String,
    },
    /// `set ATTRIBUTE = trigger.PROPERTY` or `= answer.PROPERTY`: the
    /// attribute takes the property's value, and stays as it was when the
    /// event carried none; format 2.
    SetFrom {
        attribute: String,
        from: Source,
        property: String,
        next: usize,
    },
}

/// Where `set … = SOURCE.PROPERTY` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The event that started the journey (kept in `entry.keep`).
    Trigger,
    /// The event that led here: the arm or interrupt that moved the
    /// customer on in the run this node runs in.
    Answer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventArm {
    pub event: String,
    pub condition: Option<Cond>,
    pub to: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenArm {
    pub condition: Cond,
    pub to: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitArm {
    pub share: u32,
    pub to: usize,
}

/// A condition on the customer (or, after `where`, on an event).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "test", rename_all = "snake_case", deny_unknown_fields)]
pub enum Cond {
    All {
        all: Vec<Cond>,
    },
    Any {
        any: Vec<Cond>,
    },
    Not {
        not: Box<Cond>,
    },
    Consent {
        channel: String,
    },
    HasTag {
        tag: String,
    },
    Compare {
        left: Operand,
        op: CompareOp,
        right: Operand,
    },
    In {
        left: Operand,
        negated: bool,
        list: Vec<Value>,
    },
    /// True when the operand is `true`.
    Truthy {
        operand: Operand,
    },
    /// `has trigger.PROPERTY`: the event that started the journey carried
    /// the property; format 2.
    HasTrigger {
        property: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Operand {
    /// An attribute, or after `where` an event property (dotted path).
    Name {
        name: String,
    },
    Value {
        value: Value,
    },
    /// Now plus `minutes` (negative for `… ago`).
    Moment {
        minutes: i64,
    },
    /// A bare word compiled without a schema: the event property or the
    /// attribute of that name when there is one, else the word itself (an
    /// enumeration value like `gold`).
    Bare {
        word: String,
    },
    /// `trigger.PROPERTY`: a property of the event that started the
    /// journey; absent when it carried none; format 2.
    Trigger {
        property: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(
    tag = "type",
    content = "value",
    rename_all = "snake_case",
    deny_unknown_fields
)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A duration in minutes.
    Duration(u64),
    /// Hundredths of a percent.
    Percent(u32),
    /// A bare word: an enumeration value like `gold`.
    Word(String),
}

impl Plan {
    /// The digest this plan's content gives: what `digest` must say for
    /// [`load`] to take it. A plan made or changed by hand gets its digest
    /// from here (`plan.digest = plan.meaning_digest()`).
    pub fn meaning_digest(&self) -> String {
        compile::meaning_digest(self)
    }

    /// The plan as pretty JSON with a trailing newline: the same program
    /// always gives the same bytes.
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(mut json) => {
                json.push('\n');
                json
            }
            // Plain structs with string keys and finite numbers always
            // serialise; the lowering never produces a NaN.
            Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
        }
    }
}

/// The plan's JSON Schema, as `nurture schema plan` prints it and
/// docs/plan.schema.json holds it: strict where the loader is (no field it
/// does not know, the digest's form, this format version), in the standard
/// 2020-12 dialect with no format of schemars' own.
pub fn json_schema() -> String {
    crate::json_schema::document(schemars::schema_for!(Plan), SCHEMA_REF, |schema| {
        use crate::json_schema::object_at;
        if let Some(root) = schema.as_object_mut() {
            root.insert(
                "description".into(),
                format!("An executable nurture plan, as `nurture compile` writes it (format_version 1 to {FORMAT_VERSION}, the lowest that holds the plan); docs/plan.md says what each field means.").into(),
            );
        }
        if let Some(digest) = object_at(schema, &["properties", "digest"]) {
            digest.insert("pattern".into(), "^sha256:[0-9a-f]{64}$".into());
        }
        if let Some(version) = object_at(schema, &["properties", "format_version"]) {
            // Every format this build reads: a plan is written in the
            // lowest that holds it.
            version.insert("minimum".into(), 1.into());
            version.insert("maximum".into(), FORMAT_VERSION.into());
        }
        // A node's fields are its span's and its op's (a `oneOf`), which
        // `additionalProperties` cannot see; the loader refuses any other.
        if let Some(node) = object_at(schema, &["$defs", "Node"]) {
            node.insert("unevaluatedProperties".into(), false.into());
        }
    })
}
