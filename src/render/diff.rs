//! Rendering `nurture diff`: a comparison of two versions for a person at a
//! terminal (`human`) and as a pull-request comment (`markdown`, kept under
//! GitHub's 65,536 characters). The JSON is the `diff::Diff` itself.

use crate::check::facts::Facts;
use crate::check::flow::show_minutes;
use crate::diff::Diff;
use crate::diff::changes::{Change, ChangeKind};
use crate::diff::layout::RestKind;
use crate::diff::report::{Delta, Destination, Moved, Place};

/// The most a Markdown comment holds: GitHub takes 65,536 characters, and
/// the rest is left for whatever a workflow adds around it.
pub const MARKDOWN_LIMIT: usize = 60_000;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "6 changes in meaning, 2 hazards", or "no change in meaning".
pub fn headline(diff: &Diff) -> String {
    if diff.same_meaning {
        return "no change in meaning".into();
    }
    let changes = plural(
        diff.changes.len(),
        "change in meaning",
        "changes in meaning",
    );
    match diff.hazards.len() {
        0 => format!("{changes}, no hazard for customers in flight"),
        n => format!("{changes}, {}", plural(n, "hazard", "hazards")),
    }
}

/// A place in a few words: "`wait 3d` in step `reminder` (statement 2,
/// line 40)".
fn place(place: &Place) -> String {
    let line = place.line.map_or(String::new(), |l| format!(", line {l}"));
    match (&place.step, place.statement, &place.text) {
        (Some(step), Some(at), Some(text)) => {
            format!("`{text}` in step `{step}` (statement {at}{line})")
        }
        (_, _, Some(text)) => format!("`{text}`"),
        _ => "the holdout".into(),
    }
}

fn held(place: &Place) -> bool {
    place.place == Some(RestKind::HeldSend)
}

/// Until when customers at a held send stay held: quiet hours, or outside
/// the send window, as the version's plan says.
fn held_until(place: &Place) -> &'static str {
    place
        .held_by
        .map_or("until it may go out", crate::diff::report::HeldBy::until)
}

fn destination(moved: &Moved) -> String {
    match &moved.to {
        None => "nowhere: they stay on the old version".into(),
        Some(Destination::Waits { place: p }) if held(p) => {
            format!("stay held at {} {}", place(p), held_until(p))
        }
        Some(Destination::Waits { place: p }) => format!("wait at {}", place(p)),
        Some(Destination::Holdout) => "stay in the holdout".into(),
        Some(Destination::GoesOn { place: p }) => format!("go on at once at {}", place(p)),
        Some(Destination::Leaves { outcome }) => format!("leave at once as `{outcome}`"),
    }
}

fn stay(facts: &Facts) -> String {
    match facts.longest_stay.minutes {
        Some(_) => facts.longest_stay.text.clone(),
        None => "unbounded".into(),
    }
}

fn messages(facts: &Facts) -> String {
    match facts.messages.total {
        None => "unbounded".into(),
        Some(total) => {
            let per: Vec<String> = facts
                .messages
                .per_channel
                .iter()
                .map(|(channel, n)| match n {
                    Some(n) => format!("{channel} {n}"),
                    None => format!("{channel} unbounded"),
                })
                .collect();
            if per.is_empty() {
                total.to_string()
            } else {
                format!("{total} ({})", per.join(", "))
            }
        }
    }
}

fn outcomes(facts: &Facts) -> String {
    if facts.outcomes.is_empty() {
        "none".into()
    } else {
        facts.outcomes.join(", ")
    }
}

/// "+1", "-4d", "" when unchanged or unbounded.
fn delta(delta: &Delta, minutes: bool) -> String {
    match delta.change {
        Some(0) | None => String::new(),
        Some(change) => {
            let sign = if change > 0 { "+" } else { "-" };
            let size = change.unsigned_abs();
            if minutes {
                format!("{sign}{}", show_minutes(size))
            } else {
                format!("{sign}{size}")
            }
        }
    }
}

fn outcome_changes(diff: &Diff) -> String {
    let facts = &diff.facts;
    let mut words: Vec<String> = facts
        .outcomes_added
        .iter()
        .map(|o| format!("+{o}"))
        .collect();
    words.extend(facts.outcomes_removed.iter().map(|o| format!("-{o}")));
    words.join(" ")
}

fn scope(change: &Change) -> String {
    match &change.step {
        None => "header".into(),
        Some(step) => format!("step `{step}`"),
    }
}

// -- human ------------------------------------------------------------------------

/// The comparison for a terminal: the changes by header and step, the facts
/// before and after, every place of the old version and where its
/// customers go, then the hazards with what to do.
pub fn human(diff: &Diff) -> String {
    let mut out = format!(
        "`{}`: {} → {}: {}\n",
        diff.new.program,
        diff.old.path,
        diff.new.path,
        headline(diff)
    );
    if diff.same_meaning {
        return out;
    }
    out.push_str("\nChanges\n");
    let mut current: Option<String> = None;
    for change in &diff.changes {
        let here = scope(change);
        if current.as_deref() != Some(here.as_str()) {
            out.push_str(&format!("  {here}\n"));
            current = Some(here);
        }
        let line = match (&change.before, &change.after) {
            (_, Some(after)) => format!(" (line {})", after.line),
            (Some(before), None) => format!(" (old line {})", before.line),
            _ => String::new(),
        };
        out.push_str(&format!(
            "    {} {}{line}\n",
            change.change.sign(),
            change.what
        ));
        match (&change.before, &change.after) {
            (Some(before), Some(after)) => {
                out.push_str(&format!(
                    "        {}\n      → {}\n",
                    before.text, after.text
                ));
            }
            (Some(only), None) | (None, Some(only)) => {
                out.push_str(&format!("        {}\n", only.text));
            }
            (None, None) => {}
        }
        if let Some(detail) = &change.detail {
            out.push_str(&format!("        {detail}\n"));
        }
    }

    let facts = &diff.facts;
    let rows = [
        (
            "messages",
            messages(&facts.before),
            messages(&facts.after),
            delta(&facts.messages, false),
        ),
        (
            "longest stay",
            stay(&facts.before),
            stay(&facts.after),
            delta(&facts.longest_stay, true),
        ),
        (
            "outcomes",
            outcomes(&facts.before),
            outcomes(&facts.after),
            outcome_changes(diff),
        ),
    ];
    out.push_str("\nFacts (at most, for one customer)\n");
    for (name, before, after, change) in rows {
        let change = if change.is_empty() {
            String::new()
        } else {
            format!(" ({change})")
        };
        if before == after {
            out.push_str(&format!("  {name:<13} {after}, unchanged\n"));
        } else {
            out.push_str(&format!("  {name:<13} {before} → {after}{change}\n"));
        }
    }

    out.push_str(&format!(
        "\nCustomers in flight: {} a journey can wait at in {}\n",
        plural(diff.migration.len(), "place", "places"),
        diff.old.path
    ));
    if diff.migration.is_empty() {
        out.push_str("  none: every customer leaves in the same moment they enter\n");
    }
    for moved in &diff.migration {
        out.push_str(&format!("  {}\n", place(&moved.from)));
        let flags = if moved.hazards.is_empty() {
            String::new()
        } else {
            format!(" [{}]", moved.hazards.join(", "))
        };
        out.push_str(&format!("    → {}{flags}\n", destination(moved)));
        if let Some(note) = &moved.note {
            out.push_str(&format!("      {note}\n"));
        }
    }

    if !diff.hazards.is_empty() {
        out.push_str(&format!(
            "\nHazards for customers in flight ({})\n",
            diff.hazards.len()
        ));
        for hazard in &diff.hazards {
            out.push_str(&format!(
                "  {} ({}): {}\n    help: {}\n",
                hazard.code, hazard.name, hazard.message, hazard.help
            ));
        }
        out.push_str(
            "  (`nurture explain CODE` says more; without `--migrate`, `nurture serve` lets every running journey finish on the old version)\n",
        );
    }
    out
}

// -- markdown ---------------------------------------------------------------------

/// Text for a table cell: pipes and line breaks would end the cell, and
/// `<` or `&` would be read as HTML.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Text in a code span of a table cell, whatever backticks it holds.
fn code(text: &str) -> String {
    let ticks = text.matches('`').count();
    let text = text.replace('|', "\\|").replace(['\n', '\r'], " ");
    if ticks == 0 {
        format!("`{text}`")
    } else {
        format!("`` {text} ``")
    }
}

fn md_place(place: &Place) -> String {
    match (&place.step, place.statement, &place.text) {
        (Some(step), Some(at), Some(text)) => format!("{} in `{}` ({at})", code(text), cell(step)),
        (_, _, Some(text)) => code(text),
        _ => "the holdout".into(),
    }
}

fn md_destination(moved: &Moved) -> String {
    match &moved.to {
        None => "**nowhere**: stays on the old version".into(),
        Some(Destination::Waits { place }) if held(place) => {
            format!("stays held at {} {}", md_place(place), held_until(place))
        }
        Some(Destination::Waits { place }) => format!("waits at {}", md_place(place)),
        Some(Destination::Holdout) => "stays in the holdout".into(),
        Some(Destination::GoesOn { place }) => format!("goes on at once at {}", md_place(place)),
        Some(Destination::Leaves { outcome }) => format!("leaves at once as `{}`", cell(outcome)),
    }
}

/// Rows added while they fit in `budget` characters; the rest are counted
/// in a last line.
fn rows_within(rows: &[String], budget: &mut usize, out: &mut String, columns: usize) {
    for (i, row) in rows.iter().enumerate() {
        if row.len() + 1 > *budget {
            let left = rows.len() - i;
            let mut last = format!(
                "| … {} more (`nurture diff --output-format json` lists all) |",
                plural(left, "row", "rows")
            );
            last.push_str(&" |".repeat(columns.saturating_sub(1)));
            out.push_str(&last);
            out.push('\n');
            *budget = budget.saturating_sub(last.len() + 1);
            return;
        }
        out.push_str(row);
        out.push('\n');
        *budget -= row.len() + 1;
    }
}

/// The comparison as a pull-request comment: the headline, the hazards
/// first (what a reviewer must act on), the changes, the facts, and the
/// places of customers in flight folded away. Never longer than
/// [`MARKDOWN_LIMIT`]: long tables end in a line saying how many rows were
/// left out.
pub fn markdown(diff: &Diff) -> String {
    let mut out = format!(
        "### `{}`: {}\n\n`{}` → `{}`\n\n",
        cell(&diff.new.program),
        headline(diff),
        cell(&diff.old.path),
        cell(&diff.new.path)
    );
    if diff.same_meaning {
        out.push_str(
            "Only layout, comments or `(was …)` differ: the plan's digest is the same, and customers see no difference.\n",
        );
        return out;
    }
    let mut budget = MARKDOWN_LIMIT.saturating_sub(out.len() + 2_000);
    if !diff.hazards.is_empty() {
        out.push_str(&format!(
            "> [!WARNING]\n> **{}** for customers already in the program under `nurture serve --migrate`:\n",
            plural(diff.hazards.len(), "hazard", "hazards")
        ));
        let mut lines = Vec::new();
        for hazard in &diff.hazards {
            lines.push(format!(
                "> - **{}** `{}`: {} *Fix:* {}",
                hazard.code,
                hazard.name,
                cell(&hazard.message),
                cell(&hazard.help)
            ));
        }
        for line in lines {
            if line.len() + 1 > budget / 3 {
                out.push_str("> - … (`nurture diff --output-format json` lists all)\n");
                break;
            }
            budget -= line.len() + 1;
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }

    out.push_str("#### Changes in meaning\n\n|  | where | before | after | what it means |\n|---|---|---|---|---|\n");
    let rows: Vec<String> = diff
        .changes
        .iter()
        .map(|change| {
            let shown = |s: &Option<crate::diff::changes::Shown>| match s {
                Some(s) => format!("{} (line {})", code(&s.text), s.line),
                None => String::new(),
            };
            let sign = match change.change {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                ChangeKind::Changed => "changed",
                ChangeKind::Renamed => "renamed",
                ChangeKind::Reordered => "reordered",
                ChangeKind::Moved => "moved",
            };
            format!(
                "| {sign} | {}: {} | {} | {} | {} |",
                cell(&scope(change)),
                cell(&change.what),
                shown(&change.before),
                shown(&change.after),
                cell(change.detail.as_deref().unwrap_or(""))
            )
        })
        .collect();
    let mut changes_budget = budget / 2;
    let before = changes_budget;
    rows_within(&rows, &mut changes_budget, &mut out, 5);
    budget -= before - changes_budget;

    let facts = &diff.facts;
    out.push_str("\n#### Facts (at most, for one customer)\n\n|  | before | after | change |\n|---|---|---|---|\n");
    out.push_str(&format!(
        "| messages | {} | {} | {} |\n| longest stay | {} | {} | {} |\n| outcomes | {} | {} | {} |\n",
        cell(&messages(&facts.before)),
        cell(&messages(&facts.after)),
        delta(&facts.messages, false),
        stay(&facts.before),
        stay(&facts.after),
        delta(&facts.longest_stay, true),
        cell(&outcomes(&facts.before)),
        cell(&outcomes(&facts.after)),
        cell(&outcome_changes(diff)),
    ));

    out.push_str(&format!(
        "\n<details><summary>Customers in flight: {} a journey can wait at in the old version</summary>\n\n| customers waiting at | go to | |\n|---|---|---|\n",
        plural(diff.migration.len(), "place", "places")
    ));
    let rows: Vec<String> = diff
        .migration
        .iter()
        .map(|moved| {
            let mut note = moved.note.clone().map(|n| cell(&n)).unwrap_or_default();
            if !moved.hazards.is_empty() {
                let flags = format!("⚠️ {}", moved.hazards.join(", "));
                note = if note.is_empty() {
                    flags
                } else {
                    format!("{flags}; {note}")
                };
            }
            format!(
                "| {} | {} | {note} |",
                md_place(&moved.from),
                md_destination(moved)
            )
        })
        .collect();
    rows_within(&rows, &mut budget, &mut out, 3);
    out.push_str("\n</details>\n");
    out
}
