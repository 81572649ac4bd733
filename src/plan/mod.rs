//! Stage 3: the executable plan.
//!
//! A checked program compiles (`compile.rs`) to a flat, versioned plan:
//! statements become nodes in one vector, arrows become node indices, and
//! every node keeps the byte span of the source it came from, for tracing.
//! The plan is what a runtime loads (`load.rs`): plain data, serialised as
//! JSON, with a JSON Schema (`nurture schema plan`, docs/plan.schema.json).
//!
//! Versioning: `format_version` is raised whenever a field changes meaning or
//! goes away; adding an optional field does not raise it. A loader refuses a
//! version it does not know.

mod compile;
mod load;
mod reads;

pub use compile::compile;
pub use load::{LoadError, load};
pub use reads::attributes_read;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `format_version` this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Where the plan's JSON Schema lives, relative to the repository.
pub const SCHEMA_REF: &str = "docs/plan.schema.json";

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
    /// `sha256:` and the hex SHA-256 of what the plan does (its JSON without
    /// the digest and the spans): a runtime can tell which program a plan
    /// is, draws and idempotency keys use it, and reformatting the text
    /// changes none of them.
    pub digest: String,
    pub entry: Entry,
    pub goal: Option<Goal>,
    pub exit_rules: Vec<ExitRule>,
    pub caps: Vec<Cap>,
    pub quiet: Option<Quiet>,
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
    pub node: usize,
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
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Send {
        channel: String,
        template: String,
        guard: Option<Cond>,
        next: usize,
    },
    Wait {
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
#[serde(tag = "test", rename_all = "snake_case")]
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
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

/// The plan's JSON Schema, as `nurture schema plan` prints it.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Plan);
    match serde_json::to_string_pretty(&schema) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
    }
}
