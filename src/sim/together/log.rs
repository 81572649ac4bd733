//! Stage 5, simulation, programs run together: what a run did for one
//! customer, for a test to replay against `replay` ([`Logged`]), and the
//! sink that notes every send on its way to the caps ([`Sent`]).

use crate::run::interpret::{ActionRef, EntryCheck, KindRef};
use crate::run::{Seconds, Sink};

/// What a portfolio run did for one customer, for a test to replay: the
/// events the model had them do and every send, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Logged {
    Event {
        at: Seconds,
        name: String,
        properties: Vec<(String, crate::run::Datum)>,
    },
    /// `program` by name.
    Send {
        at: Seconds,
        program: String,
        channel: String,
        template: String,
    },
    /// A journey begun (treated or in the holdout).
    Enter { at: Seconds, program: String },
    /// A journey ended, with its outcome.
    Exit {
        at: Seconds,
        program: String,
        outcome: String,
    },
    /// A send skipped, with the reason (`cap`, `consent`, …).
    Skip {
        at: Seconds,
        program: String,
        reason: String,
    },
}

/// A sink that notes every send of every program (for the week's figures,
/// and the log a test replays) and passes everything on.
pub(super) struct Sent<'x, 'p, S> {
    pub(super) inner: S,
    pub(super) sent: &'x mut Vec<Seconds>,
    pub(super) program: &'p str,
    pub(super) log: Option<&'x mut Vec<Logged>>,
}

impl<S: Sink> Sink for Sent<'_, '_, S> {
    const ENTRY_CHECKS: bool = S::ENTRY_CHECKS;

    fn act(&mut self, action: ActionRef<'_>) {
        match action.kind {
            KindRef::Send { channel, template } => {
                self.sent.push(action.at);
                if let Some(log) = self.log.as_deref_mut() {
                    log.push(Logged::Send {
                        at: action.at,
                        program: self.program.to_string(),
                        channel: channel.to_string(),
                        template: template.to_string(),
                    });
                }
            }
            _ => {
                if let Some(log) = self.log.as_deref_mut() {
                    let (at, program) = (action.at, self.program.to_string());
                    match action.kind {
                        KindRef::Skip { reason, .. } => log.push(Logged::Skip {
                            at,
                            program,
                            reason: reason.to_string(),
                        }),
                        KindRef::Enter { .. } => log.push(Logged::Enter { at, program }),
                        KindRef::Exit { outcome } => log.push(Logged::Exit {
                            at,
                            program,
                            outcome: outcome.to_string(),
                        }),
                        _ => {}
                    }
                }
            }
        }
        self.inner.act(action);
    }

    fn entry(&mut self, check: EntryCheck) {
        self.inner.entry(check);
    }

    fn visit(&mut self, node: usize) {
        self.inner.visit(node);
    }

    fn capped(&self, channel: &str, now: Seconds) -> bool {
        self.inner.capped(channel, now)
    }
}
