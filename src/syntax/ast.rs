//! The syntax tree: what the text says, with the span of every piece.
//!
//! A successful parse is not yet a valid program. Names are not resolved
//! here (`-> offer` may name no step) and nothing is known of the customer
//! schema; the `check` stage decides whether the program makes sense.

use crate::span::{Name, Span, Spanned};

/// One program: its header clauses and its steps, both in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub name: Name,
    pub clauses: Vec<Clause>,
    pub steps: Vec<Step>,
    /// From `program` to the closing brace.
    pub span: Span,
}

impl Program {
    /// Every condition of the program, in source order: the header's and
    /// the steps'.
    pub fn conditions(&self) -> Vec<&Cond> {
        let mut found = Vec::new();
        for clause in &self.clauses {
            match &clause.kind {
                ClauseKind::Trigger(Trigger {
                    kind:
                        TriggerKind::Event {
                            condition: Some(cond),
                            ..
                        },
                    ..
                })
                | ClauseKind::Audience(cond) => found.push(cond),
                ClauseKind::Goal(goal) => found.extend(&goal.condition),
                ClauseKind::ExitWhen(rule) => found.extend(&rule.condition),
                ClauseKind::Interrupt(on) => found.extend(&on.condition),
                _ => {}
            }
        }
        for statement in self.steps.iter().flat_map(|s| &s.statements) {
            match &statement.kind {
                StatementKind::Send { guard, .. } => found.extend(guard),
                StatementKind::WaitFor(wait) => {
                    for arm in &wait.arms {
                        if let WaitOn::Event { condition, .. } = &arm.on {
                            found.extend(condition);
                        }
                    }
                }
                StatementKind::Branch(arms) => {
                    found.extend(arms.iter().filter_map(|a| a.condition.as_ref()))
                }
                _ => {}
            }
        }
        found
    }

    /// Every `trigger.PROPERTY` and `answer.PROPERTY` the program reads, in
    /// conditions and in `set`.
    pub fn visit_data<'p>(&'p self, found: &mut dyn FnMut(&'p DataRef)) {
        for cond in self.conditions() {
            cond.visit_data(found);
        }
        for statement in self.steps.iter().flat_map(|s| &s.statements) {
            if let StatementKind::Keep { from, .. } = &statement.kind {
                found(from);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    /// The whole clause, keyword included.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    Title(Text),
    Kind(KindClause),
    Owner(Text),
    Trigger(Trigger),
    Audience(Cond),
    Consent(Vec<Name>),
    Goal(Goal),
    Ends(Deadline),
    ExitWhen(ExitRule),
    Interrupt(Interrupt),
    Reentry(Reentry),
    Cap(Cap),
    Quiet(Quiet),
    Holdout(Spanned<Percent>),
    Start(Name),
    /// `group NAME`: at most one program of the group runs per customer
    /// at a time.
    Group(Name),
    /// `priority N`: the lower the number, the earlier the choice.
    Priority(Spanned<u32>),
    Window(SendWindow),
}

impl ClauseKind {
    /// The keyword that starts the clause, as written.
    pub fn keyword(&self) -> &'static str {
        match self {
            ClauseKind::Title(_) => "title",
            ClauseKind::Kind(_) => "kind",
            ClauseKind::Owner(_) => "owner",
            ClauseKind::Trigger(_) => "trigger",
            ClauseKind::Audience(_) => "audience",
            ClauseKind::Consent(_) => "consent",
            ClauseKind::Goal(_) => "goal",
            ClauseKind::Ends(_) => "ends",
            ClauseKind::ExitWhen(_) => "exit when",
            ClauseKind::Interrupt(_) => "on",
            ClauseKind::Reentry(_) => "reentry",
            ClauseKind::Cap(_) => "cap",
            ClauseKind::Quiet(_) => "quiet",
            ClauseKind::Holdout(_) => "holdout",
            ClauseKind::Start(_) => "start",
            ClauseKind::Group(_) => "group",
            ClauseKind::Priority(_) => "priority",
            ClauseKind::Window(_) => "window",
        }
    }
}

/// A text in double quotes, with escapes resolved.
pub type Text = Spanned<String>;

/// `kind NAME`: `kind` is `None` when the name is not a known kind (reported
/// while lowering, so later stages need not look again).
#[derive(Clone, Debug, PartialEq)]
pub struct KindClause {
    pub name: Name,
    pub kind: Option<ProgramKind>,
}

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn from_word(word: &str) -> Option<$name> {
                match word { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

word_enum! {
    /// What a program is for.
    ProgramKind {
        WakeUp = "wake_up",
        AfterSales = "after_sales",
        Repurchase = "repurchase",
        Upsell = "upsell",
        CrossSell = "cross_sell",
        EventFollowUp = "event_follow_up",
        Referral = "referral",
        Welcome = "welcome",
        Retain = "retain",
    }
}

word_enum! {
    /// A customer's lifecycle phase, written by `phase`.
    Phase {
        Welcome = "welcome",
        Develop = "develop",
        Retain = "retain",
        WinBack = "win_back",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub kind: TriggerKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TriggerKind {
    /// `event NAME [where COND]`
    Event {
        event: Name,
        condition: Option<Cond>,
    },
    /// `no EVENT for DURATION`
    Inactivity {
        event: Name,
        quiet_for: Spanned<Duration>,
    },
    /// `segment NAME entered|left`
    Segment { segment: Name, entered: bool },
    /// `phase becomes PHASE`: a hand-off, the customer's phase changing.
    Phase(PhaseName),
    /// `tag added|removed TAG`: a hand-off, a tag put on or taken off.
    Tag { tag: Name, added: bool },
    /// `DURATION before|after ATTRIBUTE`
    Date {
        offset: Spanned<Duration>,
        before: bool,
        attribute: Name,
    },
}

/// `goal EVENT [where COND] within DURATION`
#[derive(Clone, Debug, PartialEq)]
pub struct Goal {
    pub event: Name,
    pub condition: Option<Cond>,
    pub within: Spanned<Duration>,
}

/// `ends after DURATION [as OUTCOME]`: every journey leaves at most this
/// long after entering.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadline {
    pub after: Spanned<Duration>,
    /// `ended` when not written.
    pub outcome: Option<Name>,
}

impl Deadline {
    /// The outcome a customer leaves with at the deadline.
    pub fn outcome(&self) -> &str {
        self.outcome.as_ref().map_or("ended", |o| o.as_str())
    }
}

/// `exit when EVENT [where COND] [as OUTCOME]`
#[derive(Clone, Debug, PartialEq)]
pub struct ExitRule {
    pub event: Name,
    pub condition: Option<Cond>,
    /// Defaults to the event's name when not written.
    pub outcome: Option<Name>,
}

/// `on EVENT [where COND] -> STEP`: from any step, the event moves the
/// customer to the step (after the `exit when` rules and the goal, before
/// the arms of the wait the customer is at).
#[derive(Clone, Debug, PartialEq)]
pub struct Interrupt {
    pub event: Name,
    pub condition: Option<Cond>,
    pub step: Name,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reentry {
    Never,
    After(Spanned<Duration>),
}

/// `cap N messages|CHANNEL per DURATION`
#[derive(Clone, Debug, PartialEq)]
pub struct Cap {
    pub count: Spanned<u32>,
    /// `None` caps all messages together.
    pub channel: Option<Name>,
    pub per: Spanned<Duration>,
}

/// `quiet HH:MM..HH:MM`, in the customer's time zone; may wrap midnight.
#[derive(Clone, Debug, PartialEq)]
pub struct Quiet {
    pub from: Spanned<ClockTime>,
    pub until: Spanned<ClockTime>,
}

/// `window mon..fri 08:00..18:00`: sends go out only from `from` until
/// `until` on the days listed (every day when none are), in the
/// customer's time zone. The days are names as written: `check/window.rs`
/// says which are no days.
#[derive(Clone, Debug, PartialEq)]
pub struct SendWindow {
    pub days: Vec<DayRange>,
    pub from: Spanned<ClockTime>,
    pub until: Spanned<ClockTime>,
}

/// `mon`, or `wed..fri` (both ends included).
#[derive(Clone, Debug, PartialEq)]
pub struct DayRange {
    pub first: Name,
    pub last: Option<Name>,
    pub span: Span,
}

/// The days of the week as a window writes them, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The day's place in the week (Monday 0), for a name `DAY_NAMES` holds.
pub fn day_number(name: &str) -> Option<u8> {
    DAY_NAMES.iter().position(|d| *d == name).map(|d| d as u8)
}

impl SendWindow {
    /// Where the window ends, in minutes after midnight: `00:00` as the
    /// end is midnight at the end of the day (1440).
    pub fn until_minutes(&self) -> u16 {
        match self.until.value.0 {
            0 => 24 * 60,
            until => until,
        }
    }

    /// The days the window is open on, bit 0 Monday; days that are no
    /// days are left out, and no days written means every day.
    pub fn day_mask(&self) -> u8 {
        if self.days.is_empty() {
            return 0x7f;
        }
        let mut mask = 0u8;
        for range in &self.days {
            let Some(first) = day_number(range.first.as_str()) else {
                continue;
            };
            let last = match &range.last {
                Some(last) => match day_number(last.as_str()) {
                    Some(last) => last,
                    None => continue,
                },
                None => first,
            };
            for day in first..=last {
                mask |= 1 << day;
            }
        }
        mask
    }
}

impl StatementKind {
    /// A send's channels, the first and each `or`, in order; none for any
    /// other statement.
    pub fn send_channels(&self) -> Vec<&Name> {
        match self {
            StatementKind::Send {
                channel, fallback, ..
            } => std::iter::once(channel)
                .chain(fallback.iter().map(|f| &f.channel))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `or CHANNEL "TEMPLATE"` after a send: the next channel to try.
#[derive(Clone, Debug, PartialEq)]
pub struct Fallback {
    pub channel: Name,
    pub template: Text,
    pub span: Span,
}

/// Minutes since midnight, 0..1440.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(pub u16);

/// A span of time, kept in minutes (the smallest unit a program can write).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    pub minutes: u64,
}

/// Hundredths of a percent, so `12.5%` is 1250 and shares add up exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(pub u32);

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub name: Name,
    /// `(was first_call, call)`: the names the step had in earlier
    /// versions, for moving customers waiting in them (`nurture diff`,
    /// `nurture serve --migrate`). Empty when not written.
    pub was: Vec<Name>,
    pub statements: Vec<Statement>,
    /// From `step` to the closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `send CHANNEL "template" [if COND]`
    Send {
        channel: Name,
        template: Text,
        /// `or CHANNEL "TEMPLATE"`, in the order written: tried in turn
        /// when the customer has not agreed to the channels before.
        fallback: Vec<Fallback>,
        guard: Option<Cond>,
    },
    /// `wait DURATION`
    Wait(Spanned<Duration>),
    /// `wait until DURATION after entry`: until that long after entering
    /// (at once when that has passed).
    WaitUntil(Spanned<Duration>),
    /// `wait up to DURATION for EVENT or … { arms }`
    WaitFor(WaitFor),
    /// `branch { when COND -> T … else -> T }`
    Branch(Vec<BranchArm>),
    /// `split { P% -> T … }`
    Split(Vec<SplitArm>),
    /// `score +N` / `score -N`
    Score(Spanned<i64>),
    Tag(Name),
    Untag(Name),
    /// `set ATTRIBUTE = VALUE`
    Set {
        attribute: Name,
        value: Value,
    },
    /// `set ATTRIBUTE = trigger.PROPERTY` or `= answer.PROPERTY`: keeps
    /// what an event carried.
    Keep {
        attribute: Name,
        from: DataRef,
    },
    Phase(PhaseName),
    /// `notify RECIPIENT "message"`
    Notify {
        recipient: Name,
        message: Text,
    },
    /// `exit OUTCOME`
    Exit(Name),
    /// `-> STEP`
    Goto(Name),
}

impl StatementKind {
    /// Whether this statement is the step's way on (nothing may follow it).
    pub fn ends_step(&self) -> bool {
        matches!(
            self,
            StatementKind::WaitFor(_)
                | StatementKind::Branch(_)
                | StatementKind::Split(_)
                | StatementKind::Exit(_)
                | StatementKind::Goto(_)
        )
    }

    /// The word that starts the statement, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            StatementKind::Send { .. } => "send",
            StatementKind::Wait(_) => "wait",
            StatementKind::WaitUntil(_) => "wait until",
            StatementKind::WaitFor(_) => "wait up to",
            StatementKind::Branch(_) => "branch",
            StatementKind::Split(_) => "split",
            StatementKind::Score(_) => "score",
            StatementKind::Tag(_) => "tag",
            StatementKind::Untag(_) => "untag",
            StatementKind::Set { .. } | StatementKind::Keep { .. } => "set",
            StatementKind::Phase(_) => "phase",
            StatementKind::Notify { .. } => "notify",
            StatementKind::Exit(_) => "exit",
            StatementKind::Goto(_) => "->",
        }
    }
}

/// `phase NAME`: `phase` is `None` when the name is not a known phase.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseName {
    pub name: Name,
    pub phase: Option<Phase>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WaitFor {
    pub up_to: Spanned<Duration>,
    pub events: Vec<Name>,
    pub arms: Vec<WaitArm>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WaitArm {
    pub on: WaitOn,
    pub target: Target,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WaitOn {
    Event {
        event: Name,
        condition: Option<Cond>,
    },
    /// The `timeout` keyword's span.
    Timeout(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct BranchArm {
    /// `None` for `else` (whose keyword span is `else_span`).
    pub condition: Option<Cond>,
    pub else_span: Option<Span>,
    pub target: Target,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SplitArm {
    pub share: Spanned<Percent>,
    pub target: Target,
    pub span: Span,
}

/// Where an arrow leads: another step, or out of the program.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Step(Name),
    Exit { outcome: Name, span: Span },
}

impl Target {
    pub fn span(&self) -> Span {
        match self {
            Target::Step(name) => name.span,
            Target::Exit { span, .. } => *span,
        }
    }
}

/// A condition on the customer (or, after `where`, on an event).
#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub kind: CondKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CondKind {
    /// `a or b or …` (two or more).
    Any(Vec<Cond>),
    /// `a and b and …` (two or more).
    All(Vec<Cond>),
    Not(Box<Cond>),
    /// `consent CHANNEL`
    Consent(Name),
    /// `has tag NAME`
    HasTag(Name),
    /// `LEFT OP RIGHT`
    Compare {
        left: Operand,
        op: Spanned<CompareOp>,
        right: Operand,
    },
    /// `LEFT [not] in [ … ]`
    In {
        left: Operand,
        negated: bool,
        list: Vec<Value>,
    },
    /// A lone operand, true when the attribute is true (`is_key_account`).
    Truthy(Operand),
    /// `has trigger.PROPERTY`: the event carried the property.
    HasData(DataRef),
}

impl Cond {
    /// Every `trigger.PROPERTY` and `answer.PROPERTY` in the condition.
    pub fn visit_data<'c>(&'c self, found: &mut dyn FnMut(&'c DataRef)) {
        let mut todo = vec![self];
        while let Some(cond) = todo.pop() {
            let operand = |o: &'c Operand, found: &mut dyn FnMut(&'c DataRef)| {
                if let Operand::Data(data) = o {
                    found(data);
                }
            };
            match &cond.kind {
                CondKind::Any(parts) | CondKind::All(parts) => todo.extend(parts.iter().rev()),
                CondKind::Not(inner) => todo.push(inner),
                CondKind::Compare { left, right, .. } => {
                    operand(left, found);
                    operand(right, found);
                }
                CondKind::In { left, .. } | CondKind::Truthy(left) => operand(left, found),
                CondKind::HasData(data) => found(data),
                CondKind::Consent(_) | CondKind::HasTag(_) => {}
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// An attribute or event property, possibly dotted (`last_order.amount`).
    Attribute(Name),
    Value(Value),
    /// `DURATION ago` (negative) or `DURATION from now`.
    RelativeTime {
        offset: Spanned<Duration>,
        past: bool,
        span: Span,
    },
    /// `trigger.PROPERTY` (or `answer.PROPERTY`, which only `set` may read).
    Data(DataRef),
}

impl Operand {
    pub fn span(&self) -> Span {
        match self {
            Operand::Attribute(name) => name.span,
            Operand::Value(value) => value.span,
            Operand::RelativeTime { span, .. } => *span,
            Operand::Data(data) => data.span,
        }
    }
}

/// `trigger.PROPERTY` or `answer.PROPERTY`: a property of an event the
/// journey met.
#[derive(Clone, Debug, PartialEq)]
pub struct DataRef {
    pub source: DataSource,
    /// The property, possibly dotted, without `trigger.` or `answer.`.
    pub property: Name,
    /// The whole of `trigger.PROPERTY`.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataSource {
    /// The event that started the journey.
    Trigger,
    /// The event that led to the statement: the arm (or interrupt) that
    /// moved the customer on in this run.
    Answer,
}

impl DataSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DataSource::Trigger => "trigger",
            DataSource::Answer => "answer",
        }
    }
}

pub type Value = Spanned<ValueKind>;

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Text(String),
    Number(f64),
    Bool(bool),
    Duration(Duration),
    Percent(Percent),
    /// A bare word: an enumeration value like `gold` (resolved by `check`).
    Word(String),
}

// ---------------------------------------------------------------------------
// The customer schema: a file of its own (`schema.nurture`) saying which
// attributes, events, channels, teams, segments and tags exist, so that the
// `check` stage can tell a misspelled name from a real one.

/// `schema { … }`: every entry in source order, by what it declares.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Schema {
    pub attributes: Vec<AttributeDecl>,
    pub events: Vec<EventDecl>,
    pub channels: Vec<ChannelDecl>,
    /// Who `notify` may address (`team sales, service_team`).
    pub teams: Vec<Name>,
    pub segments: Vec<Name>,
    pub tags: Vec<Name>,
    /// Caps every program together keeps (`cap 5 messages per 7d`), each
    /// with the whole entry's span.
    pub caps: Vec<Spanned<Cap>>,
    /// From `schema` to the closing brace.
    pub span: Span,
}

/// `attribute NAME: TYPE`, and an event's property `NAME: TYPE`.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeDecl {
    /// Possibly dotted: `last_order.amount`.
    pub name: Name,
    pub value_type: Spanned<ValueType>,
    /// The whole entry.
    pub span: Span,
}

/// What an attribute or property holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueType {
    Text,
    Number,
    Bool,
    Date,
    Duration,
    ListOfText,
    /// One of fixed words: `gold | silver | bronze`.
    Enum(Vec<Name>),
}

impl ValueType {
    /// The type's one-word names, as written in a schema.
    pub const WORDS: &'static [(&'static str, ValueType)] = &[
        ("text", ValueType::Text),
        ("number", ValueType::Number),
        ("bool", ValueType::Bool),
        ("date", ValueType::Date),
        ("duration", ValueType::Duration),
    ];
}

/// `event NAME` or `event NAME { PROPERTY: TYPE, … }`
#[derive(Clone, Debug, PartialEq)]
pub struct EventDecl {
    pub name: Name,
    pub properties: Vec<AttributeDecl>,
    pub span: Span,
}

/// `channel NAME` or `channel NAME needs no consent`
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelDecl {
    pub name: Name,
    /// False for channels written `needs no consent` (a call, a letter).
    pub needs_consent: bool,
    pub span: Span,
}
