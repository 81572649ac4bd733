//! Values outside the range that makes sense (N213). These need no schema,
//! so they run on every program:
//!
//! | where | allowed |
//! |---|---|
//! | `wait D`, `wait up to D for …` | `1m` to two years |
//! | `goal … within D` | `1m` to two years |
//! | `ends after D`, `wait until D after entry` | `1m` to two years |
//! | `trigger no EVENT for D` | `1m` to two years |
//! | `trigger D before/after DATE` | up to two years |
//! | `cap N … per D` | N at least 1; D from `1m` to two years |
//! | `holdout P` | at most 50% |
//!
//! Two years is as long as nurture plans ahead: a longer wait is almost
//! always a unit typed wrong (`365w` for `365d`).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{ClauseKind, Duration, Percent, Program, StatementKind, TriggerKind};

const TWO_YEARS: u64 = 730 * 24 * 60;
const MAX_HOLDOUT: Percent = Percent(5000);

/// `already` holds what parsing reported: a value it could not read is a
/// stand-in (zero) and is not checked again.
pub(super) fn check(
    program: &Program,
    source: &str,
    already: &[Diagnostic],
    found: &mut Vec<Diagnostic>,
) {
    // Looked up once per value: a scan of `already` for each one made a file
    // of 112,000 malformed `wait 3x` take 14 s (every value, every report).
    let checker = Ranges {
        source,
        reported: Reported::new(already),
    };
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Trigger(trigger) => match &trigger.kind {
                TriggerKind::Inactivity { event, quiet_for } => checker.window(
                    quiet_for,
                    |d| {
                        format!(
                            "`no {} for {d}` gives customers no time without the event",
                            event.as_str()
                        )
                    },
                    &format!(
                        "write how long customers go without it, like `no {} for 180d`",
                        event.as_str()
                    ),
                    "the time without the event",
                    found,
                ),
                TriggerKind::Date { offset, .. } => {
                    checker.not_too_long(offset, "the time before or after the date", found)
                }
                _ => {}
            },
            ClauseKind::Goal(goal) => checker.window(
                &goal.within,
                |d| format!("`within {d}` gives customers no time to reach the goal"),
                "give customers time to reach the goal, like `within 30d`",
                "the goal's window",
                found,
            ),
            ClauseKind::Ends(deadline) => checker.window(
                &deadline.after,
                |d| format!("`ends after {d}` ends every journey as it begins"),
                "give the journey time, like `ends after 30d`",
                "the journey's length",
                found,
            ),
            ClauseKind::Cap(cap) => {
                if cap.count.value == 0 && !checker.reported(cap.count.span) {
                    found.push(
                        Diagnostic::new(Code::ValueOutOfRange, "`cap 0` allows no messages at all")
                            .label(cap.count.span, "no message could ever be sent")
                            .help("allow at least one message, like `cap 1 sms per 7d`; to send nothing on a channel, do not send on it"),
                    );
                }
                checker.window(
                    &cap.per,
                    |d| format!("`per {d}` counts messages over no time at all"),
                    "count messages over a span of time, like `per 7d`",
                    "the cap's span",
                    found,
                );
            }
            ClauseKind::Holdout(share)
                if share.value > MAX_HOLDOUT && !checker.reported(share.span) =>
            {
                found.push(
                        Diagnostic::new(
                            Code::ValueOutOfRange,
                            format!("`holdout {}` keeps more than half the customers back", checker.text(share.span)),
                        )
                        .label(share.span, "more than 50%")
                        .help("a control group needs only a small share to measure the program, usually 5% to 20%; at most 50%"),
                    );
            }
            _ => {}
        }
    }
    for statement in program.steps.iter().flat_map(|s| &s.statements) {
        match &statement.kind {
            StatementKind::Wait(wait) => checker.window(
                wait,
                |d| format!("`wait {d}` waits no time at all"),
                "remove the `wait`, or wait at least a minute, like `wait 1d`",
                "a wait",
                found,
            ),
            StatementKind::WaitUntil(at) => checker.window(
                at,
                |d| format!("`wait until {d} after entry` waits for the moment of entering"),
                "wait until a time after entering, like `wait until 30d after entry`",
                "a wait",
                found,
            ),
            StatementKind::WaitFor(wait) => checker.window(
                &wait.up_to,
                |d| format!("`wait up to {d}` gives customers no time to respond"),
                "give customers time to respond, like `wait up to 5d for …`",
                "a wait",
                found,
            ),
            _ => {}
        }
    }
}

struct Ranges<'a> {
    source: &'a str,
    reported: Reported,
}

/// The spans diagnostics of parsing (N0xx) point at, sorted by start, each
/// with the furthest end of it and those before it: whether one covers a
/// value is one binary search.
struct Reported {
    spans: Vec<(usize, usize)>,
}

impl Reported {
    fn new(already: &[Diagnostic]) -> Self {
        let mut spans: Vec<(usize, usize)> = already
            .iter()
            .filter(|d| d.code.id().starts_with("N0"))
            .flat_map(|d| {
                d.labels
                    .iter()
                    .map(|label| (label.span.start, label.span.end))
            })
            .collect();
        spans.sort_unstable();
        let mut furthest = 0;
        for (_, end) in &mut spans {
            furthest = furthest.max(*end);
            *end = furthest;
        }
        Reported { spans }
    }

    /// Whether a span starting at or before `span` ends at or after it.
    fn covers(&self, span: Span) -> bool {
        let before = self
            .spans
            .partition_point(|&(start, _)| start <= span.start);
        before > 0 && self.spans[before - 1].1 >= span.end
    }
}

impl Ranges<'_> {
    /// Whether reading the file could not read the value at `span` (N0xx):
    /// then it is a stand-in. What later stages said there (a wait without
    /// `timeout`, N304, labels the same duration) is no reason to be quiet.
    fn reported(&self, span: Span) -> bool {
        self.reported.covers(span)
    }

    fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// A span of time that must be more than nothing and at most two years.
    fn window(
        &self,
        duration: &Spanned<Duration>,
        zero: impl Fn(&str) -> String,
        zero_help: &str,
        what: &str,
        found: &mut Vec<Diagnostic>,
    ) {
        if duration.value.minutes == 0 && !self.reported(duration.span) {
            found.push(
                Diagnostic::new(Code::ValueOutOfRange, zero(self.text(duration.span)))
                    .label(duration.span, "no time at all")
                    .help(zero_help),
            );
        }
        self.not_too_long(duration, what, found);
    }

    fn not_too_long(&self, duration: &Spanned<Duration>, what: &str, found: &mut Vec<Diagnostic>) {
        if duration.value.minutes <= TWO_YEARS || self.reported(duration.span) {
            return;
        }
        let written = self.text(duration.span);
        let meant_days = written
            .strip_suffix('w')
            .and_then(|n| n.parse::<u64>().ok())
            .filter(|n| n * 24 * 60 <= TWO_YEARS);
        let help = match meant_days {
            Some(days) => {
                format!("did you mean `{days}d`? nurture plans at most two years (`730d`) ahead")
            }
            None => "write at most `730d`: nurture plans at most two years ahead".to_string(),
        };
        let diagnostic = Diagnostic::new(
            Code::ValueOutOfRange,
            format!("`{written}` is longer than two years"),
        )
        .label(duration.span, format!("{what} may be at most `730d`"))
        .help(help);
        found.push(match meant_days {
            Some(days) => diagnostic.fix(crate::diagnostic::Fix::replace(
                format!("write `{days}d`"),
                duration.span,
                format!("{days}d"),
            )),
            None => diagnostic,
        });
    }
}
