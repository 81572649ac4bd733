//! One program's section of the page, in the order a marketer asks: who
//! got in, what happened to those who started, step by step, the messages
//! they got, what was held back, and whether it worked.

use super::super::simulation::{
    across, median_range, minutes_text, percent, points, spread_value, thousands,
};
use super::glossary::term;
use super::{Picture, bars, charts, escape, minus};
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
        "<p class=\"quiet small\">from <code>{}</code>, plan digest <code>{}</code></p>",
        escape(&p.file),
        escape(&p.digest)
    );
    let began = p.entered.treated + p.entered.holdout;
    let _ = writeln!(
        out,
        "<p class=\"lead\">Of the {} {}, {} began the program: {} got its messages (the {} group) and {} were left alone as the {}, to compare with.</p>",
        thousands(p.customers),
        term("customer", "customers"),
        thousands(p.entry.entered),
        thousands(p.entered.treated),
        term("treated", "treated"),
        thousands(p.entered.holdout),
        term("holdout", "holdout"),
    );
    if began != p.entry.entered {
        let _ = writeln!(
            out,
            "<p class=\"quiet\">Some entered more than once: {} {} in all.</p>",
            thousands(began),
            term("journey", "journeys")
        );
    }
    tiles(out, p);
    who_got_in(out, p);
    if p.capped_customers > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} more than the 10,000 things the simulator follows for one customer; their simulation stopped there. Is a background rate in the behaviour model too high?</p>",
            super::super::simulation::counted(p.capped_customers, "customer did", "customers did")
        );
    }
    let _ = writeln!(
        out,
        "<h3>What happened to the {} who started</h3>",
        super::super::simulation::counted(p.entered.treated, "customer", "customers")
    );
    if let Some(picture) = picture {
        out.push_str("<p class=\"quiet\">Each arrow is a way from one place to the next, with how many journeys took it (busier arrows are thicker). Every step that waits has an arrow to the goal: a customer waiting there who does the goal event reaches it. The table below the chart lists every arrow.</p>\n");
        let _ = write!(out, "<div class=\"chart\">\n{}</div>\n", picture.svg);
        ways(out, picture);
    }
    outcomes(out, p);
    steps(out, p);
    messages(out, p);
    held_back(out, p);
    match &p.goal {
        Some(goal) => self::goal(out, p, goal),
        None => out.push_str(
            "<h3>Did it work?</h3>\n<p>The program has no <code>goal</code>, so there is no rate to compare with the holdout.</p>\n",
        ),
    }
    runs(out, p);
    out.push_str("</section>\n");
}

/// The headline counts, large.
fn tiles(out: &mut String, p: &ProgramReport) {
    out.push_str("<div class=\"tiles\">\n");
    // With `--runs`, a tile is the median across the runs, with its range
    // (the first run alone can be at the edge of it).
    let mut tile = |value: String, label: String, figure: &str| {
        let (value, range) = match across(p, figure) {
            Some(spread) => (
                spread_value(figure, spread.median),
                format!(
                    "<small>median of {} runs, 90% range {} to {}</small>",
                    p.runs.as_ref().map_or(0, |r| r.count),
                    spread_value(figure, spread.low),
                    spread_value(figure, spread.high)
                ),
            ),
            None => (value, String::new()),
        };
        let _ = writeln!(
            out,
            "<div class=\"tile\"><b>{value}</b><span>{label}</span>{range}</div>"
        );
    };
    tile(thousands(p.customers), term("customer", "customers"), "");
    tile(
        thousands(p.entry.entered),
        "began".to_string(),
        "customers entered",
    );
    tile(
        thousands(p.entered.treated),
        term("treated", "treated"),
        "journeys treated",
    );
    tile(
        thousands(p.entered.holdout),
        term("holdout", "in the holdout"),
        "journeys in the holdout",
    );
    tile(
        thousands(p.messages.total),
        "messages sent".to_string(),
        "messages sent",
    );
    if let Some(goal) = &p.goal {
        tile(
            percent(goal.treated.rate),
            format!("{}, treated", term("goal rate", "goal rate")),
            "goal rate, treated",
        );
    }
    out.push_str("</div>\n");
}

fn row(out: &mut String, label: &str, count: u64, widest: u64, class: &str) {
    let _ = writeln!(
        out,
        "<tr{class}><th scope=\"row\">{label}</th><td>{}</td><td class=\"bar-cell\">{}</td></tr>",
        thousands(count),
        bars::bar(count, widest, "entered")
    );
}

/// The entry funnel: read → matched a trigger → in the audience → with
/// consent at entry → treated and holdout.
fn who_got_in(out: &mut String, p: &ProgramReport) {
    let e = &p.entry;
    out.push_str("<h3>Who got in</h3>\n<p class=\"quiet\">Each line counts customers who got this far at least once in the simulated period.</p>\n<table class=\"numbers funnel\">\n<thead><tr><th scope=\"col\">gate</th><th scope=\"col\">customers</th><th scope=\"col\" class=\"bar-cell\">share of those read</th></tr></thead>\n<tbody>\n");
    let widest = e.customers_read;
    row(out, "in the customers file", e.customers_read, widest, "");
    row(
        out,
        &format!("a {} matched", term("trigger", "trigger")),
        e.matched_a_trigger,
        widest,
        "",
    );
    for trigger in &e.triggers {
        let mut label = format!(
            "<span class=\"indent\">by <code>{}</code></span>",
            escape(&trigger.trigger)
        );
        if let Some(note) = &trigger.note {
            let _ = write!(
                label,
                "<br><span class=\"small quiet\">{}</span>",
                escape(note)
            );
        }
        row(out, &label, trigger.customers, widest, " class=\"sub\"");
    }
    if let Some(held) = &e.held_by_group {
        row(
            out,
            "held out by the <code>group</code> (in another program of it)",
            held.customers,
            widest,
            "",
        );
        for by in &held.by {
            let label = format!(
                "<span class=\"indent\">in <code>{}</code></span>",
                escape(&by.program)
            );
            row(out, &label, by.customers, widest, " class=\"sub\"");
        }
    }
    let audience = match &e.audience {
        Some(text) => format!(
            "in the {} (<code>{}</code>)",
            term("audience", "audience"),
            escape(text)
        ),
        None => format!(
            "in the {} (everyone: the program has none)",
            term("audience", "audience")
        ),
    };
    row(out, &audience, e.in_audience, widest, "");
    let consent = if e.consent.is_empty() {
        "entered (no consent is asked at entry)".to_string()
    } else {
        format!(
            "with {} to {} at entry, so entered",
            term("consent", "consent"),
            e.consent
                .iter()
                .map(|c| format!("<code>{}</code>", escape(c)))
                .collect::<Vec<_>>()
                .join(" and ")
        )
    };
    row(out, &consent, e.entered, widest, "");
    row(
        out,
        &format!(
            "<span class=\"indent\">{} (journeys)</span>",
            term("treated", "treated")
        ),
        p.entered.treated,
        widest,
        " class=\"sub\"",
    );
    row(
        out,
        &format!(
            "<span class=\"indent\">in the {} (journeys)</span>",
            term("holdout", "holdout")
        ),
        p.entered.holdout,
        widest,
        " class=\"sub\"",
    );
    out.push_str("</tbody>\n</table>\n");
    if let Some(why) = super::super::simulation::stopped(p) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&why));
    }
}

/// Every arrow of the chart with its count, for readers who cannot tell
/// which label goes with which arrow, or cannot see the picture.
fn ways(out: &mut String, picture: &Picture) {
    if picture.ways.is_empty() {
        return;
    }
    out.push_str("<details class=\"ways\"><summary>Every arrow of the chart, with its count</summary>\n<table class=\"numbers\">\n<thead><tr><th scope=\"col\">from</th><th scope=\"col\">to</th><th scope=\"col\">on</th><th scope=\"col\">journeys</th></tr></thead>\n<tbody>\n");
    for way in &picture.ways {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td></tr>",
            escape(&way.from),
            escape(&way.to),
            if way.on.is_empty() {
                "always".to_string()
            } else {
                escape(&way.on)
            },
            thousands(way.count)
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n");
}

fn outcome_words(outcome: &str) -> String {
    match outcome {
        "converted" => format!(
            "<code>converted</code>: reached the goal while still in the program (see “{}” below for everyone who did)",
            "Did it work?"
        ),
        "still in" => format!(
            "{}: the journey had not ended on the last day",
            term("still in", "still in")
        ),
        "stuck" => "<code>stuck</code>: the program had nowhere to go (a fault in it)".to_string(),
        other => format!(
            "<code>{}</code>: left by <code>exit {}</code>",
            escape(other),
            escape(other)
        ),
    }
}

fn outcomes(out: &mut String, p: &ProgramReport) {
    let _ = writeln!(
        out,
        "<h4>How the journeys ended ({})</h4>",
        term("outcome", "outcomes")
    );
    if p.outcomes.is_empty() {
        out.push_str("<p>No treated journey ended.</p>\n");
        return;
    }
    out.push_str("<table class=\"numbers\">\n<thead><tr><th scope=\"col\">outcome</th><th scope=\"col\">journeys</th><th scope=\"col\">share</th><th scope=\"col\" class=\"bar-cell\">share, as a bar</th></tr></thead>\n<tbody>\n");
    for outcome in &p.outcomes {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td class=\"bar-cell\">{}</td></tr>",
            outcome_words(&outcome.outcome),
            thousands(outcome.journeys),
            percent(outcome.share),
            bars::share_bar(outcome.share, "outcome")
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn steps(out: &mut String, p: &ProgramReport) {
    let _ = writeln!(
        out,
        "<h3>Step by step</h3>\n<p class=\"quiet\">For each {}: the journeys that entered it, the messages it sent on each channel, the journeys that {} (moved on because the customer did what the step waited for) and that {}.</p>",
        term("step", "step"),
        term("answered", "answered"),
        term("moved on", "moved on")
    );
    let channels: Vec<&String> = p.messages.per_channel.keys().collect();
    let widest = p.steps.iter().map(|s| s.entered).max().unwrap_or(0);
    out.push_str("<div class=\"wide\"><table class=\"numbers funnel\">\n<thead><tr><th scope=\"col\">step</th><th scope=\"col\">entered</th><th scope=\"col\" class=\"bar-cell\">entered, as a bar</th>");
    for channel in &channels {
        let _ = write!(out, "<th scope=\"col\">sent by {}</th>", escape(channel));
    }
    out.push_str(
        "<th scope=\"col\">answered</th><th scope=\"col\">moved on</th></tr></thead>\n<tbody>\n",
    );
    for step in &p.steps {
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td class=\"bar-cell\">{}</td>",
            escape(&step.step),
            thousands(step.entered),
            bars::bar(step.entered, widest, "entered")
        );
        for channel in &channels {
            let sent = step.sent.get(*channel).copied().unwrap_or(0);
            let _ = write!(out, "<td>{}</td>", thousands(sent));
        }
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            thousands(step.answered),
            thousands(step.moved_on)
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
}

fn messages(out: &mut String, p: &ProgramReport) {
    let m = &p.messages;
    out.push_str("<h3>The messages they got</h3>\n<dl class=\"facts\">\n");
    let mut fact = |term_html: String, html: String| {
        let _ = writeln!(out, "<div><dt>{term_html}</dt><dd>{html}</dd></div>");
    };
    fact("sent in all".to_string(), thousands(m.total));
    for (channel, count) in &m.per_channel {
        fact(
            format!("by <code>{}</code>", escape(channel)),
            thousands(*count),
        );
    }
    fact(
        format!("per {}, on average", term("journey", "journey")),
        format!("{:.2}", m.mean),
    );
    fact(term("p95", "p95"), m.p95.to_string());
    fact("the most one journey got".to_string(), m.max.to_string());
    fact(
        term("checker's bound", "the checker's bound"),
        match m.bound {
            Some(bound) if m.max <= bound => {
                format!("at most {bound} <span class=\"good\">(kept)</span>")
            }
            Some(bound) => format!("at most {bound} <span class=\"bad\">(broken)</span>"),
            None => "none proved (the program can loop)".to_string(),
        },
    );
    out.push_str("</dl>\n<h4>Messages per day, as the sending system will see them</h4>\n");
    out.push_str(&charts::messages_per_day(&m.per_day));
}

fn held_back(out: &mut String, p: &ProgramReport) {
    let h = &p.held_back;
    out.push_str("<h3>Messages held back</h3>\n<table class=\"numbers\">\n<thead><tr><th scope=\"col\">why</th><th scope=\"col\">messages</th></tr></thead>\n<tbody>\n");
    for (label, count) in [
        (
            format!(
                "sent later, after {} or a send window",
                term("quiet hours", "quiet hours")
            ),
            h.deferred_for_quiet_hours,
        ),
        (
            format!("not sent: over a {}", term("cap", "cap")),
            h.skipped_for_cap,
        ),
        (
            format!("not sent: no {}", term("consent", "consent")),
            h.skipped_without_consent,
        ),
        (
            "not sent: the send's own condition (<code>if …</code>) did not hold".to_string(),
            h.skipped_by_guard,
        ),
    ] {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{label}</th><td>{}</td></tr>",
            thousands(count)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn goal(out: &mut String, p: &ProgramReport, goal: &GoalReport) {
    let _ = writeln!(
        out,
        "<h3>Did it work?</h3>\n<p class=\"definition\"><b>{}</b> here means: did <code>{}</code> within {} of entering, whether or not still in the program then. The {} is counted the same way, so the two {}s can be compared.</p>",
        term("converted", "Converted"),
        escape(&goal.event),
        minutes_text(goal.within_minutes),
        term("holdout", "holdout"),
        term("goal rate", "goal rate"),
    );
    let highest = goal.treated.rate.max(goal.holdout.rate);
    out.push_str("<table class=\"numbers goal\">\n<thead><tr><th scope=\"col\">group</th><th scope=\"col\">journeys</th><th scope=\"col\">converted</th><th scope=\"col\">goal rate</th><th scope=\"col\" class=\"bar-cell\">goal rate, as a bar</th></tr></thead>\n<tbody>\n");
    for (word, label, rate) in [
        ("treated", "treated (got the messages)", &goal.treated),
        ("holdout", "holdout (left alone)", &goal.holdout),
    ] {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td class=\"bar-cell\">{}</td></tr>",
            term(word, label),
            thousands(rate.journeys),
            thousands(rate.converted),
            percent(rate.rate),
            bars::rate_bar(rate.rate, highest, word)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(runs) = &p.runs {
        let rates = match (
            across(p, "goal rate, treated"),
            across(p, "goal rate, holdout"),
        ) {
            (Some(treated), Some(holdout)) => format!(
                " the goal rate is {} for the treated and {} for the holdout (median [90% range])",
                median_range(treated),
                median_range(holdout)
            ),
            _ => String::new(),
        };
        let lift = match &runs.lift {
            Some(lift) => format!(
                ", and the lift {} points (95% interval with the spread between runs: {} to {})",
                minus(&points(lift.difference)),
                minus(&points(lift.low)),
                minus(&points(lift.high))
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<p class=\"note\">The table and the lift in this part are the first run's (seed {}). Across all {} runs{rates}{lift}.</p>",
            runs.first_seed, runs.count
        );
    }
    let in_program = p
        .outcomes
        .iter()
        .find(|o| o.outcome == "converted")
        .map_or(0, |o| o.journeys);
    if goal.treated.converted > 0 {
        let _ = writeln!(
            out,
            "<p>Of the {} treated journeys that converted, {} were still in the program and ended there at the goal (the outcome <code>converted</code> above); the other {} had already left it by another exit.</p>",
            thousands(goal.treated.converted),
            thousands(in_program.min(goal.treated.converted)),
            thousands(goal.treated.converted.saturating_sub(in_program))
        );
    }
    match &goal.lift {
        Some(lift) => {
            let verdict = if lift.low > 0.0 {
                "<span class=\"good\">The whole interval is above 0: the program raises the goal rate.</span>"
            } else if lift.high < 0.0 {
                "<span class=\"bad\">The whole interval is below 0: the program lowers the goal rate.</span>"
            } else {
                "The interval includes 0: with this many customers the simulation cannot tell the program from doing nothing."
            };
            let _ = writeln!(
                out,
                "<p class=\"lift\"><b>{} {} points</b> ({} {} to {}). {verdict}</p>",
                term("lift", "Lift"),
                minus(&points(lift.difference)),
                term("95% interval", "95% interval"),
                minus(&points(lift.low)),
                minus(&points(lift.high))
            );
            out.push_str(&bars::interval(lift));
        }
        None => out.push_str("<p class=\"lift\">Lift: no holdout journeys to compare with.</p>\n"),
    }
    out.push_str("<h4>How long it took to reach the goal</h4>\n");
    if let (Some(median), Some(p90)) = (goal.median_minutes_to_goal, goal.p90_minutes_to_goal) {
        let _ = writeln!(
            out,
            "<p>Treated journeys that converted took {} ({}) and at most {} for nine in ten ({}).</p>",
            minutes_text(median),
            term("median", "median"),
            minutes_text(p90),
            term("p90", "p90")
        );
    }
    out.push_str(&charts::days_to_goal(&goal.converted_per_day));
}

/// `--runs`: each figure across the runs.
fn runs(out: &mut String, p: &ProgramReport) {
    let Some(runs) = &p.runs else { return };
    let _ = writeln!(
        out,
        "<h3>Across {} {}s</h3>\n<p class=\"quiet\">The same simulation with the seeds {} to {}: each figure's {} and the range 90% of runs fall in. The tiles above are the medians; the tables above are the first run's.</p>",
        runs.count,
        term("run", "run"),
        runs.first_seed,
        runs.last_seed,
        term("median", "median")
    );
    out.push_str("<div class=\"wide\"><table class=\"numbers\">\n<thead><tr><th scope=\"col\">figure</th><th scope=\"col\">median</th><th scope=\"col\">lowest of the 90%</th><th scope=\"col\">highest of the 90%</th></tr></thead>\n<tbody>\n");
    for figure in &runs.figures {
        let show = |x: f64| spread_value(&figure.figure, x);
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&figure.figure),
            show(figure.median),
            show(figure.low),
            show(figure.high)
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    if let Some(lift) = &runs.lift {
        let _ = writeln!(
            out,
            "<p class=\"lift\">{} across the runs: <b>{} points</b> (95% interval with the spread between runs: {} to {}). The whole interval is above 0 in {} of {} runs, below 0 in {}.</p>",
            term("lift", "Lift"),
            minus(&points(lift.difference)),
            minus(&points(lift.low)),
            minus(&points(lift.high)),
            lift.runs_above_zero,
            runs.count,
            lift.runs_below_zero
        );
    }
}
