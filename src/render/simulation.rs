//! The simulation report for people: one block per program with its funnel,
//! outcomes, messages and goal, and with several programs a side-by-side
//! table first (for programs run together, after the portfolio's lines). Traces (`--trace`) are `trace.rs`'s.

use crate::sim::report::{GoalReport, Lift, PortfolioReport, ProgramReport, Rate, Report, Spread};
use std::fmt::Write;

pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Simulated {} from {} (seed {}): customers from {}, behaviour from {}",
        counted(report.days, "day", "days"),
        &report.start[..10.min(report.start.len())],
        report.seed,
        report.customers_file,
        report.behavior_file
    );
    if report.skipped_rows > 0 {
        let _ = writeln!(
            out,
            "{} skipped",
            counted(
                report.skipped_rows as u64,
                "bad customer row",
                "bad customer rows"
            )
        );
    }
    if report.runs > 1 {
        let _ = writeln!(
            out,
            "{} runs (seeds {} to {}): the headline figures are the median [90% range] across the runs; the tables are the first run's (seed {}), and each program ends with every figure across the runs",
            report.runs,
            report.seed,
            report.seed + report.runs - 1,
            report.seed
        );
    }
    if let Some(portfolio) = &report.portfolio {
        out.push('\n');
        out.push_str(&together(portfolio));
    }
    if report.programs.len() > 1 {
        out.push('\n');
        let title = if report.portfolio.is_some() {
            "per program"
        } else {
            "side by side"
        };
        out.push_str(&side_by_side(&report.programs, title));
    }
    for program in &report.programs {
        out.push('\n');
        out.push_str(&program_block(program));
    }
    wrapped(&out)
}

/// Every line longer than [`WIDTH`] wrapped at spaces, each part after the
/// first indented two more than the line, so the report reads in a
/// terminal of 100 columns (the tables are split to fit already).
fn wrapped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if body.chars().count() <= WIDTH {
            out.push_str(line);
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        let more = " ".repeat(lead + 2);
        let mut current = body[..lead].to_string();
        let mut count = lead;
        let mut first = true;
        for word in body[lead..].split(' ') {
            let n = word.chars().count();
            let start = if first { lead } else { lead + 2 };
            if count > start && count + 1 + n > WIDTH {
                out.push_str(current.trim_end());
                out.push('\n');
                current = more.clone();
                count = more.len();
                first = false;
            } else if count > start {
                current.push(' ');
                count += 1;
            }
            current.push_str(word);
            count += n;
        }
        out.push_str(current.trim_end());
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn program_block(p: &ProgramReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", p.program, p.file);
    match (
        across(p, "customers entered"),
        across(p, "journeys treated"),
        across(p, "journeys in the holdout"),
    ) {
        (Some(entered), Some(treated), Some(holdout)) => {
            let _ = writeln!(
                out,
                "  {}; across {} runs {} began, {} journeys treated, {} in the holdout",
                counted(p.customers, "customer", "customers"),
                p.runs.as_ref().map_or(0, |r| r.count),
                median_range(entered),
                median_range(treated),
                median_range(holdout)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  {}; {} began: {} treated, {} in the holdout",
                counted(p.customers, "customer", "customers"),
                counted(p.entered.treated + p.entered.holdout, "journey", "journeys"),
                thousands(p.entered.treated),
                thousands(p.entered.holdout)
            );
        }
    }
    out.push('\n');
    out.push_str(&table(&entry_rows(p), "  "));
    if let Some(why) = stopped(p) {
        let _ = writeln!(out, "  {why}");
    }

    // The funnel.
    let channels: Vec<&String> = p.messages.per_channel.keys().collect();
    let mut header = vec!["step".to_string(), "entered".to_string()];
    header.extend(channels.iter().map(|c| c.to_string()));
    header.extend(["answered".to_string(), "moved on".to_string()]);
    let mut rows = vec![header];
    for step in &p.steps {
        let mut row = vec![step.step.clone(), thousands(step.entered)];
        row.extend(
            channels
                .iter()
                .map(|c| step.sent.get(*c).map_or(String::new(), |n| blank_zero(*n))),
        );
        row.extend([blank_zero(step.answered), thousands(step.moved_on)]);
        rows.push(row);
    }
    out.push('\n');
    out.push_str(&table(&rows, "  "));

    // Outcomes.
    let mut rows = vec![vec![
        "outcome (treated)".to_string(),
        "journeys".to_string(),
        "share".to_string(),
    ]];
    for outcome in &p.outcomes {
        rows.push(vec![
            outcome.outcome.clone(),
            thousands(outcome.journeys),
            percent(outcome.share),
        ]);
    }
    out.push('\n');
    out.push_str(&table(&rows, "  "));

    let m = &p.messages;
    let bound = match m.bound {
        Some(bound) => format!("at most {bound} proved by the checker"),
        None => "no bound proved by the checker".to_string(),
    };
    let _ = writeln!(
        out,
        "\n  messages per journey: mean {:.2}, p95 {}, max {} ({bound})",
        m.mean, m.p95, m.max
    );
    let per_channel: Vec<String> = m
        .per_channel
        .iter()
        .map(|(c, n)| format!("{} {c}", thousands(*n)))
        .collect();
    let _ = writeln!(
        out,
        "  sent: {} ({})",
        thousands(m.total),
        if per_channel.is_empty() {
            "none".to_string()
        } else {
            per_channel.join(", ")
        }
    );
    let h = &p.held_back;
    let _ = writeln!(
        out,
        "  held back: {} deferred for quiet hours or a send window, {} skipped for a cap, {} skipped without consent, {} skipped by a condition",
        thousands(h.deferred_for_quiet_hours),
        thousands(h.skipped_for_cap),
        thousands(h.skipped_without_consent),
        thousands(h.skipped_by_guard)
    );

    match &p.goal {
        Some(goal) => {
            let _ = writeln!(
                out,
                "\n  goal: {} within {}",
                goal.event,
                minutes_text(goal.within_minutes)
            );
            out.push_str(&table(&goal_rows(p, goal), "  "));
            let across_runs = p
                .runs
                .as_ref()
                .and_then(|r| r.lift.as_ref().map(|l| (r, l)));
            match (&goal.lift, across_runs) {
                (Some(lift), Some((runs, all))) => {
                    let _ = writeln!(
                        out,
                        "  lift: {} points across {} runs (95% interval with the spread between runs {} to {}); the first run alone: {} ({} to {})",
                        points(all.difference),
                        runs.count,
                        points(all.low),
                        points(all.high),
                        points(lift.difference),
                        points(lift.low),
                        points(lift.high)
                    );
                }
                (Some(lift), None) => {
                    let _ = writeln!(
                        out,
                        "  lift: {} points (95% interval {} to {})",
                        points(lift.difference),
                        points(lift.low),
                        points(lift.high)
                    );
                }
                (None, _) => {
                    let _ = writeln!(out, "  lift: no holdout journeys to compare with");
                }
            }
            if let (Some(median), Some(p90)) =
                (goal.median_minutes_to_goal, goal.p90_minutes_to_goal)
            {
                let _ = writeln!(
                    out,
                    "  time to goal: median {}, p90 {}{}",
                    minutes_text(median),
                    minutes_text(p90),
                    if p.runs.is_some() {
                        " (the first run)"
                    } else {
                        ""
                    }
                );
            }
        }
        None => {
            let _ = writeln!(out, "\n  goal: none (the program has no `goal`)");
        }
    }
    out.push_str(&runs_block(p));
    out
}

/// The goal's table: journeys, converted and rate for the treated and the
/// holdout; with `--runs`, each the median [90% range] across the runs.
fn goal_rows(p: &ProgramReport, goal: &GoalReport) -> Vec<Vec<String>> {
    let header = vec![
        String::new(),
        "journeys".to_string(),
        "converted".to_string(),
        "rate".to_string(),
    ];
    let row = |group: &str, counts: &Rate| {
        let figures = [
            format!(
                "journeys {}",
                if group == "treated" {
                    "treated"
                } else {
                    "in the holdout"
                }
            ),
            format!("converted, {group}"),
            format!("goal rate, {group}"),
        ];
        match figures
            .iter()
            .map(|f| across(p, f).map(median_range))
            .collect::<Option<Vec<String>>>()
        {
            Some(cells) => std::iter::once(group.to_string()).chain(cells).collect(),
            None => vec![
                group.to_string(),
                thousands(counts.journeys),
                thousands(counts.converted),
                percent(counts.rate),
            ],
        }
    };
    vec![
        header,
        row("treated", &goal.treated),
        row("holdout", &goal.holdout),
    ]
}

/// A figure across `--runs`, when there were several.
pub(super) fn across<'p>(p: &'p ProgramReport, figure: &str) -> Option<&'p Spread> {
    p.runs.as_ref()?.figures.iter().find(|f| f.figure == figure)
}

/// `368 [357, 372]`.
pub(super) fn median_range(spread: &Spread) -> String {
    let show = |x: f64| spread_value(&spread.figure, x);
    format!(
        "{} [{}, {}]",
        show(spread.median),
        show(spread.low),
        show(spread.high)
    )
}

/// The entry funnel as rows: read, matched a trigger (and each), in the
/// audience, with consent.
pub(super) fn entry_rows(p: &ProgramReport) -> Vec<Vec<String>> {
    let e = &p.entry;
    let row = |label: String, customers: u64| vec![label, thousands(customers)];
    let mut rows = vec![
        vec!["who got in".to_string(), "customers".to_string()],
        row("read".to_string(), e.customers_read),
        row("matched a trigger".to_string(), e.matched_a_trigger),
    ];
    for trigger in &e.triggers {
        rows.push(row(format!("  {}", trigger.trigger), trigger.customers));
    }
    if let Some(held) = &e.held_by_group {
        rows.push(row(
            "held out by the group (in another program of it)".to_string(),
            held.customers,
        ));
        for by in &held.by {
            rows.push(row(format!("  in `{}`", by.program), by.customers));
        }
    }
    rows.push(row(
        match &e.audience {
            Some(_) => "in the audience".to_string(),
            None => "in the audience (everyone: no `audience`)".to_string(),
        },
        e.in_audience,
    ));
    rows.push(row(consent_label(p), e.entered));
    rows.push(row("  treated (journeys)".to_string(), p.entered.treated));
    rows.push(row(
        "  in the holdout (journeys)".to_string(),
        p.entered.holdout,
    ));
    rows
}

pub(super) fn consent_label(p: &ProgramReport) -> String {
    if p.entry.consent.is_empty() {
        "entered (no consent asked at entry)".to_string()
    } else {
        format!(
            "with consent to {} at entry: entered",
            p.entry.consent.join(" and ")
        )
    }
}

/// Which gate stopped everyone, and why when the simulator can tell.
pub(super) fn stopped(p: &ProgramReport) -> Option<String> {
    let e = &p.entry;
    let gate = e.stopped_at.as_deref()?;
    let mut why = match gate {
        "group" => format!(
            "No customer entered: the group held every customer a trigger waited for in another program of it ({})",
            held_words(e)
        ),
        "trigger" => "No customer matched a trigger".to_string(),
        "audience" => format!(
            "No customer a trigger matched was in the audience (`{}`)",
            e.audience.as_deref().unwrap_or("")
        ),
        _ => format!(
            "No customer in the audience had consent to {} when a trigger matched",
            e.consent.join(" and ")
        ),
    };
    let notes: Vec<String> = e
        .triggers
        .iter()
        .filter_map(|t| t.note.as_ref().map(|n| format!("`{}`: {n}", t.trigger)))
        .collect();
    if gate == "trigger" && !notes.is_empty() {
        why.push_str(": ");
        why.push_str(&notes.join("; "));
    }
    why.push('.');
    Some(why)
}

/// `1,204 customers in `welcome`, 3 in `nudge``: who held a program's
/// customers out, most first.
pub(super) fn held_words(e: &crate::sim::report::EntryReport) -> String {
    let Some(held) = &e.held_by_group else {
        return String::new();
    };
    held.by
        .iter()
        .enumerate()
        .map(|(i, by)| {
            let noun = if i > 0 {
                ""
            } else if by.customers == 1 {
                " customer"
            } else {
                " customers"
            };
            format!("{}{noun} in `{}`", thousands(by.customers), by.program)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--runs`: each figure's median and 90% range, and the lift with the
/// spread between runs.
fn runs_block(p: &ProgramReport) -> String {
    let Some(runs) = &p.runs else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n  across {} runs (seeds {} to {}): median [90% range]",
        runs.count, runs.first_seed, runs.last_seed
    );
    let mut rows = Vec::new();
    for figure in &runs.figures {
        let show = |x: f64| spread_value(&figure.figure, x);
        rows.push(vec![
            figure.figure.clone(),
            show(figure.median),
            format!("[{}, {}]", show(figure.low), show(figure.high)),
        ]);
    }
    out.push_str(&table(&rows, "  "));
    if let Some(lift) = &runs.lift {
        let _ = writeln!(
            out,
            "  lift across runs: {} points (95% interval with the spread between runs {} to {}); the whole interval is above 0 in {} of {} runs, below 0 in {}",
            points(lift.difference),
            points(lift.low),
            points(lift.high),
            lift.runs_above_zero,
            runs.count,
            lift.runs_below_zero
        );
    }
    out
}

/// A figure across runs as the single report writes it.
pub(super) fn spread_value(figure: &str, x: f64) -> String {
    if figure.starts_with("goal rate") {
        percent(x)
    } else if figure == "messages per journey" {
        format!("{x:.2}")
    } else if x.fract() == 0.0 && x >= 0.0 {
        thousands(x as u64)
    } else {
        format!("{x:.1}")
    }
}

/// The portfolio block: the programs run together, and messages per
/// customer per week across them all, next to the proved bound.
fn together(portfolio: &PortfolioReport) -> String {
    let mut out = String::new();
    for (label, value) in portfolio_lines(portfolio) {
        let _ = writeln!(out, "{label}: {value}");
    }
    out
}

/// The portfolio's lines, label and words, for the human and the HTML
/// report alike.
pub(super) fn portfolio_lines(portfolio: &PortfolioReport) -> Vec<(&'static str, String)> {
    let week = &portfolio.per_week;
    let bound = match week.bound {
        Some(bound) => format!("at most {bound}, as proved"),
        None => "no bound proved".to_string(),
    };
    vec![
        (
            "together",
            format!(
                "{} on one record per customer, taking each moment in this order: {}",
                counted(portfolio.lineup.len() as u64, "program", "programs"),
                portfolio.lineup.join(", ")
            ),
        ),
        (
            "schema caps",
            if portfolio.caps.is_empty() {
                "none".to_string()
            } else {
                portfolio.caps.join("; ")
            },
        ),
        (
            "messages per customer per week",
            format!(
                "mean {} over the run; busiest 7 days: mean {}, p95 {}, max {} ({bound})",
                week.mean, week.busiest_mean, week.p95, week.max
            ),
        ),
    ]
}

fn side_by_side(programs: &[ProgramReport], title: &str) -> String {
    let mut header = vec![String::new()];
    header.extend(programs.iter().map(|p| p.program.clone()));
    let mut rows = vec![header];
    let lift = |l: &Lift| {
        format!(
            "{} [{}, {}]",
            points(l.difference),
            points(l.low),
            points(l.high)
        )
    };
    for (label, cells) in comparison(programs, "-", "lift (points)", &lift) {
        let mut row = vec![label.to_string()];
        row.extend(cells);
        rows.push(row);
    }
    let mut out = format!("{title}\n");
    // As many programs a table as fit in `WIDTH` columns, each table with
    // the labels: a portfolio of fourteen programs is several tables, not
    // a line of 368 characters.
    for (i, columns) in chunks(&rows, "  ").iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let part: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                std::iter::once(0)
                    .chain(columns.iter().copied())
                    .filter_map(|c| row.get(c).cloned())
                    .collect()
            })
            .collect();
        out.push_str(&table(&part, "  "));
    }
    out
}

/// The width the human report keeps its lines to.
pub const WIDTH: usize = 100;

/// The columns after the first (the labels) of `rows`, in runs that fit in
/// [`WIDTH`] beside the labels; a column too wide to share stands alone.
fn chunks(rows: &[Vec<String>], indent: &str) -> Vec<Vec<usize>> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| {
        rows.iter()
            .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let labels = indent.len() + width(0);
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut used = labels;
    for c in 1..columns {
        let needs = 2 + width(c);
        match chunks.last_mut() {
            Some(chunk) if used + needs <= WIDTH => chunk.push(c),
            _ => {
                chunks.push(vec![c]);
                used = labels;
            }
        }
        used += needs;
    }
    chunks
}

/// The rows that compare programs, label and one cell per program, for
/// the human and the HTML report alike: `none` stands where a program has
/// no goal, and `lift` writes the lift as the report's format wants.
pub(super) fn comparison(
    programs: &[ProgramReport],
    none: &str,
    lift_label: &'static str,
    lift: &dyn Fn(&Lift) -> String,
) -> Vec<(&'static str, Vec<String>)> {
    // With `--runs`, a cell is the median [90% range] across the runs, as
    // in each program's headline, and the lift the one across the runs.
    let row = |figure: &str, value: &dyn Fn(&ProgramReport) -> String| {
        programs
            .iter()
            .map(|p| across(p, figure).map_or_else(|| value(p), median_range))
            .collect()
    };
    let goal = |figure: &str, value: &dyn Fn(&GoalReport) -> String| {
        row(figure, &|p| p.goal.as_ref().map_or(none.to_string(), value))
    };
    let lifts = programs
        .iter()
        .map(|p| {
            let Some(goal) = &p.goal else {
                return none.to_string();
            };
            match p.runs.as_ref().and_then(|r| r.lift.as_ref()) {
                Some(all) => lift(&Lift {
                    difference: all.difference,
                    low: all.low,
                    high: all.high,
                    ratio: None,
                }),
                None => goal.lift.as_ref().map_or(none.to_string(), lift),
            }
        })
        .collect();
    vec![
        (
            "journeys treated",
            row("journeys treated", &|p| thousands(p.entered.treated)),
        ),
        (
            "journeys in holdout",
            row("journeys in the holdout", &|p| thousands(p.entered.holdout)),
        ),
        (
            "messages sent",
            row("messages sent", &|p| thousands(p.messages.total)),
        ),
        (
            "messages per journey",
            row("messages per journey", &|p| {
                format!("{:.2}", p.messages.mean)
            }),
        ),
        (
            "goal rate, treated",
            goal("goal rate, treated", &|g| percent(g.treated.rate)),
        ),
        (
            "goal rate, holdout",
            goal("goal rate, holdout", &|g| percent(g.holdout.rate)),
        ),
        (lift_label, lifts),
    ]
}

/// Left-aligned first column, right-aligned numbers.
fn table(rows: &[Vec<String>], indent: &str) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A count and the word for it: `1 day`, `2 days`, `1,204 customers`.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub(super) fn blank_zero(n: u64) -> String {
    if n == 0 { String::new() } else { thousands(n) }
}

pub(super) fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

pub(super) fn points(share: f64) -> String {
    format!("{:+.1}", share * 100.0)
}

pub(super) fn minutes_text(minutes: u64) -> String {
    if minutes >= 2 * 1440 && minutes % 1440 == 0 {
        format!("{} days", minutes / 1440)
    } else if minutes >= 2 * 1440 {
        format!("{:.1} days", minutes as f64 / 1440.0)
    } else if minutes >= 120 {
        format!("{:.1} hours", minutes as f64 / 60.0)
    } else {
        format!("{minutes} min")
    }
}
