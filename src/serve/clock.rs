//! Stage serve: the service's clock — the system's, or a manual one that
//! moves only when told (`POST /v1/clock`), for tests and dry runs. The
//! manual clock's time is kept in the store, so a restart resumes it, and
//! every process on one database shares it.

use crate::run::Seconds;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    System,
    Manual,
}

/// The name the manual clock is kept under in the store's `meta` table.
pub const META_NAME: &str = "clock";

#[derive(Debug)]
pub struct Clock {
    pub mode: Mode,
    /// The manual clock; `i64::MIN` while it has not been set.
    manual: AtomicI64,
}

impl Clock {
    pub fn new(mode: Mode, manual: Option<Seconds>) -> Clock {
        Clock {
            mode,
            manual: AtomicI64::new(manual.unwrap_or(Seconds::MIN)),
        }
    }

    /// The time programs run at now: `None` for a manual clock not yet set.
    pub fn now(&self) -> Option<Seconds> {
        match self.mode {
            Mode::System => Some(wall()),
            Mode::Manual => {
                let at = self.manual.load(Ordering::SeqCst);
                (at != Seconds::MIN).then_some(at)
            }
        }
    }

    pub fn set_manual(&self, at: Seconds) {
        self.manual
            .store(at.max(Seconds::MIN + 1), Ordering::SeqCst);
    }
}

/// The wall-clock time, in seconds: for the system clock, for delivery
/// retries and for when an event was received.
pub fn wall() -> Seconds {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(Seconds::MAX),
        // A clock set before 1970 is a broken machine; 0 keeps going.
        Err(_) => 0,
    }
}

/// The wall-clock time in milliseconds, for latency figures.
pub fn wall_millis() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}
