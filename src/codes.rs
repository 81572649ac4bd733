//! The registry of diagnostic codes. Codes are stable: a code is never reused
//! for another meaning, and a retired code stays listed. The hundreds group
//! them by the stage that reports them:
//!
//! | range | stage |
//! |---|---|
//! | N0xx | reading and parsing the text (`syntax`) |
//! | N1xx | the program's structure, without the graph (`check::structure`) |
//! | N2xx | names and values against the customer schema (`check::names`) |
//! | N3xx | the program as a graph (`check::graph`) |
//! | N4xx | the simulator's behaviour model (`sim::behavior`) |
//! | N5xx | the simulator's `--trace-where` condition (`sim::pick`) |
//!
//! Each code's explanation lives beside this file in `codes/NXXX.md`
//! (what it means, why it matters, an example, the fix): `nurture explain
//! CODE` prints it and docs/diagnostics.md is generated from it.

use crate::diagnostic::Severity;

macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $name:literal, $severity:ident, $summary:literal;
    )*) => {
        /// Every diagnostic code nurture reports.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// All codes, in the order of their ids.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable id, like `N101`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// A short kebab-case name, like `duplicate-clause`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// Markdown: what it means, why it matters, an example, the fix.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => include_str!(concat!("codes/", $id, ".md")),)* }
            }
        }
    };
}

impl Code {
    /// Finds a code by id (`N101`, any case) or by name (`duplicate-clause`).
    pub fn lookup(query: &str) -> Option<Code> {
        let query = query.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.id().eq_ignore_ascii_case(query) || code.name() == query)
    }
}

codes! {
    /// The text does not follow the grammar.
    SyntaxError = "N001", "syntax-error", Error,
    "The text does not follow the grammar of a nurture program";

    /// Parentheses or brackets nested deeper than the limit.
    NestingTooDeep = "N002", "nesting-too-deep", Error,
    "Parentheses or braces are nested too deeply";

    /// The file is larger than nurture reads.
    FileTooLarge = "N003", "file-too-large", Error,
    "The file is larger than a program can be";

    /// The file is not UTF-8 text.
    NotUtf8 = "N004", "not-utf8", Error,
    "The file is not UTF-8 text";

    /// The file holds no program.
    NoProgram = "N005", "no-program", Error,
    "The file holds no program";

    /// A duration is not a whole number with a unit.
    MalformedDuration = "N006", "malformed-duration", Error,
    "A duration is not written as a whole number with a unit";

    /// A percentage is not a number from 0% to 100%.
    MalformedPercentage = "N007", "malformed-percentage", Error,
    "A percentage is not written as a number from 0% to 100%";

    /// A time of day is not `HH:MM`.
    MalformedClock = "N008", "malformed-clock", Error,
    "A time of day is not written as HH:MM";

    /// A number is not what the place needs.
    MalformedNumber = "N009", "malformed-number", Error,
    "A number is not written the way this place needs";

    /// `kind` names no known kind of program.
    UnknownKind = "N010", "unknown-kind", Error,
    "`kind` names no known kind of program";

    /// `phase` names no known lifecycle phase.
    UnknownPhase = "N011", "unknown-phase", Error,
    "`phase` names no known lifecycle phase";

    /// More than one program in a file.
    SeveralPrograms = "N012", "several-programs", Error,
    "The file holds more than one program";

    /// More steps than a program may have.
    TooManySteps = "N013", "too-many-steps", Error,
    "The program has more steps than nurture checks";

    /// The parser gave up: the file needs more work to read than any program.
    TooComplex = "N014", "too-complex", Error,
    "The file is too complex to read";

    /// A text or a comment holds a control character or a bidirectional control.
    ControlCharacter = "N015", "control-character", Error,
    "A text or a comment holds a control character";

    /// A header clause is written twice.
    DuplicateClause = "N101", "duplicate-clause", Error,
    "A header clause is written more than once";

    /// Two steps share a name.
    DuplicateStep = "N102", "duplicate-step", Error,
    "Two steps have the same name";

    /// The program has no steps.
    NoSteps = "N103", "no-steps", Error,
    "The program has no steps";

    /// The program has no `kind`.
    MissingKind = "N104", "missing-kind", Error,
    "The program does not say its `kind`";

    /// The program has no `trigger`.
    MissingTrigger = "N105", "missing-trigger", Error,
    "The program has no `trigger`, so nobody can enter it";

    /// Statements after the step has already moved on.
    StatementAfterWayOn = "N106", "statement-after-way-on", Error,
    "A statement comes after the step has already moved on";

    /// A step never says where to go next.
    NoWayOn = "N107", "no-way-on", Error,
    "A step does not say where the customer goes next";

    /// A block has two `else` or two `timeout` arms.
    DuplicateArm = "N108", "duplicate-arm", Error,
    "A block has two `else` or two `timeout` arms";

    /// The program names no owner.
    MissingOwner = "N109", "missing-owner", Warning,
    "The program does not name its `owner`";

    /// `(was NAME)` names a step of the program as it is now.
    OldNameIsAStep = "N130", "old-name-is-a-step", Error,
    "A step's old name in `(was …)` is the name of a step in the program";

    /// Two steps say they were the same step.
    OldNameTwice = "N131", "old-name-twice", Error,
    "Two steps, or one step twice, give the same old name in `(was …)`";

    /// The schema declares a name twice.
    DuplicateSchemaEntry = "N201", "duplicate-schema-entry", Error,
    "The schema declares the same name twice";

    /// An attribute or property has a type nurture does not know.
    UnknownType = "N202", "unknown-type", Error,
    "An attribute in the schema has a type that does not exist";

    /// A name that is no attribute in the schema.
    UnknownAttribute = "N203", "unknown-attribute", Error,
    "A condition, `set` or date trigger names an attribute the schema does not have";

    /// An event the schema does not have.
    UnknownEvent = "N204", "unknown-event", Error,
    "A trigger, goal, exit or wait names an event the schema does not have";

    /// A `where` names something that is neither a property of the event nor an attribute.
    UnknownEventProperty = "N205", "unknown-event-property", Error,
    "A condition after `where` names neither a property of the event nor a customer attribute";

    /// A channel the schema does not have.
    UnknownChannel = "N206", "unknown-channel", Error,
    "A message, consent or cap names a channel the schema does not have";

    /// `notify` addresses a team the schema does not have.
    UnknownRecipient = "N207", "unknown-recipient", Error,
    "`notify` addresses a team the schema does not have";

    /// A segment the schema does not have.
    UnknownSegment = "N208", "unknown-segment", Error,
    "A trigger names a segment the schema does not have";

    /// A tag that is tested or removed but never exists.
    UnknownTag = "N209", "unknown-tag", Error,
    "`has tag` or `untag` names a tag that neither the schema nor the program knows";

    /// Values of different types are compared.
    TypeMismatch = "N210", "type-mismatch", Error,
    "A comparison or test uses a value of the wrong type";

    /// A value that is not one of the attribute's fixed choices.
    UnknownChoice = "N211", "unknown-choice", Error,
    "A value is not one of the choices the schema allows";

    /// `set` writes a value of the wrong type.
    SetTypeMismatch = "N212", "set-type-mismatch", Error,
    "`set` writes a value of the wrong type to an attribute";

    /// A duration, count or share outside the sensible range.
    ValueOutOfRange = "N213", "value-out-of-range", Error,
    "A wait, window, cap or holdout is outside the range that makes sense";

    /// The schema declares `score` or `phase` with another type.
    BuiltinRedeclared = "N214", "builtin-redeclared", Error,
    "The schema declares the built-in `score` or `phase` with another type";

    /// `set score = …` or `set phase = …`.
    SetBuiltin = "N215", "set-builtin", Error,
    "`set` writes to the built-in `score` or `phase`, which `score` and `phase` change";

    /// A cap on a channel no send uses.
    CapWithoutSends = "N216", "cap-without-sends", Warning,
    "A `cap` counts a channel that no `send` of the program uses, so it limits nothing";

    /// `trigger.PROPERTY` that some way in carries no value of.
    UnknownTriggerData = "N220", "unknown-trigger-data", Error,
    "`trigger.PROPERTY` names a property that an event trigger's event does not carry, or the program has no event trigger";

    /// `trigger.PROPERTY` with a type that depends on the trigger.
    TriggerDataTypesDiffer = "N221", "trigger-data-types-differ", Error,
    "The events of two triggers carry `trigger.PROPERTY` with different types";

    /// `answer.PROPERTY` anywhere but in `set`.
    AnswerOutsideSet = "N222", "answer-outside-set", Error,
    "`answer.PROPERTY` is read in a condition, where the arm's `where` reads the answer";

    /// `-> X` or `start X` names no step.
    UnknownStep = "N301", "unknown-step", Error,
    "An arrow or `start` names a step that does not exist";

    /// No path from the start reaches the step.
    UnreachableStep = "N302", "unreachable-step", Warning,
    "No customer can ever reach this step";

    /// A cycle of steps that never waits.
    LoopWithoutWait = "N303", "loop-without-wait", Error,
    "Steps form a loop in which customers never wait";

    /// `wait up to … for` without `timeout`.
    MissingTimeout = "N304", "missing-timeout", Error,
    "A `wait up to … for` has no `timeout` arm";

    /// `branch` without `else`.
    MissingElse = "N305", "missing-else", Error,
    "A `branch` has no `else` arm";

    /// An arm for an event the wait does not wait for.
    UnawaitedEvent = "N306", "unawaited-event", Error,
    "A wait arm handles an event that is not waited for";

    /// An awaited event with no arm.
    UnhandledEvent = "N307", "unhandled-event", Error,
    "A wait waits for an event that no arm handles";

    /// Split shares do not add up to 100%.
    SplitNotWhole = "N308", "split-not-whole", Error,
    "The shares of a `split` do not add up to 100%";

    /// A `when` or wait arm that can never match.
    ShadowedCondition = "N309", "shadowed-condition", Warning,
    "An arm can never match because an earlier one always matches first";

    /// A send not covered by consent on every path.
    SendWithoutConsent = "N310", "send-without-consent", Error,
    "A message may be sent on a channel the customer has not agreed to";

    /// Sends can exceed the program's cap.
    CapExceeded = "N311", "cap-exceeded", Error,
    "Some path sends more messages than the program's `cap` allows";

    /// The program does not fit its kind.
    KindMismatch = "N312", "kind-mismatch", Warning,
    "The program does not do what its `kind` says";

    /// An `exit when` rule always takes the event first.
    TakenByExitRule = "N313", "taken-by-exit-rule", Warning,
    "An `exit when` rule takes every such event first, so this wait arm, the goal or a later rule never fires";

    /// The goal always takes the event first.
    TakenByGoal = "N314", "taken-by-goal", Warning,
    "The goal takes every such event first, so this wait arm never fires";

    /// More statements run at once than the interpreter runs in one go.
    TooMuchAtOnce = "N315", "too-much-at-once", Error,
    "More than 10,000 statements run one after another without a wait";

    /// The programs together can send more than a cap of the schema allows.
    PortfolioCapExceeded = "N316", "portfolio-cap-exceeded", Error,
    "The programs together can send one customer more than a cap of the schema allows";

    /// Programs of one kind that can take the same customer at once, with
    /// no group or priority saying which.
    OverlappingPrograms = "N317", "overlapping-programs", Warning,
    "Programs of the same kind start on the same trigger for audiences that can overlap, and no `group` or `priority` says which one a customer gets";

    /// Two programs that may take the same customer at once have the same
    /// priority.
    SamePriority = "N318", "same-priority", Warning,
    "Programs that can take the same customer at once have the same `priority`, so only their names decide";

    /// A group named like another group of the folder.
    GroupLikeAnother = "N319", "group-like-another", Warning,
    "A `group` is named almost like another group of the folder, and has no other program in it";

    /// `answer.PROPERTY` where no answer led.
    NoAnswerHere = "N320", "no-answer-here", Error,
    "`set … = answer.PROPERTY` is reached on a way where no event arm led the customer on";

    /// The answering event does not carry the property.
    AnswerLacksProperty = "N321", "answer-lacks-property", Error,
    "An event whose arm leads to `set … = answer.PROPERTY` does not carry the property";

    /// `trigger.PROPERTY` read where a customer may have entered without it.
    TriggerDataMayBeMissing = "N322", "trigger-data-may-be-missing", Warning,
    "`trigger.PROPERTY` is read, but customers may enter by a trigger that carries no data";

    /// A wait ends at the journey's deadline or after it.
    AfterTheDeadline = "N323", "after-the-deadline", Warning,
    "A wait lasts until the journey's deadline (`ends after`) or past it, so what follows it never runs";

    /// An interrupt always takes the event first.
    TakenByInterrupt = "N324", "taken-by-interrupt", Warning,
    "An interrupt (`on EVENT -> STEP`) takes every such event first, so this wait arm or a later interrupt never fires";

    /// A send tries the same channel twice.
    FallbackRepeatsChannel = "N325", "fallback-repeats-channel", Error,
    "A send with `or` names the same channel twice: the second is never tried";

    /// A window names a day that is none.
    UnknownDay = "N326", "unknown-day", Error,
    "A `window` names a day that is not one of `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`";

    /// A window's days run backwards or repeat.
    DaysOutOfOrder = "N327", "days-out-of-order", Error,
    "A `window`'s days run backwards (`fri..mon`) or name a day twice";

    /// A window in which no send can go out.
    EmptyWindow = "N328", "empty-window", Error,
    "A `window` ends before it starts, crosses midnight, or lies inside quiet hours, so no send goes out in it";

    /// Two windows cover the same time.
    OverlappingWindows = "N329", "overlapping-windows", Warning,
    "Two `window`s cover the same hours of the same day";
    /// A program changes the phase or tag its own hand-off trigger waits for.
    StartsItself = "N330", "starts-itself", Warning,
    "The program changes the phase or tag its own hand-off trigger waits for, so it can start itself again";

    /// Programs hand a customer over to each other in a circle at once.
    HandOffLoop = "N331", "hand-off-loop", Error,
    "Programs hand a customer over to each other in a circle without waiting, so the hand-offs would never end";

    /// A program hands a customer over to a program of its own group while
    /// it still has them.
    HandOffInGroup = "N332", "hand-off-in-group", Warning,
    "A program hands a customer over to a program of its own group while it still has them, so the group keeps the hand-off from starting";

    /// A place customers wait at in the old version has none in the new.
    UnmappedPlace = "N340", "unmapped-place", Warning,
    "Customers waiting here in the old version have no place to go in the new one";

    /// Customers moved to the new version could get a message again.
    SentAgain = "N341", "sent-again", Warning,
    "Customers moved to the new version could get a message they already had";

    /// A wait is shorter than customers waiting at it may have waited.
    WaitShortened = "N342", "wait-shortened", Warning,
    "A wait is shorter than customers waiting at it may already have waited";

    BehaviorUnreadable = "N401", "behavior-unreadable", Error,
    "The behaviour model is not TOML of the expected shape";

    BehaviorUnknownName = "N402", "behavior-unknown-name", Error,
    "The behaviour model names an event, channel, segment or property the schema does not declare";

    BehaviorBadValue = "N403", "behavior-bad-value", Error,
    "A chance, rate, delay or property in the behaviour model is out of range";

    BehaviorGivenLoop = "N404", "behavior-given-loop", Error,
    "A response's `given` names no response of its table, or goes round in a loop";

    BehaviorTooBusy = "N405", "behavior-too-busy", Error,
    "A background activity in the behaviour model happens more often than a customer could";

    TraceWhereSyntax = "N501", "trace-where-syntax", Error,
    "The `--trace-where` condition does not read";

    TraceWhereUnknownName = "N502", "trace-where-unknown-name", Error,
    "The `--trace-where` condition names an outcome or step that no program simulated has";
}

/// docs/diagnostics.md: every code's explanation, from the same text that
/// `nurture explain` prints (a test keeps the file in step with this).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         Every problem `nurture check` reports has a stable code. Codes are never\n\
         reused; `nurture explain CODE` prints the same text as this page.\n\
         This file is generated from `src/codes.rs` and `src/codes/*.md`: run\n\
         `UPDATE_DOCS=1 cargo test --test docs` after changing a code.\n\n\
         | code | name | severity | what |\n|---|---|---|---|\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "| [{id}](#{anchor}) | `{name}` | {severity} | {summary} |\n",
            id = code.id(),
            anchor = format!("{}-{}", code.id(), code.name()).to_lowercase(),
            name = code.name(),
            severity = code.severity().as_str(),
            summary = code.summary(),
        ));
    }
    for code in Code::ALL {
        let body = code.explanation().replace("\n## ", "\n### ");
        let body = body
            .strip_prefix("## ")
            .map_or(body.clone(), |rest| format!("### {rest}"));
        out.push_str(&format!(
            "\n## {} {}\n\n*{}.* {}\n\n{}",
            code.id(),
            code.name(),
            code.severity().as_str(),
            code.summary(),
            body.trim_end()
        ));
        out.push('\n');
    }
    out
}
