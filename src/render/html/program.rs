//! One program's section of the page: who entered, the flow chart, the
//! funnel, outcomes, messages, what was held back and the goal.

use super::super::simulation::{blank_zero, minutes_text, percent, points, thousands};
use super::{Picture, bars, escape, minus};
use crate::sim::report::{GoalReport, ProgramReport};
use std::fmt::Write;

pub(super) fn section(
    out: &mut String,
    index: usize,
    p: &ProgramReport,
    picture: Option<&Picture>,
) {
    let _ = writeln!(out, "<section class=\"program\" id=\"program-{index}\">");
    let _ = writeln!(out, "<h2><code>{}</code></h2>", escape(&p.program));
    if let Some(title) = picture.and_then(|p| p.title.as_deref()) {
        let _ = writeln!(out, "<p class=\"title\">{}</p>", escape(title));
    }
    let _ = writeln!(
        out,
        "<p class=\"quiet\">from <code>{}</code>, plan digest <code>{}</code></p>",
        escape(&p.file),
        escape(&p.digest)
    );
    tiles(out, p);
    if p.entered.treated + p.entered.holdout == 0 {
        out.push_str("<p class=\"note\">No customer entered this program in the simulated period: compare its triggers and audience with the customers and the behaviour model.</p>\n");
    }

    if let Some(picture) = picture {
        out.push_str("<h3>Flow</h3>\n<p class=\"quiet\">How many journeys took each way; busier arrows are thicker.</p>\n");
        let _ = write!(out, "<div class=\"chart\">\n{}</div>\n", picture.svg);
    }
    funnel(out, p);
    outcomes(out, p);
    messages(out, p);
    held_back(out, p);
    match &p.goal {
        Some(goal) => self::goal(out, goal),
        None => out.push_str(
            "<h3>Goal</h3>\n<p>None: the program has no <code>goal</code>, so there is no rate to compare with the holdout.</p>\n",
        ),
    }
    out.push_str("</section>\n");
}

/// The headline counts, large.
fn tiles(out: &mut String, p: &ProgramReport) {
    out.push_str("<div class=\"tiles\">\n");
    let mut tile = |value: String, label: &str| {
        let _ = writeln!(
            out,
            "<div class=\"tile\"><b>{value}</b><span>{label}</span></div>"
        );
    };
    tile(thousands(p.customers), "customers");
    tile(
        thousands(p.entered.treated + p.entered.holdout),
        "journeys began",
    );
    tile(thousands(p.entered.treated), "treated");
    tile(thousands(p.entered.holdout), "in the holdout");
    tile(thousands(p.messages.total), "messages sent");
    if let Some(goal) = &p.goal {
        tile(percent(goal.treated.rate), "goal rate, treated");
    }
    out.push_str("</div>\n");
}

fn funnel(out: &mut String, p: &ProgramReport) {
    out.push_str("<h3>Funnel</h3>\n<p class=\"quiet\">Journeys that entered each step, the messages sent from it, journeys that answered (moved on by an event the step waited for) and that moved on.</p>\n");
    let channels: Vec<&String> = p.messages.per_channel.keys().collect();
    let widest = p.steps.iter().map(|s| s.entered).max().unwrap_or(0);
    out.push_str("<table class=\"numbers funnel\">\n<thead><tr><th>step</th><th>entered</th><th class=\"bar-cell\"></th>");
    for channel in &channels {
        let _ = write!(out, "<th>{}</th>", escape(channel));
    }
    out.push_str("<th>answered</th><th>moved on</th></tr></thead>\n<tbody>\n");
    for step in &p.steps {
        let _ = write!(
            out,
            "<tr><th><code>{}</code></th><td>{}</td><td class=\"bar-cell\">{}</td>",
            escape(&step.step),
            thousands(step.entered),
            bars::bar(step.entered, widest, "entered")
        );
        for channel in &channels {
            let sent = step.sent.get(*channel).copied().unwrap_or(0);
            let _ = write!(out, "<td>{}</td>", blank_zero(sent));
        }
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            blank_zero(step.answered),
            thousands(step.moved_on)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn outcomes(out: &mut String, p: &ProgramReport) {
    out.push_str("<h3>Outcomes</h3>\n");
    if p.outcomes.is_empty() {
        out.push_str("<p>No treated journey ended.</p>\n");
        return;
    }
    out.push_str("<table class=\"numbers\">\n<thead><tr><th>outcome (treated)</th><th>journeys</th><th>share</th><th class=\"bar-cell\"></th></tr></thead>\n<tbody>\n");
    for outcome in &p.outcomes {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td><td>{}</td><td class=\"bar-cell\">{}</td></tr>",
            escape(&outcome.outcome),
            thousands(outcome.journeys),
            percent(outcome.share),
            bars::share_bar(outcome.share, "outcome")
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn messages(out: &mut String, p: &ProgramReport) {
    let m = &p.messages;
    out.push_str("<h3>Messages per journey</h3>\n<dl class=\"facts\">\n");
    let mut fact = |term: &str, html: String| {
        let _ = writeln!(out, "<div><dt>{term}</dt><dd>{html}</dd></div>");
    };
    fact("mean", format!("{:.2}", m.mean));
    fact("p95", m.p95.to_string());
    fact("max", m.max.to_string());
    fact(
        "checker's bound",
        match m.bound {
            Some(bound) if m.max <= bound => {
                format!("at most {bound} <span class=\"good\">(kept)</span>")
            }
            Some(bound) => format!("at most {bound} <span class=\"bad\">(broken)</span>"),
            None => "none proved".to_string(),
        },
    );
    let per_channel: Vec<String> = m
        .per_channel
        .iter()
        .map(|(c, n)| format!("{} {}", thousands(*n), escape(c)))
        .collect();
    fact(
        "sent",
        format!(
            "{} ({})",
            thousands(m.total),
            if per_channel.is_empty() {
                "none".to_string()
            } else {
                per_channel.join(", ")
            }
        ),
    );
    out.push_str("</dl>\n");
}

fn held_back(out: &mut String, p: &ProgramReport) {
    let h = &p.held_back;
    out.push_str("<h3>Held back</h3>\n<table class=\"numbers\">\n<tbody>\n");
    for (label, count) in [
        ("deferred for quiet hours", h.deferred_for_quiet_hours),
        ("skipped for a cap", h.skipped_for_cap),
        ("skipped without consent", h.skipped_without_consent),
        ("skipped by a condition", h.skipped_by_guard),
    ] {
        let _ = writeln!(
            out,
            "<tr><th>{label}</th><td>{}</td></tr>",
            thousands(count)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn goal(out: &mut String, goal: &GoalReport) {
    let _ = writeln!(
        out,
        "<h3>Goal: <code>{}</code> within {}</h3>",
        escape(&goal.event),
        minutes_text(goal.within_minutes)
    );
    let highest = goal.treated.rate.max(goal.holdout.rate);
    out.push_str("<table class=\"numbers goal\">\n<thead><tr><th></th><th>journeys</th><th>converted</th><th>rate</th><th class=\"bar-cell\"></th></tr></thead>\n<tbody>\n");
    for (label, rate) in [("treated", &goal.treated), ("holdout", &goal.holdout)] {
        let _ = writeln!(
            out,
            "<tr><th>{label}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"bar-cell\">{}</td></tr>",
            thousands(rate.journeys),
            thousands(rate.converted),
            percent(rate.rate),
            bars::rate_bar(rate.rate, highest, label)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    match &goal.lift {
        Some(lift) => {
            let verdict = if lift.low > 0.0 {
                "<span class=\"good\">The whole interval is above 0: the program raises the goal rate.</span>"
            } else if lift.high < 0.0 {
                "<span class=\"bad\">The whole interval is below 0: the program lowers the goal rate.</span>"
            } else {
                "The interval includes 0: the simulation cannot tell the program from doing nothing."
            };
            let _ = writeln!(
                out,
                "<p class=\"lift\"><b>Lift {} points</b> (95% interval {} to {}). {verdict}</p>",
                minus(&points(lift.difference)),
                minus(&points(lift.low)),
                minus(&points(lift.high))
            );
            out.push_str(&bars::interval(lift));
        }
        None => out.push_str("<p class=\"lift\">Lift: no holdout journeys to compare with.</p>\n"),
    }
    if let (Some(median), Some(p90)) = (goal.median_minutes_to_goal, goal.p90_minutes_to_goal) {
        let _ = writeln!(
            out,
            "<p>Time to the goal: median {}, p90 {}.</p>",
            minutes_text(median),
            minutes_text(p90)
        );
    }
}
