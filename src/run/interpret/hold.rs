//! Quiet hours: when a send must be held back, and until when, in the
//! customer's own time zone.

use super::Run;
use crate::run::Seconds;
use crate::run::record::Record;

impl<R: Record, S> Run<'_, '_, R, S> {
    /// When a send must wait now, for quiet hours or a send window: the
    /// moment it may go out. Without windows, quiet hours alone, as they
    /// always were.
    ///
    /// With windows, the wait is worked out on the customer's clock
    /// (`plan::window::wait_minutes`, the function `nurture check` takes
    /// the longest of), and the send goes out at that local time, or at
    /// that many minutes by the offset of now if that is sooner: the
    /// weekend the clocks go back it goes out an hour early by the new
    /// clock (08:00 as the clock read when it was held), so no hold is
    /// longer than `check` proves; the weekend they go forward, at 08:00.
    pub(super) fn hold_until(&self) -> Option<Seconds> {
        if self.plan.windows.is_empty() {
            return self.quiet_until();
        }
        let offset = i64::from(self.customer.utc_offset(self.now));
        let local = self.now.saturating_add(offset);
        let week = crate::plan::window::minute_of_week(local);
        // `None`: no moment of the week lets a send out, which the loader
        // refuses; a plan built in code sends rather than wait for ever.
        let wait =
            crate::plan::window::wait_minutes(&self.plan.windows, self.plan.quiet.as_ref(), week)?;
        if wait == 0 {
            return None;
        }
        let second = local.rem_euclid(60);
        let start_of_minute = self.now.saturating_sub(second);
        let by_offset = start_of_minute.saturating_add(i64::from(wait) * 60);
        let zone = self.customer.time_zone();
        let on_clock = jiff::Timestamp::from_second(start_of_minute)
            .ok()
            .map(|t| t.to_zoned(zone.clone()).datetime())
            .and_then(|civil| {
                civil
                    .checked_add(jiff::Span::new().minutes(i64::from(wait)))
                    .ok()
            })
            .and_then(|civil| civil.to_zoned(zone).ok())
            .map(|zoned| zoned.timestamp().as_second());
        Some(
            on_clock
                .map_or(by_offset, |at| at.min(by_offset))
                .max(self.now.saturating_add(1)),
        )
    }

    /// When quiet hours are on in the customer's time zone now: the moment
    /// they end, and never later than their length from now: `nurture
    /// check` counts a hold as at most that long (`check/timing.rs`).
    pub(super) fn quiet_until(&self) -> Option<Seconds> {
        let quiet = self.plan.quiet.as_ref()?;
        // The local minute of the day from the zone's offset alone: most
        // sends fall outside quiet hours, and this is the cheap way to know.
        let offset = i64::from(self.customer.utc_offset(self.now));
        let minute = (self.now.saturating_add(offset).rem_euclid(86_400) / 60) as i32;
        let (from, until) = (i32::from(quiet.from), i32::from(quiet.until));
        let quiet_now = if from <= until {
            minute >= from && minute < until
        } else {
            minute >= from || minute < until
        };
        if !quiet_now {
            return None;
        }
        // The end is `until` today, or tomorrow when that has passed. In a
        // time zone's change of clocks, jiff picks the compatible instant
        // (a missing local time moves forward; a doubled one takes the first).
        let zone = self.customer.time_zone();
        let now = jiff::Timestamp::from_second(self.now)
            .ok()?
            .to_zoned(zone.clone());
        let date = now.date();
        let date = if minute >= until {
            date.tomorrow().ok()?
        } else {
            date
        };
        let end = date
            .at((until / 60) as i8, (until % 60) as i8, 0, 0)
            .to_zoned(zone)
            .ok()?;
        // By the offset of now: the end if the clocks do not change before
        // it, and at most the quiet hours' length away. The night the clocks
        // go back, the zone's `until` comes an hour later than that.
        let left = i64::from((until - minute).rem_euclid(24 * 60));
        let second = self.now.saturating_add(offset).rem_euclid(60);
        let by_offset = self.now.saturating_sub(second).saturating_add(left * 60);
        Some(end.timestamp().as_second().min(by_offset))
    }
}
