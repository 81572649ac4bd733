//! The simulation report as one self-contained HTML page (`nurture simulate
//! --html FILE`): the same figures as `simulation::human`, with each
//! program's flow chart and bars to read them by.
//!
//! Self-contained means nothing is fetched: the style is inline, the charts
//! are inline SVG, the fonts are the reader's own, and there is no script.
//! Every text that comes from a program or a file name is escaped here, in
//! [`escape`]; the charts escape their own. The page holds no time or path of
//! its own making, so the same report gives the same bytes.
//!
//! Written for a marketer: headings that ask the reader's questions ("Who
//! got in", "What happened to the 354 customers who started", "Did it
//! work?"), every term linked to a glossary with its definition as a
//! tooltip, one labelled definition of "converted", every arrow's count,
//! no blank cells, and a layout that fits a phone (390 px) as well as a
//! laptop without scrolling sideways; tables have `scope`d headers and
//! every SVG a `<title>`.
//!
//! `program.rs` writes one program's section, `charts.rs` the charts over
//! time, `bars.rs` the bars and the lift's interval, `glossary.rs` the
//! words, `style.rs` the stylesheet.

mod bars;
mod charts;
mod glossary;
mod program;
mod style;

use super::simulation::{comparison, points};
use crate::sim::report::{Lift, ProgramReport, Report};
use std::fmt::Write;

/// What the page shows of a program besides its report.
pub struct Picture {
    /// The program's `title`, if it has one.
    pub title: Option<String>,
    /// The flow chart with the simulated counts on its arrows, as
    /// `render::svg` draws it.
    pub svg: String,
    /// Every arrow of the chart, in its order, with its count.
    pub ways: Vec<Way>,
}

/// One arrow of a chart: from and to (as the boxes say), the label (the
/// event, condition or share), the journeys that took it.
pub struct Way {
    pub from: String,
    pub to: String,
    pub on: String,
    pub count: u64,
}

/// The page. `pictures` go with `report.programs`, in the same order; a
/// program without one is shown without a chart.
pub fn html(report: &Report, pictures: &[Picture]) -> String {
    let mut out = String::new();
    let names: Vec<&str> = report.programs.iter().map(|p| p.program.as_str()).collect();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>Simulation: {}</title>",
        escape(&names.join(", "))
    );
    let _ = writeln!(out, "<style>\n{}</style>\n</head>\n<body>", style::CSS);

    out.push_str("<header>\n<h1>What the simulation says</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"lead\">What {} would do to the customers below, simulated for {}. Underlined words are explained when you point at them, and at the end of the page.</p>",
        and_list(&names),
        super::simulation::counted(report.days, "day", "days")
    );
    out.push_str("<dl class=\"facts\">\n");
    let day = |time: &str| escape(time.get(..10).unwrap_or(time));
    fact(
        &mut out,
        "period",
        &format!(
            "{} to {} ({})",
            day(&report.start),
            day(&report.end),
            super::simulation::counted(report.days, "day", "days")
        ),
    );
    fact(&mut out, "seed", &report.seed.to_string());
    if report.runs > 1 {
        fact(
            &mut out,
            "runs",
            &format!(
                "{} (seeds {} to {})",
                report.runs,
                report.seed,
                report.seed + report.runs - 1
            ),
        );
    }
    fact(
        &mut out,
        "customers",
        &format!("<code>{}</code>", escape(&report.customers_file)),
    );
    fact(
        &mut out,
        "behaviour",
        &format!("<code>{}</code>", escape(&report.behavior_file)),
    );
    if report.skipped_rows > 0 {
        fact(
            &mut out,
            "skipped",
            &super::simulation::counted(
                report.skipped_rows as u64,
                "bad customer row",
                "bad customer rows",
            ),
        );
    }
    out.push_str("</dl>\n");
    for note in &report.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    if report.programs.len() > 1 {
        out.push_str("<nav><ul>\n");
        for (index, p) in report.programs.iter().enumerate() {
            let _ = writeln!(
                out,
                "<li><a href=\"#program-{index}\">{}</a></li>",
                escape(&p.program)
            );
        }
        out.push_str("</ul></nav>\n");
    }
    out.push_str("</header>\n<main>\n");

    if let Some(portfolio) = &report.portfolio {
        out.push_str(
            "<section id=\"portfolio\">\n<h2>The programs together</h2>\n<dl class=\"facts\">\n",
        );
        for (label, value) in crate::render::simulation::portfolio_lines(portfolio) {
            fact(&mut out, label, &escape(&value));
        }
        out.push_str("</dl>\n</section>\n");
    }
    if report.programs.len() > 1 {
        side_by_side(&mut out, &report.programs);
    }
    for (index, p) in report.programs.iter().enumerate() {
        program::section(&mut out, index, p, pictures.get(index));
    }
    glossary::glossary(&mut out);
    let _ = writeln!(
        out,
        "</main>\n<footer>Made by <code>nurture simulate</code> (report format {}). The same programs, customers, behaviour and seed give the same page.</footer>\n</body>\n</html>",
        report.format_version
    );
    out
}

fn fact(out: &mut String, term: &str, html: &str) {
    let _ = writeln!(out, "<div><dt>{term}</dt><dd>{html}</dd></div>");
}

/// `a`, `a and b`, `a, b and c`, each in `<code>`.
fn and_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| format!("<code>{}</code>", escape(n)))
        .collect();
    match quoted.split_last() {
        None => "no program".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The programs against each other, as the human report's first table.
fn side_by_side(out: &mut String, programs: &[ProgramReport]) {
    out.push_str(
        "<section class=\"card\" id=\"side-by-side\">\n<h2>Side by side</h2>\n<div class=\"wide\"><table class=\"numbers\">\n<thead><tr><th scope=\"col\">figure</th>",
    );
    for p in programs {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(&p.program));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let lift = |l: &Lift| {
        format!(
            "{} <span class=\"quiet\">[{}, {}]</span>",
            minus(&points(l.difference)),
            minus(&points(l.low)),
            minus(&points(l.high))
        )
    };
    for (label, cells) in comparison(programs, "no goal", "lift (points, 95% interval)", &lift) {
        let _ = write!(out, "<tr><th scope=\"row\">{label}</th>");
        for cell in cells {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n<p class=\"quiet small\">“no goal”: the program has no <code>goal</code>, so it has no goal rate or lift.</p>\n</section>\n");
}

/// A number's `-` as a typographic minus, which does not break from its
/// digits at the end of a line.
fn minus(text: &str) -> String {
    text.replace('-', "\u{2212}")
}

/// Text for HTML, in element content and in quoted attributes alike.
/// Control characters, which HTML does not allow, become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>\u{1}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;\u{FFFD}"
        );
    }

    /// A report whose every name is markup, as file names may be.
    fn hostile() -> Report {
        use crate::sim::report::*;
        let evil = "<img src=x onerror=alert(1)>";
        let rate = |journeys, converted| Rate {
            journeys,
            converted,
            rate: 0.1,
        };
        let program = ProgramReport {
            program: evil.to_string(),
            file: evil.to_string(),
            digest: evil.to_string(),
            customers: 10,
            entry: EntryReport {
                customers_read: 10,
                matched_a_trigger: 10,
                triggers: vec![TriggerReport {
                    trigger: evil.to_string(),
                    customers: 10,
                    note: Some(evil.to_string()),
                }],
                audience: Some(evil.to_string()),
                in_audience: 10,
                consent: vec![evil.to_string()],
                entered: 10,
                stopped_at: None,
                held_by_group: None,
            },
            entered: Entered {
                treated: 9,
                holdout: 1,
            },
            steps: vec![StepReport {
                step: evil.to_string(),
                entered: 9,
                sent: [(evil.to_string(), 9)].into_iter().collect(),
                answered: 1,
                moved_on: 9,
            }],
            flow: vec![],
            outcomes: vec![OutcomeReport {
                outcome: evil.to_string(),
                journeys: 9,
                share: 1.0,
            }],
            messages: MessagesReport {
                total: 9,
                per_channel: [(evil.to_string(), 9)].into_iter().collect(),
                mean: 1.0,
                p95: 1,
                max: 1,
                bound: Some(1),
                per_day: [(evil.to_string(), vec![1, 8])].into_iter().collect(),
            },
            held_back: HeldBack {
                deferred_for_quiet_hours: 0,
                skipped_for_cap: 0,
                skipped_without_consent: 0,
                skipped_by_guard: 0,
            },
            goal: Some(GoalReport {
                event: evil.to_string(),
                within_minutes: 1440,
                treated: rate(9, 1),
                holdout: rate(1, 0),
                lift: Some(Lift {
                    difference: 0.1,
                    low: -0.2,
                    high: 0.3,
                    ratio: None,
                }),
                median_minutes_to_goal: Some(60),
                p90_minutes_to_goal: Some(120),
                converted_per_day: vec![1],
            }),
            transitions: 0,
            actions: 0,
            capped_customers: 0,
            runs: None,
        };
        Report {
            format_version: 1,
            seed: 0,
            start: evil.to_string(),
            end: evil.to_string(),
            days: 1,
            customers_file: evil.to_string(),
            behavior_file: evil.to_string(),
            skipped_rows: 1,
            runs: 1,
            notes: vec![evil.to_string()],
            programs: vec![program.clone(), program],
            shard: None,
            portfolio: Some(crate::sim::report::PortfolioReport {
                lineup: vec![evil.to_string()],
                caps: vec![evil.to_string()],
                customers: 1,
                messages: 1,
                per_week: crate::sim::report::WeekReport {
                    mean: 0.5,
                    busiest_mean: 1.0,
                    p95: 1,
                    max: 1,
                    bound: None,
                },
            }),
        }
    }

    #[test]
    fn every_name_is_escaped() {
        let picture = || Picture {
            title: Some("<b>title</b>".to_string()),
            svg: "<svg></svg>\n".to_string(),
            ways: Vec::new(),
        };
        let page = html(&hostile(), &[picture(), picture()]);
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<b>title"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("&lt;b&gt;title&lt;/b&gt;"));
    }

    #[test]
    fn the_same_report_gives_the_same_page() {
        assert_eq!(html(&hostile(), &[]), html(&hostile(), &[]));
    }

    #[test]
    fn names_are_listed_in_prose() {
        assert_eq!(and_list(&["a"]), "<code>a</code>");
        assert_eq!(
            and_list(&["a", "b", "c"]),
            "<code>a</code>, <code>b</code> and <code>c</code>"
        );
    }
}
