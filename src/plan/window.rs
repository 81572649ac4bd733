//! Send windows (`window mon..fri 08:00..18:00`, format 3): the days and
//! hours a send may go out, and how long one must wait for the next
//! moment it may, with quiet hours. One function for the checker, which
//! proves the longest wait (`check/timing.rs`), and for the interpreter,
//! which waits it (`run/interpret/hold.rs`), so the two cannot disagree.

use super::Quiet;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Minutes in a week; a moment in a week is minutes after Monday 00:00.
pub const WEEK_MINUTES: u32 = 7 * DAY_MINUTES;
const DAY_MINUTES: u32 = 24 * 60;

/// A day of the week, as the program writes it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Day::Mon,
        Day::Tue,
        Day::Wed,
        Day::Thu,
        Day::Fri,
        Day::Sat,
        Day::Sun,
    ];

    /// Monday 0 … Sunday 6.
    pub fn number(self) -> u32 {
        self as u32
    }
}

/// One `window` clause: sends go out on `days` from `from` until `until`,
/// minutes after midnight in the customer's time zone (`from < until`: a
/// window does not cross midnight).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Monday first, each day once.
    pub days: Vec<Day>,
    pub from: u16,
    pub until: u16,
}

impl Window {
    fn open_at(&self, minute_of_week: u32) -> bool {
        let day = minute_of_week / DAY_MINUTES;
        let minute = minute_of_week % DAY_MINUTES;
        self.days.iter().any(|d| d.number() == day)
            && (u32::from(self.from)..u32::from(self.until)).contains(&minute)
    }
}

fn quiet_at(quiet: Option<&Quiet>, minute_of_week: u32) -> bool {
    let Some(quiet) = quiet else {
        return false;
    };
    let minute = minute_of_week % DAY_MINUTES;
    let (from, until) = (u32::from(quiet.from), u32::from(quiet.until));
    if from <= until {
        (from..until).contains(&minute)
    } else {
        minute >= from || minute < until
    }
}

/// Whether a send may go out at this moment of the week: inside a window
/// (any, when there are none) and outside quiet hours.
pub fn may_send_at(windows: &[Window], quiet: Option<&Quiet>, minute_of_week: u32) -> bool {
    let minute = minute_of_week % WEEK_MINUTES;
    (windows.is_empty() || windows.iter().any(|w| w.open_at(minute))) && !quiet_at(quiet, minute)
}

/// What holds a send back at this moment of the week, in the words a trace
/// uses: no send window open ("outside its send window"), else quiet hours
/// ("for quiet hours"); `None` when a send may go out.
pub fn held_by(
    windows: &[Window],
    quiet: Option<&Quiet>,
    minute_of_week: u32,
) -> Option<&'static str> {
    let minute = minute_of_week % WEEK_MINUTES;
    if !windows.is_empty() && !windows.iter().any(|w| w.open_at(minute)) {
        Some("outside its send window")
    } else if quiet_at(quiet, minute) {
        Some("for quiet hours")
    } else {
        None
    }
}

/// Minutes from `minute_of_week` to the first moment a send may go out
/// (0: now), or `None` when no moment of the week is one (the checker
/// refuses such a program, N328, and the loader such a plan). The first
/// such moment after one that is not is where a window opens or quiet
/// hours end, so only those are tried: a handful, not every minute.
pub fn wait_minutes(windows: &[Window], quiet: Option<&Quiet>, minute_of_week: u32) -> Option<u32> {
    let now = minute_of_week % WEEK_MINUTES;
    if may_send_at(windows, quiet, now) {
        return Some(0);
    }
    let mut openings: Vec<u32> = Vec::new();
    for day in 0..7 {
        for window in windows {
            openings.push(day * DAY_MINUTES + u32::from(window.from));
        }
        if let Some(quiet) = quiet {
            openings.push(day * DAY_MINUTES + u32::from(quiet.until));
        }
    }
    openings
        .into_iter()
        .filter(|&at| may_send_at(windows, quiet, at))
        .map(|at| (at + WEEK_MINUTES - now) % WEEK_MINUTES)
        .filter(|&wait| wait > 0)
        .min()
}

/// The longest [`wait_minutes`] over the week: the most a send can be
/// held back. `None` when no moment of the week lets a send out. A wait
/// is longest where sending stops (a window closes or quiet hours start)
/// and shortens minute by minute after, so only those moments are tried.
pub fn longest_wait(windows: &[Window], quiet: Option<&Quiet>) -> Option<u32> {
    let mut longest = 0;
    for day in 0..7 {
        let closings = windows
            .iter()
            .map(|w| u32::from(w.until))
            .chain(quiet.map(|q| u32::from(q.from)));
        for closing in closings {
            longest = longest.max(wait_minutes(windows, quiet, day * DAY_MINUTES + closing)?);
        }
    }
    Some(longest)
}

/// The moment of the week of a local time given as seconds since
/// 1970-01-01 00:00 (a Thursday) on the local clock.
pub fn minute_of_week(local_seconds: i64) -> u32 {
    let days = local_seconds.div_euclid(86_400);
    let weekday = (days + 3).rem_euclid(7) as u32;
    let minute = (local_seconds.rem_euclid(86_400) / 60) as u32;
    weekday * DAY_MINUTES + minute
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays(from: u16, until: u16) -> Window {
        Window {
            days: Day::ALL[..5].to_vec(),
            from,
            until,
        }
    }

    #[test]
    fn friday_evening_waits_for_monday_morning() {
        let business = [weekdays(8 * 60, 18 * 60)];
        let friday_six_pm = 4 * DAY_MINUTES + 18 * 60;
        assert_eq!(wait_minutes(&business, None, friday_six_pm), Some(62 * 60));
        assert_eq!(wait_minutes(&business, None, friday_six_pm - 1), Some(0));
        assert_eq!(longest_wait(&business, None), Some(62 * 60));
    }

    #[test]
    fn quiet_hours_inside_a_window_hold_too() {
        let all_day = [Window {
            days: Day::ALL.to_vec(),
            from: 0,
            until: 23 * 60,
        }];
        let quiet = Quiet {
            from: 22 * 60,
            until: 7 * 60,
        };
        // 22:00 Monday: quiet until 07:00 Tuesday, inside the window.
        assert_eq!(wait_minutes(&all_day, Some(&quiet), 22 * 60), Some(9 * 60));
        assert_eq!(longest_wait(&all_day, Some(&quiet)), Some(9 * 60));
    }

    #[test]
    fn a_window_inside_quiet_hours_never_opens() {
        let night = [weekdays(60, 2 * 60)];
        let quiet = Quiet {
            from: 22 * 60,
            until: 7 * 60,
        };
        assert_eq!(longest_wait(&night, Some(&quiet)), None);
    }

    #[test]
    fn the_longest_wait_is_the_longest_of_every_minute() {
        let quiet = Quiet {
            from: 21 * 60,
            until: 9 * 60,
        };
        let cases = [
            vec![weekdays(8 * 60, 18 * 60)],
            vec![
                weekdays(8 * 60, 12 * 60),
                Window {
                    days: vec![Day::Tue, Day::Sat],
                    from: 14 * 60,
                    until: 24 * 60,
                },
            ],
            vec![Window {
                days: vec![Day::Sun],
                from: 0,
                until: 30,
            }],
        ];
        for windows in cases {
            for quiet in [None, Some(&quiet)] {
                let every = (0..WEEK_MINUTES)
                    .map(|m| wait_minutes(&windows, quiet, m))
                    .try_fold(0, |most, wait| wait.map(|w| most.max(w)));
                assert_eq!(
                    longest_wait(&windows, quiet),
                    every,
                    "{windows:?} {quiet:?}"
                );
            }
        }
    }

    #[test]
    fn the_epoch_was_a_thursday() {
        assert_eq!(minute_of_week(0), 3 * DAY_MINUTES);
        assert_eq!(minute_of_week(-60), 3 * DAY_MINUTES - 1);
        // 2026-03-27 is a Friday.
        assert_eq!(minute_of_week(1_774_569_600), 4 * DAY_MINUTES);
    }
}
