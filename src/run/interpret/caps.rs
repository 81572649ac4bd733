//! Frequency caps: the recent sends a journey keeps, and whether one more
//! send would break a cap.

use super::{Run, minutes_to_seconds};
use crate::run::record::Record;

impl<'p, R: Record, S> Run<'p, '_, R, S> {
    /// The channel a kept send went out on, for counting recent sends.
    fn channel_of(&self, code: u32) -> Option<&'p str> {
        self.plan.sent_channel(code)
    }

    /// Whether one more send on `channel` would break a cap.
    pub(super) fn capped(&self, channel: &str) -> bool {
        self.plan.caps.iter().any(|cap| {
            if cap.channel.as_ref().is_some_and(|c| c != channel) {
                return false;
            }
            let since = self.now.saturating_sub(minutes_to_seconds(cap.per_minutes));
            let count = self
                .journey
                .sent()
                .iter()
                .filter(|(at, node)| {
                    *at > since
                        && cap
                            .channel
                            .as_ref()
                            .is_none_or(|c| self.channel_of(*node) == Some(c.as_str()))
                })
                .count();
            count >= cap.count as usize
        })
    }

    pub(super) fn forget_old_sends(&mut self) {
        let longest = self
            .plan
            .caps
            .iter()
            .map(|c| c.per_minutes)
            .max()
            .unwrap_or(0);
        let since = self.now.saturating_sub(minutes_to_seconds(longest));
        self.journey.sends_mut().forget_until(since);
    }
}
