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
//! `program.rs` writes one program's section, `bars.rs` the bars and the
//! lift's interval, `style.rs` the stylesheet.

mod bars;
mod program;
mod style;

use super::simulation::{comparison, points, thousands};
use crate::sim::report::{Lift, ProgramReport, Report};
use std::fmt::Write;

/// What the page shows of a program besides its report.
pub struct Picture {
    /// The program's `title`, if it has one.
    pub title: Option<String>,
    /// The flow chart with the simulated counts on its arrows, as
    /// `render::svg` draws it.
    pub svg: String,
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

    out.push_str("<header>\n<h1>Simulation report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"lead\">What {} would do to the customers below, simulated for {} days.</p>",
        and_list(&names),
        report.days
    );
    out.push_str("<dl class=\"facts\">\n");
    let day = |time: &str| escape(time.get(..10).unwrap_or(time));
    fact(
        &mut out,
        "period",
        &format!(
            "{} to {} ({} days)",
            day(&report.start),
            day(&report.end),
            report.days
        ),
    );
    fact(&mut out, "seed", &report.seed.to_string());
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
            &format!(
                "{} bad customer row(s)",
                thousands(report.skipped_rows as u64)
            ),
        );
    }
    out.push_str("</dl>\n");
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

    if report.programs.len() > 1 {
        side_by_side(&mut out, &report.programs);
    }
    for (index, p) in report.programs.iter().enumerate() {
        program::section(&mut out, index, p, pictures.get(index));
    }
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
        "<section class=\"card\" id=\"side-by-side\">\n<h2>Side by side</h2>\n<table class=\"numbers\">\n<thead><tr><th></th>",
    );
    for p in programs {
        let _ = write!(out, "<th>{}</th>", escape(&p.program));
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
    for (label, cells) in comparison(programs, "–", "lift (points, 95% interval)", &lift) {
        let _ = write!(out, "<tr><th>{label}</th>");
        for cell in cells {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
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
            }),
            transitions: 0,
            actions: 0,
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
            programs: vec![program.clone(), program],
        }
    }

    #[test]
    fn every_name_is_escaped() {
        let picture = || Picture {
            title: Some("<b>title</b>".to_string()),
            svg: "<svg></svg>\n".to_string(),
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
