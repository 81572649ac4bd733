//! The registry of diagnostic codes. Codes are stable: a code is never reused
//! for another meaning, and a retired code stays listed. The hundreds group
//! them by the stage that reports them:
//!
//! | range | stage |
//! |---|---|
//! | N0xx | reading and parsing the text (`syntax`) |
//! | N1xx | the program's structure, without the graph (`check::structure`) |
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
Each `.nurture` file holds exactly one program. This file has another
`program` after the first one ends.

## Why it matters
One program per file keeps reviews, diffs and CI results about one thing, and
lets the file name say which program it is.

## Example
```nurture
program welcome { … }
program win_back { … }
```

## Fix
Move the second program into a file of its own, e.g. `win_back.nurture`.
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
