//! The program as a graph: steps are nodes, arrows are edges (petgraph).
//! Checks arrows that lead nowhere (N301), steps nobody reaches (N302) and
//! loops a customer would run round without ever waiting (N303).

use super::flow::{Flow, To, Via};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::{Name, Span};
use crate::syntax::ast::{ClauseKind, Program, StatementKind, Target};
// kosaraju_scc, not tarjan_scc: petgraph's Tarjan recurses once per node and
// overflows the stack on a long chain of steps; Kosaraju's is iterative.
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeFiltered, EdgeRef};

/// An arrow from one step to another.
#[derive(Clone, Copy, Debug)]
pub struct Arrow {
    /// True when the customer takes it without having waited in the step.
    pub instant: bool,
    pub span: Span,
}

/// Steps as nodes (node `i` is step `i`), arrows between them as edges.
pub fn step_graph(flow: &Flow) -> DiGraph<usize, Arrow> {
    let program = flow.program;
    let mut graph = DiGraph::new();
    for i in 0..program.steps.len() {
        graph.add_node(i);
    }
    for (i, step) in program.steps.iter().enumerate() {
        let waits = step.statements.iter().any(|s| match &s.kind {
            StatementKind::Wait(d) => d.value.minutes > 0,
            StatementKind::WaitFor(_) => true,
            _ => false,
        });
        for at in 0..step.statements.len() {
            for &movement in flow.moves(super::flow::Point { step: i, at }) {
                if let To::Point(to) = movement.to {
                    if to.step != i || movement.via != Via::Next {
                        graph.add_edge(
                            NodeIndex::new(i),
                            NodeIndex::new(to.step),
                            Arrow {
                                // An interrupt moves a customer who waits
                                // for its event.
                                instant: !waits && !matches!(movement.via, Via::Interrupt(_)),
                                span: movement.span,
                            },
                        );
                    }
                }
            }
        }
    }
    graph
}

pub fn check(program: &Program) -> Vec<Diagnostic> {
    check_flow(&Flow::new(program))
}

/// [`check`] on the program's flow made already (the other graph checks
/// share it rather than making it again).
pub fn check_flow(flow: &Flow) -> Vec<Diagnostic> {
    let program = flow.program;
    let mut found = Vec::new();
    unknown_steps(program, &mut found);
    let graph = step_graph(flow);
    unreachable_steps(flow, &graph, &mut found);
    loops_without_wait(program, &graph, &mut found);
    found
}

fn unknown_steps(program: &Program, found: &mut Vec<Diagnostic>) {
    let known: Vec<&str> = program.steps.iter().map(|s| s.name.as_str()).collect();
    // A set, not the list: every arrow looks its target up, and a long
    // program has as many arrows as steps.
    let known_set: std::collections::HashSet<&str> = known.iter().copied().collect();
    // `arrow`: the name is where an arrow leads, which may have been meant
    // as a way out (`timeout -> no_response` for `exit no_response`).
    let mut report = |name: &Name, arrow: bool| {
        if name.as_str().is_empty() || known_set.contains(name.as_str()) {
            return;
        }
        let n = name.as_str();
        let diagnostic = Diagnostic::new(Code::UnknownStep, format!("there is no step `{n}`"));
        // An arrow to a step's old name, left behind by a rename.
        let renamed = program
            .steps
            .iter()
            .find(|step| step.was.iter().any(|old| old.as_str() == n));
        if let Some(step) = renamed {
            let now = step.name.as_str();
            found.push(diagnostic.did_you_mean(name.span, now).help(format!(
                "the step `{n}` is now called `{now}` (`step {now} (was {n})`): write `{now}`"
            )));
            return;
        }
        found.push(
            match crate::suggest::closest(n, known.iter().copied()) {
                Some(close) => diagnostic
                    .did_you_mean(name.span, close)
                    .help(format!("write `{close}`, or add a step named `{n}`")),
                None if arrow => diagnostic
                    .label(name.span, format!("did you mean `exit {n}`?"))
                    .fix(crate::diagnostic::Fix::replace(
                        format!("write `exit {n}`"),
                        name.span,
                        format!("exit {n}"),
                    ))
                    .help(format!(
                        "to leave the program with the outcome `{n}`, write `exit {n}`; to go on to a step, add `step {n} {{ … }}`"
                    )),
                None => diagnostic
                    .label(name.span, "no step has this name")
                    .help(format!(
                        "add `step {n} {{ … }}`, or lead to one of the steps: {}",
                        crate::syntax::word_choice(known.iter().copied())
                    )),
            },
        );
    };
    for clause in &program.clauses {
        match &clause.kind {
            ClauseKind::Start(name) => report(name, false),
            ClauseKind::Interrupt(on) => report(&on.step, false),
            _ => {}
        }
    }
    for step in &program.steps {
        for statement in &step.statements {
            let targets: Vec<&Target> = match &statement.kind {
                StatementKind::WaitFor(wait) => wait.arms.iter().map(|a| &a.target).collect(),
                StatementKind::Branch(arms) => arms.iter().map(|a| &a.target).collect(),
                StatementKind::Split(arms) => arms.iter().map(|a| &a.target).collect(),
                StatementKind::Goto(name) => {
                    report(name, true);
                    Vec::new()
                }
                _ => Vec::new(),
            };
            for target in targets {
                if let Target::Step(name) = target {
                    report(name, true);
                }
            }
        }
    }
}

/// Which steps customers reach from the start, by step.
pub fn reached(flow: &Flow, graph: &DiGraph<usize, Arrow>) -> Vec<bool> {
    let mut reached = vec![false; graph.node_count()];
    let Some(start) = flow.start() else {
        return reached;
    };
    let mut dfs = Dfs::new(graph, NodeIndex::new(start.step));
    while let Some(node) = dfs.next(graph) {
        reached[node.index()] = true;
    }
    reached
}

fn unreachable_steps(flow: &Flow, graph: &DiGraph<usize, Arrow>, found: &mut Vec<Diagnostic>) {
    let Some(start) = flow.start() else {
        return;
    };
    // A misspelt arrow (N301) leads where its "did you mean" says: the steps
    // behind it are not unreachable for that one mistake.
    let mut graph = graph.clone();
    add_meant_arrows(flow.program, &mut graph);
    let reached = reached(flow, &graph);
    // A step that only arms that never fire lead to is told with the arm
    // (N309, N313, N314), which is what to fix.
    let written = Flow::with_every_move(flow.program);
    let mut written_graph = step_graph(&written);
    add_meant_arrows(flow.program, &mut written_graph);
    let reached_as_written = self::reached(&written, &written_graph);
    let start_name = flow.program.steps[start.step].name.as_str();
    for (i, step) in flow.program.steps.iter().enumerate() {
        // A second step of the same name is N102's business.
        let first_of_name = flow.step_index(step.name.as_str()) == Some(i);
        if !reached[i] && !reached_as_written[i] && first_of_name {
            found.push(
                Diagnostic::new(
                    Code::UnreachableStep,
                    format!("no customer ever reaches step `{}`", step.name.as_str()),
                )
                .label(step.name.span, "nothing leads here")
                .help(format!(
                    "lead to it with `-> {}` from a step customers reach from `{start_name}`, or remove it",
                    step.name.as_str()
                )),
            );
        }
    }
}

/// An arrow to the step each misspelt name most likely means.
fn add_meant_arrows(program: &Program, graph: &mut DiGraph<usize, Arrow>) {
    let mut index = std::collections::HashMap::new();
    for (i, step) in program.steps.iter().enumerate() {
        index.entry(step.name.as_str()).or_insert(i);
    }
    for (i, step) in program.steps.iter().enumerate() {
        for statement in &step.statements {
            let names: Vec<&Name> = match &statement.kind {
                StatementKind::WaitFor(wait) => wait
                    .arms
                    .iter()
                    .map(|a| &a.target)
                    .filter_map(step_of)
                    .collect(),
                StatementKind::Branch(arms) => {
                    arms.iter().map(|a| &a.target).filter_map(step_of).collect()
                }
                StatementKind::Split(arms) => {
                    arms.iter().map(|a| &a.target).filter_map(step_of).collect()
                }
                StatementKind::Goto(name) => vec![name],
                _ => Vec::new(),
            };
            for name in names {
                if index.contains_key(name.as_str()) {
                    continue;
                }
                let meant = crate::suggest::closest(name.as_str(), index.keys().copied())
                    .and_then(|close| index.get(close));
                if let Some(&to) = meant {
                    graph.add_edge(
                        NodeIndex::new(i),
                        NodeIndex::new(to),
                        Arrow {
                            instant: false,
                            span: name.span,
                        },
                    );
                }
            }
        }
    }
}

fn step_of(target: &Target) -> Option<&Name> {
    match target {
        Target::Step(name) => Some(name),
        Target::Exit { .. } => None,
    }
}

fn loops_without_wait(
    program: &Program,
    graph: &DiGraph<usize, Arrow>,
    found: &mut Vec<Diagnostic>,
) {
    let instant = EdgeFiltered::from_fn(graph, |edge| edge.weight().instant);
    for mut component in kosaraju_scc(&instant) {
        component.sort();
        let looped = component.len() > 1
            || graph
                .edges_connecting(component[0], component[0])
                .any(|e| e.weight().instant);
        if !looped {
            continue;
        }
        let names: Vec<&str> = component
            .iter()
            .map(|n| program.steps[n.index()].name.as_str())
            .collect();
        let first = &program.steps[component[0].index()];
        let mut diagnostic = Diagnostic::new(
            Code::LoopWithoutWait,
            if names.len() == 1 {
                format!("step `{}` leads back to itself without waiting", names[0])
            } else {
                format!(
                    "steps {} lead round in a loop without waiting",
                    crate::syntax::word_list(names.iter().copied())
                )
            },
        )
        .label(
            first.name.span,
            "customers would go round this loop without end",
        );
        for edge in graph.edge_references() {
            if edge.weight().instant
                && component.contains(&edge.source())
                && component.contains(&edge.target())
            {
                diagnostic = diagnostic.label(edge.weight().span, "back round the loop, at once");
            }
        }
        found.push(diagnostic.help(
            "wait somewhere in the loop (`wait 7d`, or `wait up to … for …`), or leave it with `exit OUTCOME`",
        ));
    }
}
