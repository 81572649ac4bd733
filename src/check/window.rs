//! Send windows and channel fallback, as written (N325–N329): a send that
//! names a channel twice, window days that are no days or run backwards,
//! windows with no time in them (or only inside quiet hours), and windows
//! that overlap. Checked with the structure, before the graph: the proofs
//! (`timing.rs`) need every window to open some time in the week.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::plan::window::{self, Day, Window};
use crate::span::Name;
use crate::syntax::ast::{ClauseKind, DAY_NAMES, Program, SendWindow, day_number};
use std::collections::BTreeMap;

pub fn check(program: &Program) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for statement in program.steps.iter().flat_map(|s| &s.statements) {
        repeated_channels(&statement.kind.send_channels(), &mut found);
    }
    let windows: Vec<&SendWindow> = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Window(w) => Some(w),
            _ => None,
        })
        .collect();
    let mut sound = true;
    for w in &windows {
        sound &= days(w, &mut found);
        sound &= hours(w, &mut found);
    }
    if sound && !windows.is_empty() {
        overlaps(&windows, &mut found);
        inside_quiet_hours(program, &windows, &mut found);
    }
    found
}

/// N325: `send email "a" or email "b"`.
fn repeated_channels(channels: &[&Name], found: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &Name> = BTreeMap::new();
    for channel in channels {
        if let Some(first) = seen.get(channel.as_str()) {
            found.push(
                Diagnostic::new(
                    Code::FallbackRepeatsChannel,
                    format!("`{}` is tried twice in this send", channel.as_str()),
                )
                .label(channel.span, "tried again here, but never reached")
                .label(first.span, "tried first here")
                .help("a send with `or` goes out on the first channel the customer agreed to: name each channel once, like `send push \"app-offer\" or email \"mail-offer\"`"),
            );
        } else {
            seen.insert(channel.as_str(), channel);
        }
    }
}

/// N326 and N327; whether the days are sound.
fn days(w: &SendWindow, found: &mut Vec<Diagnostic>) -> bool {
    let mut sound = true;
    let mut last_day: Option<(u8, &Name)> = None;
    for range in &w.days {
        let names = std::iter::once(&range.first).chain(range.last.as_ref());
        let mut numbers = Vec::new();
        for name in names {
            match day_number(name.as_str()) {
                Some(day) => numbers.push(day),
                None => {
                    sound = false;
                    found.push(unknown_day(name));
                }
            }
        }
        let (Some(&first), Some(&last)) = (numbers.first(), numbers.last()) else {
            continue;
        };
        if numbers.len() != 1 + usize::from(range.last.is_some()) {
            continue;
        }
        let last_name = range.last.as_ref().unwrap_or(&range.first);
        if first > last {
            sound = false;
            found.push(
                Diagnostic::new(
                    Code::DaysOutOfOrder,
                    format!(
                        "`{}..{}` runs backwards",
                        range.first.as_str(),
                        last_name.as_str()
                    ),
                )
                .label(range.span, "the week runs from `mon` to `sun`")
                .help(format!(
                    "for `{}` to `{}` over the weekend, write the days from `mon` on: `{},{}`",
                    range.first.as_str(),
                    last_name.as_str(),
                    days_text(0, last),
                    days_text(first, 6)
                )),
            );
        } else if let Some((before, before_name)) = last_day.filter(|(before, _)| first <= *before)
        {
            sound = false;
            found.push(
                Diagnostic::new(
                    Code::DaysOutOfOrder,
                    format!(
                        "`{}` is listed again or out of order in this window",
                        range.first.as_str()
                    ),
                )
                .label(
                    range.span,
                    format!("comes after `{}`", before_name.as_str()),
                )
                .help(format!(
                    "list each day once, in the order of the week from `mon` to `sun`, like `mon,wed..fri` (`{}` is listed up to here)",
                    DAY_NAMES[before as usize]
                )),
            );
        }
        last_day = Some((last, last_name));
    }
    sound
}

/// `mon..fri`, or `sat` for one day.
fn days_text(first: u8, last: u8) -> String {
    let name = |d: u8| DAY_NAMES[usize::from(d.min(6))];
    if first == last {
        name(first).to_string()
    } else {
        format!("{}..{}", name(first), name(last))
    }
}

/// The days in a sentence.
const DAY_WORDS: [&str; 7] = [
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
];

fn unknown_day(name: &Name) -> Diagnostic {
    let written = name.as_str().to_ascii_lowercase();
    let close = DAY_NAMES
        .iter()
        .find(|d| written.starts_with(**d))
        .copied()
        .or_else(|| crate::suggest::closest(name.as_str(), DAY_NAMES));
    let diagnostic = Diagnostic::new(
        Code::UnknownDay,
        format!("`{}` is not a day", name.as_str()),
    );
    match close {
        Some(close) => diagnostic
            .did_you_mean(name.span, close)
            .help("days are written `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`"),
        None => diagnostic
            .label(name.span, "not a day of the week")
            .help("days are written `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`, like `window mon..fri 08:00..18:00`"),
    }
}

/// N328 for the hours alone; whether they are sound.
fn hours(w: &SendWindow, found: &mut Vec<Diagnostic>) -> bool {
    let (from, until) = (w.from.value.0, w.until_minutes());
    if from < until {
        return true;
    }
    let span = w.from.span.to(w.until.span);
    let diagnostic = if from == until {
        Diagnostic::new(Code::EmptyWindow, "this window has no time in it")
            .label(span, "ends as it starts")
            .help("write when sends may start and when they must stop, like `08:00..18:00`")
    } else {
        Diagnostic::new(Code::EmptyWindow, "this window crosses midnight")
            .label(span, "ends before it starts")
            .help(format!(
                "a window runs within one day: write it as two, one to midnight and one from it, like `{}..00:00` and `00:00..{}` on the next days",
                clock(from),
                clock(until)
            ))
    };
    found.push(diagnostic);
    false
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn as_plan(w: &SendWindow) -> Window {
    let mask = w.day_mask();
    Window {
        days: Day::ALL
            .into_iter()
            .filter(|d| mask & (1 << d.number()) != 0)
            .collect(),
        from: w.from.value.0,
        until: w.until_minutes(),
    }
}

/// The program's windows as the plan has them.
pub fn plan_windows(program: &Program) -> Vec<Window> {
    program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Window(w) => Some(as_plan(w)),
            _ => None,
        })
        .collect()
}

/// N329: per day, the windows sorted by their start; each must start after
/// every earlier one has ended (sorting, not every pair with every other).
fn overlaps(windows: &[&SendWindow], found: &mut Vec<Diagnostic>) {
    let mut reported = std::collections::BTreeSet::new();
    for day in 0..7u8 {
        let mut open: Vec<(u16, u16, usize)> = windows
            .iter()
            .enumerate()
            .filter(|(_, w)| w.day_mask() & (1 << day) != 0)
            .map(|(i, w)| (w.from.value.0, w.until_minutes(), i))
            .collect();
        open.sort();
        let mut latest: Option<(u16, usize)> = None;
        for (from, until, i) in open {
            if let Some((end, earlier)) = latest {
                if from < end && reported.insert((earlier, i)) {
                    found.push(
                        Diagnostic::new(
                            Code::OverlappingWindows,
                            format!("these windows overlap on {}", DAY_WORDS[day as usize]),
                        )
                        .label(windows[i].from.span.to(windows[i].until.span), "starts before the other ends")
                        .label(windows[earlier].from.span.to(windows[earlier].until.span), "the other window")
                        .help("sends go out inside any window, so the overlap changes nothing: make the windows meet without overlapping, or remove one"),
                    );
                }
            }
            if latest.is_none_or(|(end, _)| until > end) {
                latest = Some((until, i));
            }
        }
    }
}

/// N328 when quiet hours cover every window.
fn inside_quiet_hours(program: &Program, windows: &[&SendWindow], found: &mut Vec<Diagnostic>) {
    let quiet = super::timing::plan_quiet(program);
    if window::longest_wait(&plan_windows(program), quiet.as_ref()).is_some() {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Code::EmptyWindow,
        "quiet hours cover every window: no send could ever go out",
    );
    for w in windows {
        diagnostic = diagnostic.label(w.from.span.to(w.until.span), "inside quiet hours");
    }
    found.push(diagnostic.help("move the windows out of quiet hours, or shorten the quiet hours"));
}
