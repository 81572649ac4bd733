//! Time zones for simulated customers. Each zone is resolved once per
//! thread, and the UTC offsets it has been asked for are remembered span by
//! span (from one change of clocks to the next). Every customer in
//! `Europe/Berlin` then shares what jiff worked out once, instead of each
//! asking it again: looking up an offset and the next change of clocks took
//! a third of the interpreter's time when every customer did it.

use crate::run::Seconds;
use jiff::tz::TimeZone;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Time zones by name, looked up once per thread.
#[derive(Default)]
pub struct Zones {
    known: HashMap<String, Zone, foldhash::fast::RandomState>,
    utc: Option<Zone>,
}

impl Zones {
    /// The zone named `name`, or UTC for none or a name jiff does not know.
    pub fn get(&mut self, name: Option<&str>) -> Zone {
        let Some(name) = name else {
            return self
                .utc
                .get_or_insert_with(|| Zone::new(TimeZone::UTC))
                .clone();
        };
        if let Some(zone) = self.known.get(name) {
            return zone.clone();
        }
        let zone = Zone::new(TimeZone::get(name).unwrap_or(TimeZone::UTC));
        self.known.insert(name.to_string(), zone.clone());
        zone
    }
}

/// A time zone and the offsets it has told so far, shared by the customers
/// of one thread that live in it.
#[derive(Clone, Debug)]
pub struct Zone(Rc<Known>);

#[derive(Debug)]
struct Known {
    zone: TimeZone,
    /// Spans of time with one offset, none overlapping.
    spans: RefCell<Vec<Span>>,
}

/// From `from` (inclusive) to `until` (exclusive) the zone is `offset`
/// seconds ahead of UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub from: Seconds,
    pub until: Seconds,
    pub offset: i32,
}

impl Span {
    pub fn holds(&self, at: Seconds) -> bool {
        self.from <= at && at < self.until
    }
}

impl Zone {
    pub fn new(zone: TimeZone) -> Zone {
        Zone(Rc::new(Known {
            zone,
            spans: RefCell::new(Vec::new()),
        }))
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.0.zone
    }

    /// The span of time around `at` with one offset.
    pub fn span(&self, at: Seconds) -> Span {
        if let Some(span) = self.0.spans.borrow().iter().find(|s| s.holds(at)) {
            return *span;
        }
        let Ok(time) = jiff::Timestamp::from_second(at) else {
            // Outside the times jiff knows: UTC, for this moment only.
            return Span {
                from: at,
                until: at.saturating_add(1),
                offset: 0,
            };
        };
        let offset = self.0.zone.to_offset(time).seconds();
        let until = self
            .0
            .zone
            .following(time)
            .next()
            .map_or(Seconds::MAX, |t| t.timestamp().as_second());
        let mut spans = self.0.spans.borrow_mut();
        // The span starts at `at` (a change of clocks exactly at `at` cannot
        // be misread that way); one asked for earlier in the same period
        // ends at the same change, and the two become one.
        match spans
            .iter_mut()
            .find(|s| s.until == until && s.offset == offset)
        {
            Some(same) => {
                same.from = same.from.min(at);
                *same
            }
            None => {
                let span = Span {
                    from: at,
                    until,
                    offset,
                };
                spans.push(span);
                span
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Zone {
        Zone::new(TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC))
    }

    /// 2026-03-29T01:00:00Z: Berlin goes from +1 to +2 hours.
    const SPRING_2026: Seconds = 1_774_746_000;

    #[test]
    fn offsets_change_with_the_clocks() {
        let zone = berlin();
        assert_eq!(zone.span(SPRING_2026 - 1).offset, 3600);
        assert_eq!(zone.span(SPRING_2026).offset, 7200);
        assert_eq!(zone.span(SPRING_2026 - 1).until, SPRING_2026);
    }

    /// Asking for an earlier time in the same period widens the span rather
    /// than adding one, so customers who start at different times share it.
    #[test]
    fn spans_of_one_period_become_one() {
        let zone = berlin();
        let later = zone.span(SPRING_2026 - 100);
        let earlier = zone.span(SPRING_2026 - 86_400);
        assert_eq!(earlier.until, later.until);
        assert_eq!(earlier.from, SPRING_2026 - 86_400);
        assert_eq!(zone.0.spans.borrow().len(), 1);
        zone.span(SPRING_2026 + 10);
        assert_eq!(zone.0.spans.borrow().len(), 2);
    }

    #[test]
    fn times_jiff_cannot_hold_are_utc() {
        let zone = berlin();
        assert_eq!(zone.span(Seconds::MIN).offset, 0);
        assert_eq!(zone.span(Seconds::MAX).offset, 0);
        assert!(zone.0.spans.borrow().is_empty());
    }
}
