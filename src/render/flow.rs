//! Simulated counts on a chart's arrows (`nurture graph --sim REPORT.json`).
//!
//! The simulator's report says, per program, how many customers went from
//! one place to the next. Only those counts are read here; every other field
//! of the report is ignored, so the report can grow without breaking charts.

use super::chart::Chart;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The report format this reader understands.
const FORMAT_VERSION: u64 = 1;

/// How many simulated customers went `from` (`entry` or a step's name) `to`
/// (a step's name or `exit:OUTCOME`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct FlowCount {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Deserialize)]
struct Report {
    format_version: u64,
    programs: Vec<ProgramFlow>,
}

#[derive(Deserialize)]
struct ProgramFlow {
    program: String,
    /// The digest of the plan simulated: the counts belong to that version
    /// of the program only.
    digest: String,
    flow: Vec<FlowCount>,
}

/// Why a report gave no counts for a program. The messages are phrased to
/// follow the report's file name: "`run.json` is not JSON: …".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportError {
    /// `{"programs": [` and nothing more.
    NotJson(String),
    /// `{"format_version": 1, "programs": [{"program": 7}]}`: the JSON is
    /// fine, but a field is missing or has the wrong type.
    WrongField { path: String, message: String },
    /// `{"format_version": 2, …}`, from a newer nurture.
    Version(u64),
    /// The report was made from other programs.
    NoProgram { name: String, found: Vec<String> },
    /// The report was made from another version of the program: its steps
    /// and arrows may not be the chart's.
    OtherVersion {
        name: String,
        simulated: String,
        drawn: String,
    },
}

impl ReportError {
    pub fn describe(&self, file: &str) -> String {
        match self {
            ReportError::NotJson(message) => format!("`{file}` is not JSON: {message}"),
            ReportError::WrongField { path, message } => {
                format!("`{file}` is not a simulator report: at `{path}`: {message}")
            }
            ReportError::Version(version) => format!(
                "`{file}` has format_version {version}, but this nurture reads format_version {FORMAT_VERSION}"
            ),
            ReportError::OtherVersion {
                name,
                simulated,
                drawn,
            } => format!(
                "`{file}` was made from another version of program `{name}` (digest `{}`, the program's is now `{}`): simulate it again, with the same --schema",
                short(simulated),
                short(drawn)
            ),
            ReportError::NoProgram { name, found } => {
                let hint = if let Some(close) =
                    crate::suggest::closest(name, found.iter().map(String::as_str))
                {
                    format!("the closest it has is `{close}`")
                } else if found.is_empty() {
                    "it has no programs".to_string()
                } else {
                    // A report of a whole folder can name many programs.
                    const SHOWN: usize = 8;
                    let mut names: Vec<String> =
                        found.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
                    if found.len() > SHOWN {
                        names.push(format!("and {} more", found.len() - SHOWN));
                    }
                    format!("it has {}", names.join(", "))
                };
                format!("`{file}` has no counts for program `{name}` ({hint})")
            }
        }
    }
}

/// A digest shown in a message: `sha256:` and twelve hex digits are enough
/// to tell two apart.
fn short(digest: &str) -> String {
    let end = crate::render::lines::ceil_char_boundary(digest, 19);
    let cut = &digest[..end];
    if cut.len() < digest.len() {
        format!("{cut}…")
    } else {
        cut.to_string()
    }
}

/// The counts a report holds for the program called `program`, whose plan
/// has the digest `digest`.
pub fn read_report(json: &str, program: &str, digest: &str) -> Result<Vec<FlowCount>, ReportError> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    let report: Report = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => ReportError::WrongField {
                path,
                // Counts are read as u64, a name a marketer need not know.
                message: inner
                    .to_string()
                    .replace("expected u64", "expected a whole number"),
            },
            _ => ReportError::NotJson(inner.to_string()),
        }
    })?;
    if report.format_version != FORMAT_VERSION {
        return Err(ReportError::Version(report.format_version));
    }
    let found: Vec<String> = report.programs.iter().map(|p| p.program.clone()).collect();
    let found_program = report
        .programs
        .into_iter()
        .find(|p| p.program == program)
        .ok_or_else(|| ReportError::NoProgram {
            name: program.to_string(),
            found,
        })?;
    if found_program.digest != digest {
        return Err(ReportError::OtherVersion {
            name: program.to_string(),
            simulated: found_program.digest,
            drawn: digest.to_string(),
        });
    }
    Ok(found_program.flow)
}

/// Writes each count on its arrow: `click · 312`, or `312` on an arrow with
/// no label. Arrows between the same two places share one count, which goes
/// on the first of them (the simulator cannot tell them apart). Counts for
/// moves the chart has no arrow for (leaving by an `exit when` rule, say) are
/// not drawn, and neither is anything on an arrow the report does not name.
/// Call it once per chart: it writes into the labels.
pub fn annotate(chart: &mut Chart, flow: &[FlowCount]) {
    for count in flow {
        let name = |id: &str| chart.flow_names.get(id).map(String::as_str);
        let first = chart.edges.iter().position(|(from, to, _)| {
            name(from) == Some(count.from.as_str()) && name(to) == Some(count.to.as_str())
        });
        if let Some(edge) = first {
            // A report that lists a move twice means both rows happened.
            let total = chart.counts.entry(edge).or_insert(0);
            *total = total.saturating_add(count.count);
        }
    }
    for (&edge, &count) in &chart.counts {
        if let Some((_, _, label)) = chart.edges.get_mut(edge) {
            *label = if label.is_empty() {
                count.to_string()
            } else {
                format!("{label} · {count}")
            };
        }
    }
}

/// [`annotate`] for the HTML report, where every arrow has its count and
/// every move has an arrow: a count of 0 is written too; the goal gets an
/// arrow from every step that waits (a customer there reaches the goal when
/// its event comes), with the conversions from there, and one on to the
/// `exit converted` box with them all; moves by an `exit when` rule get an
/// arrow from the step to the rules' box, labelled with the outcome, and
/// moves by an interrupt an arrow from the step to the interrupt's step (the
/// note's arrow for the interrupt says it is the total of them all). An
/// arrow between the same two places as an earlier one says it is counted
/// with it.
pub fn annotate_every_way(chart: &mut Chart, flow: &[FlowCount]) {
    let id_of = |chart: &Chart, name: &str| {
        chart
            .flow_names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| id.clone())
    };
    let has_node = |chart: &Chart, id: &str| chart.nodes.iter().any(|(n, _, _)| n == id);
    let goal = has_node(chart, "goal");
    let rules = has_node(chart, "rules");
    let converted = id_of(chart, "exit:converted");
    let mut added: Vec<(String, String, String)> = Vec::new();
    if goal {
        let mut steps: Vec<&String> = chart.waiting.iter().collect();
        steps.sort_by_key(|id| id[1..].parse::<usize>().unwrap_or(0));
        for step in steps {
            let to_converted = converted.as_ref().is_some_and(|c| {
                chart
                    .edges
                    .iter()
                    .any(|(from, to, _)| from == step && to == c)
            });
            if !to_converted {
                added.push((step.clone(), "goal".to_string(), "goal".to_string()));
            }
        }
    }
    for count in flow {
        // A move by an interrupt, from a step to the interrupt's step: an
        // arrow between them, labelled as the note's arrow is.
        if let (Some(from), Some(to)) = (id_of(chart, &count.from), id_of(chart, &count.to))
            && !count.to.starts_with("exit:")
        {
            let drawn = chart
                .edges
                .iter()
                .chain(&added)
                .any(|(f, t, _)| *f == from && *t == to);
            let interrupt = chart
                .edges
                .iter()
                .find(|(f, t, _)| f == "rules" && *t == to)
                .map(|(_, _, label)| label.clone());
            if let (false, Some(label)) = (drawn, interrupt) {
                added.push((from, to, label));
            }
            continue;
        }
        let (Some(from), Some(outcome)) =
            (id_of(chart, &count.from), count.to.strip_prefix("exit:"))
        else {
            continue;
        };
        let target = id_of(chart, &count.to);
        let drawn = chart.edges.iter().chain(&added).any(|(f, t, _)| {
            *f == from && (Some(t) == target.as_ref() || (outcome == "converted" && t == "goal"))
        });
        if drawn {
            continue;
        }
        if outcome == "converted" && goal {
            added.push((from, "goal".to_string(), "goal".to_string()));
        } else if rules {
            added.push((from, "rules".to_string(), outcome.to_string()));
        }
    }
    chart.edges.extend(added);
    // Counts, with the goal's arrows counted as conversions from a step.
    let name = |chart: &Chart, id: &str| chart.flow_names.get(id).cloned();
    let mut counts: BTreeMap<usize, u64> = BTreeMap::new();
    let mut seen_pairs: Vec<(String, String)> = Vec::new();
    let mut shared: BTreeMap<usize, usize> = BTreeMap::new();
    for (e, (from, to, label)) in chart.edges.iter().enumerate() {
        let key = (from.clone(), to.clone());
        if let Some(first) = seen_pairs.iter().position(|p| *p == key) {
            shared.insert(e, first);
            continue;
        }
        seen_pairs.push(key);
        let from_name = name(chart, from);
        let to_name = match to.as_str() {
            "goal" => Some("exit:converted".to_string()),
            "rules" => Some(format!("exit:{label}")),
            _ => name(chart, to),
        };
        let total: u64 = flow
            .iter()
            .filter(|f| Some(&f.from) == from_name.as_ref() && Some(&f.to) == to_name.as_ref())
            .map(|f| f.count)
            .fold(0u64, u64::saturating_add);
        counts.insert(e, total);
    }
    // An interrupt's arrow from the note counts every move it made, from
    // every step, each of which has its own arrow and count: the note's is
    // labelled as the total it is.
    let interrupted: Vec<(usize, u64)> = chart
        .edges
        .iter()
        .enumerate()
        .filter(|(_, (from, to, _))| from == "rules" && name(chart, to).is_some())
        .map(|(e, (_, to, label))| {
            let total = chart
                .edges
                .iter()
                .enumerate()
                .filter(|(_, (f, t, l))| f != "rules" && t == to && l == label)
                .filter_map(|(other, _)| counts.get(&other))
                .fold(0u64, |sum, &n| sum.saturating_add(n));
            (e, total)
        })
        .collect();
    let totals: std::collections::BTreeSet<usize> = interrupted.iter().map(|(e, _)| *e).collect();
    counts.extend(interrupted);
    if goal && let Some(converted) = &converted {
        let into_goal: u64 = chart
            .edges
            .iter()
            .enumerate()
            .filter(|(_, (_, to, _))| to == "goal")
            .filter_map(|(e, _)| counts.get(&e))
            .sum();
        chart
            .edges
            .push(("goal".to_string(), converted.clone(), String::new()));
        counts.insert(chart.edges.len() - 1, into_goal);
    }
    for (e, (_, _, label)) in chart.edges.iter_mut().enumerate() {
        if let Some(first) = shared.get(&e) {
            *label = if label.is_empty() {
                format!("counted with arrow {}", first + 1)
            } else {
                format!("{label} · counted with the arrow beside it")
            };
            continue;
        }
        let count = counts.get(&e).copied().unwrap_or(0);
        *label = if totals.contains(&e) {
            format!("{label} · {count} in all, from every step")
        } else if label.is_empty() {
            count.to_string()
        } else {
            format!("{label} · {count}")
        };
    }
    chart.counts = counts;
}
