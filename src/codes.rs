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
//!
//! Each code's explanation is what `nurture explain CODE` prints.

use crate::diagnostic::Severity;

macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $name:literal, $severity:ident, $summary:literal, $explanation:literal;
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
                match self { $(Code::$variant => $explanation,)* }
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
    "The text does not follow the grammar of a nurture program",
r#"## What it means
Something in the file is not written the way nurture expects: a word is missing,
misspelled, or in the wrong place. The message says what was expected at that
place and what was found instead.

## Why it matters
A program that cannot be read cannot be checked or run.

## Example
```nurture
step hello {
  send email            # the template is missing
  exit done
}
```

## Fix
```nurture
step hello {
  send email "welcome-1"
  exit done
}
```
"#;

    /// Parentheses or brackets nested deeper than the limit.
    NestingTooDeep = "N002", "nesting-too-deep", Error,
    "Parentheses or braces are nested too deeply",
r#"## What it means
Conditions may group with parentheses, and blocks nest with braces, but not more
than 64 levels deep.

## Why it matters
No real program needs that much nesting; such a file is almost always generated
by mistake. The limit keeps `nurture check` fast and safe on any input.

## Example
```nurture
audience ((((((((tier == gold))))))))   # … and so on, 65 levels deep
```

## Fix
Remove the extra parentheses, or split the condition into simpler parts.
"#;

    /// The file is larger than nurture reads.
    FileTooLarge = "N003", "file-too-large", Error,
    "The file is larger than a program can be",
r#"## What it means
nurture reads program files of up to 4 MiB. This one is larger.

## Why it matters
A program is a short text a person writes and reviews. A file this large is not
one; checking it would only waste time.

## Example
A data export saved by mistake with the `.nurture` extension.

## Fix
Check that the path points at a program file, or split the program up.
"#;

    /// The file is not UTF-8 text.
    NotUtf8 = "N004", "not-utf8", Error,
    "The file is not UTF-8 text",
r#"## What it means
Program files must be saved as UTF-8 text. This file contains bytes that are not
UTF-8, often because an editor saved it as Latin-1 or Windows-1252, or because
it is not a text file at all.

## Why it matters
nurture cannot tell what the text says, so it does not guess.

## Example
A program saved by an old editor with `"Grüße"` in Windows-1252.

## Fix
Save the file as UTF-8 (most editors offer it under "Save with encoding").
"#;

    /// The file holds no program.
    NoProgram = "N005", "no-program", Error,
    "The file holds no program",
r#"## What it means
The file is empty or holds only comments: there is no `program NAME { … }` in it.

## Why it matters
A `.nurture` file is expected to define exactly one program; an empty one is
usually a mistake, such as a file that was created but never written.

## Example
```nurture
# TODO: write the welcome program
```

## Fix
```nurture
program welcome {
  kind welcome
  trigger event signup
  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
```
"#;

    /// A duration is not a whole number with a unit.
    MalformedDuration = "N006", "malformed-duration", Error,
    "A duration is not written as a whole number with a unit",
r#"## What it means
Durations are a whole number followed by a unit: `30m` (minutes), `12h`
(hours), `3d` (days) or `2w` (weeks), with nothing between the number and the
unit.

## Why it matters
`5x`, `1.5d` or `3days` could mean several things; nurture does not guess.

## Example
```nurture
wait 1.5d
```

## Fix
```nurture
wait 36h
```
"#;

    /// A percentage is not a number from 0% to 100%.
    MalformedPercentage = "N007", "malformed-percentage", Error,
    "A percentage is not written as a number from 0% to 100%",
r#"## What it means
Percentages are a number followed by `%`, from `0%` to `100%`, with at most two
decimals (`12.5%`).

## Why it matters
A holdout or split share outside 0–100% has no meaning.

## Example
```nurture
holdout 10
```

## Fix
```nurture
holdout 10%
```
"#;

    /// A time of day is not `HH:MM`.
    MalformedClock = "N008", "malformed-clock", Error,
    "A time of day is not written as HH:MM",
r#"## What it means
Quiet hours are written as two times of day, `HH:MM..HH:MM`, on the 24-hour
clock: hours from 00 to 23, minutes from 00 to 59.

## Why it matters
`25:00` or `9:5` is not a time, and a wrong quiet window would let messages go
out at night.

## Example
```nurture
quiet 21:00..8:0
```

## Fix
```nurture
quiet 21:00..08:00
```
"#;

    /// A number is not what the place needs.
    MalformedNumber = "N009", "malformed-number", Error,
    "A number is not written the way this place needs",
r#"## What it means
Some places take a whole number (the count in `cap 3 messages per 7d`); values
in conditions take a plain number like `250` or `12.5`. Units belong only to
durations (`3d`) and percentages (`10%`).

## Why it matters
`cap 2.5 messages` or `amount > 10x` has no clear meaning.

## Example
```nurture
cap 2.5 messages per 7d
```

## Fix
```nurture
cap 2 messages per 7d
```
"#;

    /// `kind` names no known kind of program.
    UnknownKind = "N010", "unknown-kind", Error,
    "`kind` names no known kind of program",
r#"## What it means
`kind` says what the program is for. It must be one of: `wake_up`,
`after_sales`, `repurchase`, `upsell`, `cross_sell`, `event_follow_up`,
`referral`, `welcome`, `retain`.

## Why it matters
The kind decides which sense checks apply (a `wake_up` program needs an
inactivity trigger, say) and lets reports group programs.

## Example
```nurture
kind wakeup
```

## Fix
```nurture
kind wake_up
```
"#;

    /// `phase` names no known lifecycle phase.
    UnknownPhase = "N011", "unknown-phase", Error,
    "`phase` names no known lifecycle phase",
r#"## What it means
`phase` records where the customer is in their lifecycle. It must be one of
`welcome`, `develop`, `retain` or `win_back`.

## Why it matters
Other programs and reports read the phase; a misspelled one would silently put
customers in a phase nothing knows.

## Example
```nurture
phase retention
```

## Fix
```nurture
phase retain
```
"#;

    /// More than one program in a file.
    SeveralPrograms = "N012", "several-programs", Error,
    "The file holds more than one program",
r#"## What it means
Each `.nurture` file holds exactly one program, or the customer schema
(`schema { … }`) alone. This file has another `program` or `schema` after the
first one ends.

## Why it matters
One program per file keeps reviews, diffs and CI results about one thing, and
lets the file name say which program it is.

## Example
```nurture
program welcome { … }
program win_back { … }
```

## Fix
Move the second program into a file of its own, e.g. `win_back.nurture`, and
the schema into `schema.nurture`.
"#;

    /// More steps than a program may have.
    TooManySteps = "N013", "too-many-steps", Error,
    "The program has more steps than nurture checks",
r#"## What it means
A program may have at most 1,000 steps. This one has more.

## Why it matters
A program is a text a person reads and reviews; the longest real ones have a
few dozen steps. A thousand steps is almost always a generated file gone wrong,
and checking such a graph would cost time without helping anyone. The checks
on the program as a graph do not run on it.

## Example
A script that writes one step per product in the catalogue:
```nurture
step product_1 { send email "offer-1"  -> product_2 }
step product_2 { send email "offer-2"  -> product_3 }
# … and so on, past step 1,000
```

## Fix
Split the program into several programs, each for one part of the journey, or
let one step choose between templates with a branch on the customer's
attributes instead of writing a step per case.
"#;

    /// The parser gave up: the file needs more work to read than any program.
    TooComplex = "N014", "too-complex", Error,
    "The file is too complex to read",
r#"## What it means
Reading a file takes the parser a number of steps that grows with its length.
nurture stops after 500 million of them, far more than the largest real program
needs, and this file needed more.

## Why it matters
A program is a short text a person writes. A file that needs this much work to
read is not one, and reading it to the end would only keep a terminal or a CI
job waiting.

## Example
A very large generated file that is close to the grammar but not quite, so
that the parser tries many ways to read each line.

## Fix
Check that the path points at a program file. If a script wrote it, make the
script write several smaller programs.
"#;

    /// A header clause is written twice.
    DuplicateClause = "N101", "duplicate-clause", Error,
    "A header clause is written more than once",
r#"## What it means
Most header clauses (`title`, `kind`, `owner`, `audience`, `consent`, `goal`,
`reentry`, `quiet`, `holdout`, `start`) may appear once. `trigger` and
`exit when` may appear several times, but not twice the same; `cap` once per
channel and once for all messages.

## Why it matters
Two `holdout` lines, say, leave the reader guessing which one counts.

## Example
```nurture
holdout 10%
holdout 20%
```

## Fix
Keep the one you mean:
```nurture
holdout 10%
```
"#;

    /// Two steps share a name.
    DuplicateStep = "N102", "duplicate-step", Error,
    "Two steps have the same name",
r#"## What it means
Every step in a program needs its own name, because `-> NAME` must say exactly
which step comes next.

## Why it matters
With two steps of the same name, nobody (and no machine) knows where `-> offer`
leads.

## Example
```nurture
step offer { send email "offer-a"  exit done }
step offer { send email "offer-b"  exit done }
```

## Fix
```nurture
step offer   { send email "offer-a"  exit done }
step offer_b { send email "offer-b"  exit done }
```
"#;

    /// The program has no steps.
    NoSteps = "N103", "no-steps", Error,
    "The program has no steps",
r#"## What it means
A program needs at least one `step`: that is where customers go when they
enter.

## Why it matters
Customers would enter and have nowhere to go.

## Example
```nurture
program welcome {
  kind welcome
  trigger event signup
}
```

## Fix
```nurture
program welcome {
  kind welcome
  trigger event signup
  step hello {
    send email "welcome-1"
    exit welcomed
  }
}
```
"#;

    /// The program has no `kind`.
    MissingKind = "N104", "missing-kind", Error,
    "The program does not say its `kind`",
r#"## What it means
Every program says what it is for with `kind`: one of `wake_up`,
`after_sales`, `repurchase`, `upsell`, `cross_sell`, `event_follow_up`,
`referral`, `welcome`, `retain`.

## Why it matters
The kind decides which sense checks apply and how reports group programs.

## Example
```nurture
program welcome {
  trigger event signup
  …
}
```

## Fix
```nurture
program welcome {
  kind welcome
  trigger event signup
  …
}
```
"#;

    /// The program has no `trigger`.
    MissingTrigger = "N105", "missing-trigger", Error,
    "The program has no `trigger`, so nobody can enter it",
r#"## What it means
A `trigger` says when a customer enters the program: on an event, after a
time without an event, at a date, or on entering a segment.

## Why it matters
Without one, no customer would ever enter.

## Example
```nurture
program welcome {
  kind welcome
  step hello { … }
}
```

## Fix
```nurture
program welcome {
  kind welcome
  trigger event signup
  step hello { … }
}
```
"#;

    /// Statements after the step has already moved on.
    StatementAfterWayOn = "N106", "statement-after-way-on", Error,
    "A statement comes after the step has already moved on",
r#"## What it means
A step ends with exactly one way on: `exit`, `-> STEP`, `wait up to … for`,
`branch` or `split`. Anything written after it never runs.

## Why it matters
A message placed after `exit` is never sent, though the file suggests it is.

## Example
```nurture
step thanks {
  exit done
  send email "thank-you"
}
```

## Fix
```nurture
step thanks {
  send email "thank-you"
  exit done
}
```
"#;

    /// A step never says where to go next.
    NoWayOn = "N107", "no-way-on", Error,
    "A step does not say where the customer goes next",
r#"## What it means
Every step must end with a way on: `exit OUTCOME`, `-> STEP`,
`wait up to … for …`, `branch` or `split`. nurture does not fall through to the
next step written below, so the order of steps in the file never changes what a
program does.

## Why it matters
A customer who finishes this step would be stuck in the program forever.

## Example
```nurture
step reminder {
  send email "reminder"
  wait 3d
}
```

## Fix
```nurture
step reminder {
  send email "reminder"
  wait 3d
  exit reminded
}
```
"#;

    /// A block has two `else` or two `timeout` arms.
    DuplicateArm = "N108", "duplicate-arm", Error,
    "A block has two `else` or two `timeout` arms",
r#"## What it means
A `branch` has one `else`, and a `wait up to … for` has one `timeout`: the way
on when nothing else applies.

## Why it matters
With two, it is unclear which one a customer takes.

## Example
```nurture
branch {
  when tier == gold -> vip
  else -> standard
  else -> basic
}
```

## Fix
```nurture
branch {
  when tier == gold -> vip
  else -> standard
}
```
"#;

    /// The program names no owner.
    MissingOwner = "N109", "missing-owner", Warning,
    "The program does not name its `owner`",
r#"## What it means
`owner "…"` names the person or team who answers for the program: who to ask
when it misbehaves, and who gets its reports.

## Why it matters
Programs message real customers for months. One without an owner is the one
nobody notices when it goes wrong.

## Example
```nurture
program welcome {
  kind welcome
  …
}
```

## Fix
```nurture
program welcome {
  kind welcome
  owner "crm-team@example.com"
  …
}
```
"#;

    /// The schema declares a name twice.
    DuplicateSchemaEntry = "N201", "duplicate-schema-entry", Error,
    "The schema declares the same name twice",
r#"## What it means
An attribute, event, event property, channel, team, segment, tag or choice of
an enumeration is declared twice in the schema.

## Why it matters
When the two declarations differ (`tier: gold | silver` and `tier: text`),
nurture cannot tell which one is meant, and neither can the people reading
the schema. Even when they agree, one of them is clutter that will drift.

## Example
```nurture
schema {
  attribute tier: gold | silver | bronze
  attribute tier: text
}
```

## Fix
Keep one declaration:
```nurture
schema {
  attribute tier: gold | silver | bronze
}
```
"#;

    /// An attribute or property has a type nurture does not know.
    UnknownType = "N202", "unknown-type", Error,
    "An attribute in the schema has a type that does not exist",
r#"## What it means
The type after the colon is not one of nurture's types: `text`, `number`,
`bool` (yes or no), `date`, `duration` and `list of text`. A fixed choice is
written as two or more words separated by `|`.

## Why it matters
The type says which comparisons make sense (`lifetime_value >= 500` needs a
number, `last_purchase_at < 90d ago` a date). Without it nothing can be
checked.

## Example
```nurture
schema {
  attribute lifetime_value: integer
  attribute interests: list of number
}
```

## Fix
```nurture
schema {
  attribute lifetime_value: number
  attribute interests: list of text
}
```
"#;

    /// A name that is no attribute in the schema.
    UnknownAttribute = "N203", "unknown-attribute", Error,
    "A condition, `set` or date trigger names an attribute the schema does not have",
r#"## What it means
A name in a condition, in `set NAME = …` or in `trigger 30d before NAME` is
not an attribute of the customer schema (`schema.nurture`). Dotted names such
as `last_order.amount` must be declared whole.

## Why it matters
The customer record has no such field: a condition on it never holds, and a
`set` writes to nowhere. Usually it is a typo, or the schema lacks an
attribute the data team has added.

## Example
```nurture
audience lifetime_valeu >= 500
```

## Fix
Correct the name, or declare the attribute in the schema:
```nurture
audience lifetime_value >= 500
```
```nurture
schema {
  attribute lifetime_value: number
}
```
A fixed text is written in quotes (`country == "DE"`); a bare word is read
as a name.
"#;

    /// An event the schema does not have.
    UnknownEvent = "N204", "unknown-event", Error,
    "A trigger, goal, exit or wait names an event the schema does not have",
r#"## What it means
`trigger event NAME`, `trigger no NAME for …`, `goal NAME`, `exit when NAME`
or `wait up to … for NAME` names an event that is not declared in the customer
schema.

## Why it matters
Events come from the systems around nurture (the shop, the CRM, the e-mail
tool). An event they never send never triggers, never reaches the goal and
never ends a wait: the program silently does nothing.

## Example
```nurture
goal purchse within 30d
```

## Fix
```nurture
goal purchase within 30d
```
or declare the event: `event purchase { amount: number }`.
"#;

    /// A `where` names something that is neither a property of the event nor an attribute.
    UnknownEventProperty = "N205", "unknown-event-property", Error,
    "A condition after `where` names neither a property of the event nor a customer attribute",
r#"## What it means
After `EVENT where`, names are first the event's properties (as declared in
`event purchase { amount: number, … }`), then the customer's attributes. This
name is neither.

## Why it matters
A condition on a field the event does not carry never holds, so the trigger,
goal, exit or wait arm never fires.

## Example
```nurture
trigger event purchase where ammount > 500
```

## Fix
```nurture
trigger event purchase where amount > 500
```
or add the property to the event in the schema.
"#;

    /// A channel the schema does not have.
    UnknownChannel = "N206", "unknown-channel", Error,
    "A message, consent or cap names a channel the schema does not have",
r#"## What it means
`send CHANNEL`, `consent CHANNEL`, `cap N CHANNEL per …` or the condition
`consent CHANNEL` names a channel that is not declared in the schema.

## Why it matters
nurture cannot send on a channel it does not know, nor know whether the
customer agreed to it.

## Example
```nurture
send emial "welcome-1"
```

## Fix
```nurture
send email "welcome-1"
```
Channels are declared in the schema: `channel email`, or
`channel letter needs no consent` for channels that need no opt-in.
"#;

    /// `notify` addresses a team the schema does not have.
    UnknownRecipient = "N207", "unknown-recipient", Error,
    "`notify` addresses a team the schema does not have",
r#"## What it means
`notify NAME "…"` sends a note to a person or team; `NAME` must be `owner`
(the program's owner) or a team declared in the schema with `team`.

## Why it matters
A note to nobody is lost: the lead the program found is never followed up.

## Example
```nurture
notify sales_team "Asked for a quote"
```

## Fix
```nurture
notify sales "Asked for a quote"
```
or declare the team: `team sales_team`.
"#;

    /// A segment the schema does not have.
    UnknownSegment = "N208", "unknown-segment", Error,
    "A trigger names a segment the schema does not have",
r#"## What it means
`trigger segment NAME entered` (or `left`) names a segment that is not
declared in the schema with `segment`.

## Why it matters
Customers enter and leave only the segments your segmentation computes. A
trigger on any other never fires.

## Example
```nurture
trigger segment power_user entered
```

## Fix
```nurture
trigger segment power_users entered
```
"#;

    /// A tag that is tested or removed but never exists.
    UnknownTag = "N209", "unknown-tag", Error,
    "`has tag` or `untag` names a tag that neither the schema nor the program knows",
r#"## What it means
`has tag NAME` and `untag NAME` name a tag that is neither declared in the
schema (`tag vip, do_not_contact`) nor added by a `tag NAME` in the same
program.

## Why it matters
A tag nobody adds is never there: `has tag` never holds, and `untag` removes
nothing. Usually it is a typo.

## Example
```nurture
audience not has tag do_not_contakt
```

## Fix
```nurture
audience not has tag do_not_contact
```
Tags added by other programs are declared in the schema: `tag do_not_contact`.
"#;

    /// Values of different types are compared.
    TypeMismatch = "N210", "type-mismatch", Error,
    "A comparison or test uses a value of the wrong type",
r#"## What it means
The two sides of a comparison hold different kinds of values (a number and a
text, a date and a duration), the comparison does not apply to them (`<` on
yes/no values, texts or fixed choices), a lone name is not a yes/no
attribute, or a date trigger names an attribute that is not a date.

## Why it matters
Such a condition can never hold the way it reads. `last_purchase_at < 90d`
compares a date with a length of time; what was meant is "more than 90 days
ago".

## Example
```nurture
audience lifetime_value > "500" and last_purchase_at < 90d
```

## Fix
```nurture
audience lifetime_value > 500 and last_purchase_at < 90d ago
```
"#;

    /// A value that is not one of the attribute's fixed choices.
    UnknownChoice = "N211", "unknown-choice", Error,
    "A value is not one of the choices the schema allows",
r#"## What it means
The attribute is a fixed choice (`attribute tier: gold | silver | bronze`) and
the value compared with it, listed for `in`, or written by `set` is not one of
the choices.

## Why it matters
No customer can have that value: the condition never holds, or `set` writes a
value other systems do not understand.

## Example
```nurture
audience tier in [gold, platinum]
```

## Fix
```nurture
audience tier in [gold, silver]
```
or add the choice to the schema: `attribute tier: platinum | gold | silver | bronze`.
"#;

    /// `set` writes a value of the wrong type.
    SetTypeMismatch = "N212", "set-type-mismatch", Error,
    "`set` writes a value of the wrong type to an attribute",
r#"## What it means
`set ATTRIBUTE = VALUE` writes a value whose type does not match the
attribute's type in the schema: a text to a number, a number to a yes/no
attribute, anything to a date.

## Why it matters
The customer record would hold a value that other programs and systems
cannot read, and every condition on the attribute would go wrong.

## Example
```nurture
set is_champion = "yes"
set churn_reason = price
```

## Fix
```nurture
set is_champion = true
set churn_reason = "price"
```
"#;

    /// A duration, count or share outside the sensible range.
    ValueOutOfRange = "N213", "value-out-of-range", Error,
    "A wait, window, cap or holdout is outside the range that makes sense",
r#"## What it means
These values are checked against limits, with or without a schema:

| where | allowed |
|---|---|
| `wait D`, `wait up to D for …` | from `1m` to two years (`730d`) |
| `goal … within D` | from `1m` to two years |
| `trigger no EVENT for D` | from `1m` to two years |
| `trigger D before/after DATE` | up to two years |
| `cap N … per D` | `N` at least 1; `D` from `1m` to two years |
| `holdout P` | at most `50%` |

## Why it matters
A wait of no time does nothing, a wait of three years is almost always a
typo (`365w` for `365d`), a cap of 0 sends nothing at all, and a holdout of
more than half keeps most customers from the program it is meant to measure.

## Example
```nurture
holdout 60%
cap 0 messages per 7d
step hello {
  send email "hello"
  wait 365w
  exit done
}
```

## Fix
```nurture
holdout 10%
cap 2 messages per 7d
step hello {
  send email "hello"
  wait 365d
  exit done
}
```
"#;

    /// `-> X` or `start X` names no step.
    UnknownStep = "N301", "unknown-step", Error,
    "An arrow or `start` names a step that does not exist",
r#"## What it means
`-> NAME`, a branch or wait arm, or `start NAME` sends customers to a step,
but no step has that name.

## Why it matters
Customers would be sent nowhere. Usually the step was renamed or misspelled.

## Example
```nurture
step hello {
  send email "hello"
  -> ofer
}
step offer { exit done }
```

## Fix
```nurture
step hello {
  send email "hello"
  -> offer
}
```
"#;

    /// No path from the start reaches the step.
    UnreachableStep = "N302", "unreachable-step", Warning,
    "No customer can ever reach this step",
r#"## What it means
No path from the program's first step (or `start`) leads to this step.

## Why it matters
The step is dead text: it looks like part of the journey but never runs.
Often an arrow to it was removed or points to the wrong step.

## Example
```nurture
step hello { send email "hello"  exit done }
step reminder { send email "reminder"  exit done }
```

## Fix
Lead to it, or remove it:
```nurture
step hello { send email "hello"  -> reminder }
step reminder { send email "reminder"  exit done }
```
"#;

    /// A cycle of steps that never waits.
    LoopWithoutWait = "N303", "loop-without-wait", Error,
    "Steps form a loop in which customers never wait",
r#"## What it means
Following arrows from a step leads back to it without any `wait` or
`wait up to … for` on the way.

## Why it matters
A customer in that loop would go round it without end in no time at all,
and be sent every message in it again and again.

## Example
```nurture
step a { send email "a"  -> b }
step b { send email "b"  -> a }
```

## Fix
Wait somewhere in the loop, or leave it:
```nurture
step a { send email "a"  wait 7d  -> b }
step b { send email "b"  exit done }
```
"#;

    /// `wait up to … for` without `timeout`.
    MissingTimeout = "N304", "missing-timeout", Error,
    "A `wait up to … for` has no `timeout` arm",
r#"## What it means
Every `wait up to DURATION for EVENT { … }` must say where customers go when
none of the events happens in time: `timeout -> TARGET`.

## Why it matters
Most customers do not respond. Without `timeout` they would wait forever.

## Example
```nurture
wait up to 5d for click {
  click -> offer
}
```

## Fix
```nurture
wait up to 5d for click {
  click   -> offer
  timeout -> exit no_response
}
```
"#;

    /// `branch` without `else`.
    MissingElse = "N305", "missing-else", Error,
    "A `branch` has no `else` arm",
r#"## What it means
Every `branch { … }` must end with `else -> TARGET` for customers that match
none of its `when` conditions.

## Why it matters
Without it, a customer whose record matches no condition would be stuck.

## Example
```nurture
branch {
  when tier == gold -> vip
}
```

## Fix
```nurture
branch {
  when tier == gold -> vip
  else -> standard
}
```
"#;

    /// An arm for an event the wait does not wait for.
    UnawaitedEvent = "N306", "unawaited-event", Error,
    "A wait arm handles an event that is not waited for",
r#"## What it means
`wait up to … for click or open { … }` lists the events it waits for; each
arm must be for one of them.

## Why it matters
An arm for another event never fires: the wait does not listen for it.

## Example
```nurture
wait up to 5d for click {
  click   -> offer
  reply   -> thanks
  timeout -> exit quiet
}
```

## Fix
Wait for it too:
```nurture
wait up to 5d for click or reply {
  click   -> offer
  reply   -> thanks
  timeout -> exit quiet
}
```
"#;

    /// An awaited event with no arm.
    UnhandledEvent = "N307", "unhandled-event", Error,
    "A wait waits for an event that no arm handles",
r#"## What it means
Every event listed after `for` needs an arm saying where customers go when
it happens.

## Why it matters
When the event happens, nurture would not know what to do with the customer.

## Example
```nurture
wait up to 5d for click or open {
  click   -> offer
  timeout -> exit quiet
}
```

## Fix
```nurture
wait up to 5d for click or open {
  click   -> offer
  open    -> reminder
  timeout -> exit quiet
}
```
"#;

    /// Split shares do not add up to 100%.
    SplitNotWhole = "N308", "split-not-whole", Error,
    "The shares of a `split` do not add up to 100%",
r#"## What it means
A `split` sends each customer down one of its arms at random; the shares
must add up to exactly 100%.

## Why it matters
With less, some customers would go nowhere; with more, the shares are
ambiguous.

## Example
```nurture
split {
  50% -> a
  40% -> b
}
```

## Fix
```nurture
split {
  50% -> a
  50% -> b
}
```
"#;

    /// A `when` or wait arm that can never match.
    ShadowedCondition = "N309", "shadowed-condition", Warning,
    "An arm can never match because an earlier one always matches first",
r#"## What it means
`branch` tries its `when` arms in order and takes the first that matches.
This arm repeats an earlier condition, or an earlier condition matches every
customer this one would.

`wait up to … for` does the same with its arms for one event: the first arm
for the event whose `where` holds wins. An arm after one without `where` for
the same event, or after one whose condition covers its own, never fires.

## Why it matters
The arm never runs; usually the conditions are in the wrong order.

## Example
```nurture
branch {
  when tier in [gold, silver] -> good
  when tier == gold -> best
  else -> rest
}

wait up to 5d for click {
  click -> clicked
  click where link == "pricing" -> pricing
  timeout -> silent
}
```

## Fix
Put the narrower condition first:
```nurture
branch {
  when tier == gold -> best
  when tier in [gold, silver] -> good
  else -> rest
}

wait up to 5d for click {
  click where link == "pricing" -> pricing
  click -> clicked
  timeout -> silent
}
```
"#;

    /// A send not covered by consent on every path.
    SendWithoutConsent = "N310", "send-without-consent", Error,
    "A message may be sent on a channel the customer has not agreed to",
r#"## What it means
A `send` on a channel that needs opt-in must be covered by the customer's
consent on every path that reaches it: by the `consent` header (customers
without it never enter), by `if consent CHANNEL` on the send, or by a
`branch` arm whose condition requires `consent CHANNEL`.

## Why it matters
Sending marketing messages without consent breaks the law (GDPR, ePrivacy,
TCPA) and the customer's trust.

## Example
```nurture
consent email
step nudge {
  send sms "comeback"
  exit nudged
}
```

## Fix
```nurture
step nudge {
  send sms "comeback" if consent sms
  exit nudged
}
```
"#;

    /// Sends can exceed the program's cap.
    CapExceeded = "N311", "cap-exceeded", Error,
    "Some path sends more messages than the program's `cap` allows",
r#"## What it means
`cap N messages per D` (or `cap N CHANNEL per D`) promises that no customer
gets more than N messages within any D. Along some path through the steps,
more than N sends happen within D of each other.

## Why it matters
The cap is the promise not to spam. A program that breaks its own promise
will have messages dropped or, worse, sent.

## Example
```nurture
cap 2 messages per 7d
step hello {
  send email "a"
  send email "b"
  send email "c"
  exit done
}
```

## Fix
Send less, or wait between the sends:
```nurture
cap 2 messages per 7d
step hello {
  send email "a"
  send email "b"
  wait 7d
  send email "c"
  exit done
}
```
"#;

    /// The program does not fit its kind.
    KindMismatch = "N312", "kind-mismatch", Warning,
    "The program does not do what its `kind` says",
r#"## What it means
Each kind of program has a shape: a `wake_up` starts when customers have gone
quiet (`trigger no EVENT for D`), an `event_follow_up` starts on an event, a
`referral` asks for a referral, a `retain` program needs something to react
to, and so on.

## Why it matters
A mismatch is usually a copy-paste mistake, and reports per kind would count
the program in the wrong place.

## Example
```nurture
kind wake_up
trigger event purchase
```

## Fix
```nurture
kind wake_up
trigger no purchase for 180d
```
"#;

    BehaviorUnreadable = "N401", "behavior-unreadable", Error,
    "The behaviour model is not TOML of the expected shape",
r#"## What it means
`nurture simulate --behavior FILE` reads how customers answer messages from a
TOML file. This one is not valid TOML, or it has a key, a table or a value of
a type the model does not have (a chance written as text, a misspelt key).

## Why it matters
A model that is read only in part would simulate customers who never answer,
or answer in ways nobody wrote down. Nothing is simulated until the file reads.

## Example
```toml
[channel.email]
open = { chanse = 0.4, after = "6h" }
```

## Fix
```toml
[channel.email]
open = { chance = 0.4, after = "6h" }
```
See docs/simulation.md for every table and key.
"#;

    BehaviorUnknownName = "N402", "behavior-unknown-name", Error,
    "The behaviour model names an event, channel, segment or property the schema does not declare",
r#"## What it means
Every event a response or a background activity produces, every channel and
segment a table is for, and every property an event carries must be declared
in the customer schema (`schema.nurture`), as they are for programs.

## Why it matters
A response named `clik` would never answer a program's `wait … for click`: the
simulation would quietly show nobody clicking.

## Example
```toml
[channel.email]
clik = { chance = 0.1, after = "1h" }
```

## Fix
```toml
[channel.email]
click = { chance = 0.1, after = "1h" }
```
"#;

    BehaviorBadValue = "N403", "behavior-bad-value", Error,
    "A chance, rate, delay or property in the behaviour model is out of range",
r#"## What it means
Chances are between 0 and 1; rates are not negative; delays are durations as
in programs (`30m`, `6h`, `3d`), with `p90` no shorter than `after`; a
property's value has the type the schema declares.

## Why it matters
A chance of 4 (meant as 4%) would have every customer buy after every message.

## Example
```toml
[channel.email]
purchase = { chance = 4, after = "2d" }
```

## Fix
```toml
[channel.email]
purchase = { chance = 0.04, after = "2d" }
```
"#;

    BehaviorGivenLoop = "N404", "behavior-given-loop", Error,
    "A response's `given` names no response of its table, or goes round in a loop",
r#"## What it means
`given = "open"` makes a response possible only after the customer has opened,
and times it from the open. The event it names must be another response of
the same table (or of the channel's table), and following `given` from
response to response must come to an end.

## Why it matters
A click given a click could never happen; a loop of `given` has no first step.

## Example
```toml
[channel.email]
open  = { chance = 0.4, after = "6h", given = "click" }
click = { chance = 0.3, after = "10m", given = "open" }
```

## Fix
```toml
[channel.email]
open  = { chance = 0.4, after = "6h" }
click = { chance = 0.3, after = "10m", given = "open" }
```
"#;
}

/// docs/diagnostics.md: every code's explanation, from the same text that
/// `nurture explain` prints (a test keeps the file in step with this).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         Every problem `nurture check` reports has a stable code. Codes are never\n\
         reused; `nurture explain CODE` prints the same text as this page.\n\
         This file is generated from `src/codes.rs`: run\n\
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
