//! Stage 5, simulation: `nurture fit`, a behaviour model fitted to what a
//! team's customers did (docs/simulation.md, "Fitting a model").
//!
//! | file | does |
//! |---|---|
//! | `history.rs` | reads the history: sends and events, JSON Lines |
//! | `watch.rs` | what was seen after each send: the window, the events in it |
//! | `estimate.rs` | the chance and delay of one answer, by maximum likelihood |
//! | `layers.rs` | channel, then template and segment, shrunk toward the channel |
//! | `background.rs` | what customers do outside any send's window |
//!
//! An event answers the latest send to the customer before it, within the
//! window (`--window`, default 14 days) and before the next send; watching
//! a send stops at the window's end, the next send or the end of the
//! history, whichever is first. What customers do anyway is measured
//! outside every window, and taken out of the answers (`estimate.rs`).

mod background;
mod estimate;
pub mod history;
mod layers;
mod watch;

use super::behavior::write::Doc;
use crate::run::Seconds;
use crate::syntax::ast::Schema;

pub use estimate::{Estimate, Observed, estimate};

pub struct Options {
    /// Seconds after a send an event still answers it.
    pub window: Seconds,
    /// The fewest sends a channel, template or segment needs for numbers
    /// of its own.
    pub min_sends: u64,
    /// The customers there were, when known (`--customers`), with their
    /// segments: customers the history never names still count in the
    /// rates of what customers do anyway.
    pub population: Option<Vec<(String, std::collections::BTreeSet<String>)>>,
    /// Shown in the model's header.
    pub history_name: String,
}

/// The fitted model, and what the reader should know about it.
pub struct Fitted {
    pub doc: Doc,
    /// Said on stderr too: layers left out or taken from above.
    pub notes: Vec<String>,
    pub sends: usize,
    pub events: usize,
}

pub fn fit(history: &history::History, schema: Option<&Schema>, options: &Options) -> Fitted {
    let watched = watch::watch(history, options);
    let rates = background::rates(history, &watched, options);
    let mut notes = Vec::new();
    let mut doc = Doc {
        header: vec![
            format!(
                "Fitted by `nurture fit` to {}: {} sends and {} events of {} customers,",
                options.history_name,
                history.sends.len(),
                history.events.len(),
                watched.customers
            ),
            format!(
                "from {} to {}. An event answers the latest send before it within {}",
                crate::run::input::show_time(history.first),
                crate::run::input::show_time(history.last),
                super::behavior::write::duration(options.window as f64)
            ),
            "(and before the next send); what customers do anyway is measured outside".to_string(),
            "every window and taken out of the answers. The comment after each number".to_string(),
            "says how many observations stand behind it.".to_string(),
        ],
        ..Doc::default()
    };
    layers::tables(
        history, &watched, &rates, schema, options, &mut doc, &mut notes,
    );
    // Each event written as an answer, with the answers seen.
    let mut answers: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for table in doc
        .channels
        .iter()
        .chain(&doc.segments)
        .chain(&doc.templates)
    {
        for response in &table.responses {
            *answers.entry(response.event.clone()).or_default() += response.seen;
        }
    }
    let once = background::once(history, watched.customers);
    doc.background = background::docs(&rates, &answers, &once, schema, &mut notes);
    if !notes.is_empty() {
        doc.header.push(String::new());
        doc.header.push("Notes:".to_string());
        for note in &notes {
            doc.header.push(format!("- {note}"));
        }
    }
    Fitted {
        doc,
        notes,
        sends: history.sends.len(),
        events: history.events.len(),
    }
}
