//! The one thing a streamed run needs in file order: the ids of the rows
//! looked up, block after block, in the filter of ids seen, so that a
//! repeat is the later row.

use crate::run::input::Seen;
use std::sync::{Condvar, Mutex};

/// The filter of ids seen, looked up block after block in file order.
pub(super) struct Claims {
    turn: Mutex<Turn>,
    next: Condvar,
}

struct Turn {
    /// The block whose turn it is.
    block: u64,
    /// A thread failed: nobody waits any longer.
    broken: bool,
    seen: Seen,
}

impl Claims {
    pub(super) fn new(seen: Seen) -> Self {
        Claims {
            turn: Mutex::new(Turn {
                block: 0,
                broken: false,
                seen,
            }),
            next: Condvar::new(),
        }
    }

    /// In block `block`'s turn, marks each id of `marks` the filter may
    /// have seen as held; false when another thread failed.
    pub(super) fn claim(&self, block: u64, marks: &mut [Mark]) -> bool {
        let mut turn = match self.turn.lock() {
            Ok(turn) => turn,
            Err(poisoned) => poisoned.into_inner(),
        };
        while turn.block != block && !turn.broken {
            turn = match self.next.wait(turn) {
                Ok(turn) => turn,
                Err(poisoned) => poisoned.into_inner(),
            };
        }
        if turn.broken {
            return false;
        }
        for mark in marks.iter_mut() {
            if let Some(hash) = mark.hash {
                mark.held = turn.seen.insert(hash);
            }
        }
        turn.block += 1;
        self.next.notify_all();
        true
    }

    pub(super) fn break_all(&self) {
        let mut turn = match self.turn.lock() {
            Ok(turn) => turn,
            Err(poisoned) => poisoned.into_inner(),
        };
        turn.broken = true;
        self.next.notify_all();
    }
}

/// A row of a block to read on: its place, and its id's hash (`None` for a
/// row without an id, which is never a repeat).
#[derive(Clone, Copy)]
pub(super) struct Mark {
    pub(super) row: usize,
    pub(super) line: usize,
    pub(super) hash: Option<u64>,
    pub(super) held: bool,
}
