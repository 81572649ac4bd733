//! A program as a flow chart (`nurture graph`): Mermaid, which GitHub
//! renders in Markdown, and Graphviz DOT; `svg/` draws the same chart
//! itself.
//!
//! All are drawn from the same [`Chart`]: the entry (triggers), one box per
//! step listing what it does, one edge per way on, labelled with the event,
//! condition, share or timeout, and one rounded box per exit outcome. What
//! applies at every step (`exit when` rules, the `ends after` deadline,
//! the interrupts) stands in a note of its own; an interrupt has an arrow
//! from there to its step.

use crate::syntax::ast::{ClauseKind, Program, StatementKind, Target, WaitOn};
use std::collections::BTreeMap;

/// The chart's nodes and edges, in a fixed order.
pub struct Chart {
    /// (id, label, shape)
    pub nodes: Vec<(String, String, Shape)>,
    /// (from, to, label)
    pub edges: Vec<(String, String, String)>,
    /// Node id to the name a simulator report gives the same place: `entry`,
    /// a step's name, or `exit:OUTCOME`. Kept apart from the labels so that
    /// reading a report never depends on how a box is worded.
    pub flow_names: BTreeMap<String, String>,
    /// Edge index to how many simulated customers took it, once
    /// [`annotate`]d; the SVG draws busier arrows thicker.
    pub counts: BTreeMap<usize, u64>,
    /// The program's name, for the picture's title.
    pub name: String,
    /// The ids of the steps that wait (a customer can be in them when an
    /// event comes, so reach the goal or leave by an `exit when` there).
    pub waiting: std::collections::BTreeSet<String>,
}

pub use super::flow::{FlowCount, annotate, annotate_every_way};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Entry,
    Step,
    Exit,
    Goal,
    /// The `exit when` rules, which apply at every step.
    Rules,
}

pub fn chart(program: &Program, source: &str) -> Chart {
    let text = |span: crate::span::Span| shown(source.get(span.start..span.end).unwrap_or(""));
    let steps: BTreeMap<&str, usize> = program
        .steps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut exits: BTreeMap<String, String> = BTreeMap::new();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mut flow_names = BTreeMap::new();
    flow_names.insert("entry".to_string(), "entry".to_string());

    let triggers: Vec<String> = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Trigger(t) => Some(text(t.span).trim_start_matches("trigger ").to_string()),
            _ => None,
        })
        .collect();
    // Send windows say when every send of the program may go out: shown
    // with the entry, the box the chart starts from.
    let windows = program.clauses.iter().filter_map(|c| match &c.kind {
        ClauseKind::Window(_) => Some(text(c.span)),
        _ => None,
    });
    // The consent asked at entry decides who comes in at all: every format
    // shows it in the entry box, under the triggers.
    let consent = program.clauses.iter().filter_map(|c| match &c.kind {
        ClauseKind::Consent(_) => Some(text(c.span)),
        _ => None,
    });
    let mut entry = triggers
        .into_iter()
        .chain(consent)
        .chain(windows)
        .collect::<Vec<String>>()
        .join("\n");
    // Which programs share a customer: a line of its own under the triggers.
    let portfolio: Vec<String> = program
        .clauses
        .iter()
        .filter_map(|c| match &c.kind {
            ClauseKind::Group(name) => Some(format!("group {}", name.as_str())),
            ClauseKind::Priority(n) => Some(format!("priority {}", n.value)),
            _ => None,
        })
        .collect();
    if !portfolio.is_empty() {
        entry.push('\n');
        entry.push_str(&portfolio.join(", "));
    }
    nodes.push(("entry".to_string(), entry, Shape::Entry));
    let start = program
        .clauses
        .iter()
        .find_map(|c| match &c.kind {
            ClauseKind::Start(name) => steps.get(name.as_str()).copied(),
            _ => None,
        })
        .unwrap_or(0);
    if !program.steps.is_empty() {
        edges.push(("entry".to_string(), format!("s{start}"), String::new()));
    }
    if let Some(goal) = program.clauses.iter().find_map(|c| match &c.kind {
        ClauseKind::Goal(_) => Some(text(c.span)),
        _ => None,
    }) {
        nodes.push((
            "goal".to_string(),
            format!("{goal}\n→ converted"),
            Shape::Goal,
        ));
    }

    let rules: Vec<String> = program
        .clauses
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ClauseKind::ExitWhen(_) | ClauseKind::Ends(_) | ClauseKind::Interrupt(_)
            )
        })
        .map(|c| text(c.span))
        .collect();
    if !rules.is_empty() {
        nodes.push((
            "rules".to_string(),
            format!("at any step:\n{}", rules.join("\n")),
            Shape::Rules,
        ));
    }

    // An interrupt is an arrow from the note to its step, labelled with
    // its event.
    for clause in &program.clauses {
        if let ClauseKind::Interrupt(on) = &clause.kind
            && let Some(step) = steps.get(on.step.as_str())
        {
            let label = match &on.condition {
                Some(c) => format!("on {} where {}", on.event.as_str(), text(c.span)),
                None => format!("on {}", on.event.as_str()),
            };
            edges.push(("rules".to_string(), format!("s{step}"), label));
        }
    }

    let exit_id = |outcome: &str, exits: &mut BTreeMap<String, String>| {
        let next = format!("x{}", exits.len());
        exits.entry(outcome.to_string()).or_insert(next).clone()
    };
    let mut waiting = std::collections::BTreeSet::new();
    for (i, step) in program.steps.iter().enumerate() {
        let id = format!("s{i}");
        if step.statements.iter().any(|s| {
            matches!(
                s.kind,
                StatementKind::Wait(_) | StatementKind::WaitFor(_) | StatementKind::WaitUntil(_)
            )
        }) {
            waiting.insert(id.clone());
        }
        let mut lines = vec![step.name.value.clone()];
        for statement in &step.statements {
            let mut target =
                |to: &Target, label: String, edges: &mut Vec<(String, String, String)>| {
                    let to = match to {
                        Target::Step(name) => steps.get(name.as_str()).map(|s| format!("s{s}")),
                        Target::Exit { outcome, .. } => Some(exit_id(outcome.as_str(), &mut exits)),
                    };
                    if let Some(to) = to {
                        edges.push((id.clone(), to, label));
                    }
                };
            match &statement.kind {
                StatementKind::WaitFor(wait) => {
                    lines.push(format!("wait up to {}", text(wait.up_to.span)));
                    for arm in &wait.arms {
                        let label = match &arm.on {
                            WaitOn::Event { event, condition } => match condition {
                                Some(c) => format!("{} where {}", event.as_str(), text(c.span)),
                                None => event.value.clone(),
                            },
                            WaitOn::Timeout(_) => format!("timeout {}", text(wait.up_to.span)),
                        };
                        target(&arm.target, label, &mut edges);
                    }
                }
                StatementKind::Branch(arms) => {
                    for arm in arms {
                        let label = match &arm.condition {
                            Some(c) => text(c.span),
                            None => "else".to_string(),
                        };
                        target(&arm.target, label, &mut edges);
                    }
                }
                StatementKind::Split(arms) => {
                    for arm in arms {
                        target(&arm.target, text(arm.share.span), &mut edges);
                    }
                }
                StatementKind::Goto(name) => {
                    target(&Target::Step(name.clone()), String::new(), &mut edges);
                }
                StatementKind::Exit(outcome) => {
                    let to = exit_id(outcome.as_str(), &mut exits);
                    edges.push((id.clone(), to, String::new()));
                }
                StatementKind::Send {
                    fallback, guard, ..
                } if !fallback.is_empty() => {
                    // `send push or email`, then the templates in the same
                    // order: the channels are what a reader looks for.
                    let channels: Vec<&str> = statement
                        .kind
                        .send_channels()
                        .iter()
                        .map(|c| c.as_str())
                        .collect();
                    let mut line = format!("send {}", channels.join(" or "));
                    if let Some(guard) = guard {
                        line.push_str(&format!(" if {}", text(guard.span)));
                    }
                    lines.push(line);
                    let templates: Vec<String> = match &statement.kind {
                        StatementKind::Send {
                            template, fallback, ..
                        } => std::iter::once(text(template.span))
                            .chain(fallback.iter().map(|f| text(f.template.span)))
                            .collect(),
                        _ => Vec::new(),
                    };
                    lines.push(templates.join(" / "));
                }
                _ => lines.push(text(statement.span)),
            }
        }
        flow_names.insert(id.clone(), step.name.value.clone());
        nodes.push((id, lines.join("\n"), Shape::Step));
    }
    let mut exit_nodes: Vec<(String, String)> = exits.into_iter().map(|(o, id)| (id, o)).collect();
    exit_nodes.sort_by_key(|(id, _)| id[1..].parse::<usize>().unwrap_or(0));
    for (id, outcome) in exit_nodes {
        flow_names.insert(id.clone(), format!("exit:{outcome}"));
        nodes.push((id, format!("exit {outcome}"), Shape::Exit));
    }
    Chart {
        nodes,
        edges,
        flow_names,
        counts: BTreeMap::new(),
        name: program.name.value.clone(),
        waiting,
    }
}

/// A piece of the program as a label says it: on one line, blanks run
/// together, a text's escapes (`\"`, `\\`) as the characters they stand
/// for, and the characters a screen would obey as escapes (`\u{1b}`).
fn shown(source: &str) -> String {
    let mut plain = String::with_capacity(source.len());
    let mut in_text = false;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_text = !in_text,
            '\\' if in_text => {
                if let Some(escaped) = chars.next() {
                    plain.push(escaped);
                }
                continue;
            }
            _ => {}
        }
        plain.push(c);
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    crate::printable::one_line(&words.join(" ")).into_owned()
}

/// A label for Mermaid, inside its double quotes. Mermaid reads `%%{…}%%`
/// as a directive anywhere in the text (a theme, CSS for the whole chart),
/// a backtick as the start of Markdown, and `#…;` as an entity, so only
/// letters, digits, blanks and punctuation with no meaning to it stay as
/// they are; every other character is written as its entity (`#123;` for
/// `{`), which Mermaid shows as the character. A `%` stays, as in `50%`,
/// unless it follows another: no two can start a directive or a comment.
/// A line break is `<br/>`.
fn mermaid_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 16);
    for c in label.chars() {
        match c {
            '%' if !out.ends_with('%') => out.push('%'),
            '\n' => out.push_str("<br/>"),
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_ascii_alphanumeric() || " _-.,:/()=!?+*@[]".contains(c) => out.push(c),
            c if !c.is_ascii() && !crate::printable::is_unsafe(c) => out.push(c),
            c => out.push_str(&format!("#{};", u32::from(c))),
        }
    }
    out
}

/// Mermaid `flowchart TD`; labels quoted and escaped, so no text can break
/// the chart or add a directive, a `click` or a style to it.
pub fn mermaid(chart: &Chart) -> String {
    let quote = mermaid_label;
    let mut out = String::from("flowchart TD\n");
    for (id, label, shape) in &chart.nodes {
        let label = quote(label);
        out.push_str(&match shape {
            Shape::Entry => format!("  {id}[/\"{label}\"/]\n"),
            Shape::Step => format!("  {id}[\"{label}\"]\n"),
            Shape::Exit => format!("  {id}([\"{label}\"])\n"),
            Shape::Goal => format!("  {id}{{{{\"{label}\"}}}}\n"),
            Shape::Rules => format!("  {id}>\"{label}\"]\n"),
        });
    }
    for (from, to, label) in &chart.edges {
        if label.is_empty() {
            out.push_str(&format!("  {from} --> {to}\n"));
        } else {
            out.push_str(&format!("  {from} -- \"{}\" --> {to}\n", quote(label)));
        }
    }
    out
}

/// Graphviz DOT, top to bottom.
pub fn dot(chart: &Chart) -> String {
    let quote = |label: &str| {
        label
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\l")
    };
    let mut out = String::from(
        "digraph program {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for (id, label, shape) in &chart.nodes {
        let attributes = match shape {
            Shape::Entry => "shape=parallelogram",
            Shape::Step => "shape=box",
            Shape::Exit => "shape=box, style=rounded",
            Shape::Goal => "shape=hexagon",
            Shape::Rules => "shape=note",
        };
        out.push_str(&format!(
            "  {id} [label=\"{}\\l\", {attributes}];\n",
            quote(label)
        ));
    }
    for (from, to, label) in &chart.edges {
        if label.is_empty() {
            out.push_str(&format!("  {from} -> {to};\n"));
        } else {
            out.push_str(&format!("  {from} -> {to} [label=\"{}\"];\n", quote(label)));
        }
    }
    out.push_str("}\n");
    out
}

/// programs/README.md: each example program with its chart (a test keeps
/// the file in step with the programs). `programs` is (file name, text),
/// sorted.
pub fn programs_readme(programs: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Example programs\n\n\
         Real programs a marketing team would run, one or more per kind; all pass\n\
         `nurture check` with no findings against [`schema.nurture`](schema.nurture).\n\
         Sample customers and events for `nurture replay` are in [`sample/`](sample/).\n\
         The charts are drawn by `nurture graph FILE`; this file is generated\n\
         (`UPDATE_DOCS=1 cargo test --test graph`).\n",
    );
    for (file, text) in programs {
        let Some(program) = crate::syntax::parse(text).program else {
            continue;
        };
        let title = program
            .clauses
            .iter()
            .find_map(|c| match &c.kind {
                ClauseKind::Title(title) => Some(title.value.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let kind = program
            .clauses
            .iter()
            .find_map(|c| match &c.kind {
                ClauseKind::Kind(kind) => Some(kind.name.value.clone()),
                _ => None,
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "\n## [`{file}`]({file})\n\n{title} (`kind {kind}`)\n\n```mermaid\n{}```\n",
            mermaid(&chart(&program, text))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_show_what_a_text_stands_for() {
        assert_eq!(
            shown("send email  \"say \\\"hi\\\" \\\\ \u{1b}[2J\"\n  if x"),
            "send email \"say \"hi\" \\ \\u{1b}[2J\" if x"
        );
        // A backslash outside a text is no escape.
        assert_eq!(shown("a \\ b"), "a \\ b");
    }

    #[test]
    fn mermaid_labels_keep_only_harmless_characters() {
        assert_eq!(mermaid_label("50% off"), "50% off");
        assert_eq!(mermaid_label("%%{init}%%"), "%#37;#123;init#125;%#37;");
        assert_eq!(mermaid_label("a'b`c;d#e\nf"), "a#39;b#96;c#59;d#35;e<br/>f");
        assert_eq!(mermaid_label("Grüße €"), "Grüße €");
    }
}
