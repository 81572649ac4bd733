//! The words of the report, explained: a glossary at the end of the page,
//! and each word where it is used linked to its entry with the definition
//! as a tooltip, so a reader never meets a term nobody explained.

use super::escape;
use std::fmt::Write;

/// (term, definition), in the order the glossary lists them.
pub(super) const TERMS: &[(&str, &str)] = &[
    (
        "customer",
        "A person or company in the customers file. The simulation follows each one from the first day to the last.",
    ),
    (
        "trigger",
        "What starts a program for a customer: an event (a signup), a time without one (no purchase for 180 days), a date (a contract ending) or a segment change.",
    ),
    (
        "audience",
        "Who may enter when a trigger matches: a condition on the customer (tier, lifetime value, …). Customers outside it are left alone.",
    ),
    (
        "consent",
        "A customer's agreement to be contacted on a channel (email, sms, push). A program that asks for consent at entry lets only those who agreed in; a send without it is skipped.",
    ),
    (
        "journey",
        "One customer's way through a program, from entering to leaving. A customer who enters twice (a program with re-entry) makes two journeys.",
    ),
    (
        "treated",
        "The journeys that got the program's messages: everyone who entered, except the holdout.",
    ),
    (
        "holdout",
        "A share of the customers who enter (the program's `holdout`, often 10%) and are then left alone, to show what would have happened without the program. The difference between the two groups is the lift.",
    ),
    (
        "step",
        "A named part of the program (`step offer { … }`): it sends, waits, decides where to go next.",
    ),
    (
        "answered",
        "Journeys that moved on from a step because the customer did what the step waited for (opened, clicked, bought) rather than because the wait ran out.",
    ),
    (
        "moved on",
        "Journeys that went from a step to another step or left the program from it.",
    ),
    (
        "outcome",
        "How a journey ended: the name after `exit` in the program (`exit dormant`), `converted` when it reached the goal while still in the program, or `still in` when it had not ended by the last day.",
    ),
    (
        "still in",
        "Journeys that had not ended when the simulation stopped: the customer was still waiting in some step.",
    ),
    (
        "converted",
        "A customer who did the program's goal (say a purchase) within the goal window after entering, whether or not still in the program then. The holdout is counted the same way, so the two rates can be compared.",
    ),
    (
        "goal rate",
        "Converted journeys out of all journeys of a group (treated or holdout).",
    ),
    (
        "lift",
        "The treated group's goal rate minus the holdout's, in percentage points: what the program adds. +2 points means 2 more customers in 100 reached the goal.",
    ),
    (
        "95% interval",
        "The range the true lift lies in, 19 times out of 20, given how many customers there were. An interval that includes 0 means the simulation cannot tell the program from doing nothing.",
    ),
    (
        "median",
        "The middle value: half the journeys are below it, half above.",
    ),
    (
        "p90",
        "The 90th percentile: nine journeys in ten are at or below it.",
    ),
    (
        "p95",
        "The 95th percentile: 19 journeys in 20 are at or below it.",
    ),
    (
        "checker's bound",
        "The most messages one journey can get, proved by `nurture check` from the program's text before it runs. The simulation shows whether it is kept.",
    ),
    (
        "quiet hours",
        "The hours (in the customer's own time zone) the program sends nothing; a message due then waits until they end.",
    ),
    (
        "cap",
        "The most messages a program may send one customer in a period (`cap 3 messages per 14d`); a send over it is skipped.",
    ),
    (
        "run",
        "One simulation with one seed. With several runs (`--runs`), each figure is shown as the median of the runs with the range that 90% of runs fall in.",
    ),
];

/// `word` linked to its glossary entry, with its definition as a tooltip.
/// `word` must be one of [`TERMS`]; shown as `text`.
pub(super) fn term(word: &str, text: &str) -> String {
    let definition = TERMS
        .iter()
        .find(|(t, _)| *t == word)
        .map_or("", |(_, d)| *d);
    format!(
        "<a class=\"term\" href=\"#term-{}\" title=\"{}\">{}</a>",
        anchor(word),
        escape(definition),
        escape(text)
    )
}

fn anchor(word: &str) -> String {
    word.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

pub(super) fn glossary(out: &mut String) {
    out.push_str("<section class=\"card\" id=\"glossary\">\n<h2>What the words mean</h2>\n<dl class=\"glossary\">\n");
    for (word, definition) in TERMS {
        let _ = writeln!(
            out,
            "<div id=\"term-{}\"><dt><dfn>{}</dfn></dt><dd>{}</dd></div>",
            anchor(word),
            escape(word),
            escape(definition)
        );
    }
    out.push_str("</dl>\n</section>\n");
}
