//! Structure checks: what can be seen in the syntax tree alone, without
//! names resolved or the program's graph: clauses written twice, steps
//! defined twice, required clauses missing, steps without a way on, and
//! the old names of renamed steps (`renames.rs`).

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ClauseKind, Program, StatementKind, Step, WaitOn};
use std::collections::BTreeMap;

/// `complete` is false when the program was read past syntax errors: then
/// pieces may be missing only because they could not be read, and the checks
/// for missing pieces stay quiet.
pub fn check(program: &Program, source: &str, complete: bool) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    duplicate_clauses(program, source, &mut found);
    duplicate_steps(program, &mut found);
    super::renames::check(program, &mut found);
    for step in &program.steps {
        statement_after_way_on(step, &mut found);
        duplicate_arms(step, &mut found);
        if complete {
            no_way_on(program, step, source, &mut found);
        }
    }
    if complete {
        missing_clauses(program, &mut found);
    }
    found.extend(super::window::check(program));
    found
}

fn duplicate_clauses(program: &Program, source: &str, found: &mut Vec<Diagnostic>) {
    // The key says which clauses may not appear together: most clauses once,
    // `cap` once per channel, and `trigger`/`exit when` as often as wanted,
    // but never twice the same (compared as written, blanks aside).
    let mut seen: BTreeMap<String, &crate::syntax::ast::Clause> = BTreeMap::new();
    for clause in &program.clauses {
        let keyword = clause.kind.keyword();
        let key = match &clause.kind {
            ClauseKind::Trigger(_)
            | ClauseKind::ExitWhen(_)
            | ClauseKind::Interrupt(_)
            | ClauseKind::Window(_) => {
                let written = source.get(clause.span.start..clause.span.end).unwrap_or("");
                let words: Vec<&str> = written.split_whitespace().collect();
                format!("{keyword}: {}", words.join(" "))
            }
            ClauseKind::Cap(cap) => match &cap.channel {
                Some(channel) => format!("cap {}", channel.as_str()),
                None => "cap messages".to_string(),
            },
            _ => keyword.to_string(),
        };
        let Some(first) = seen.get(&key) else {
            seen.insert(key, clause);
            continue;
        };
        let (message, help) = match &clause.kind {
            ClauseKind::Trigger(_)
            | ClauseKind::ExitWhen(_)
            | ClauseKind::Interrupt(_)
            | ClauseKind::Window(_) => (
                format!("the same `{keyword}` is written twice"),
                "remove one of them".to_string(),
            ),
            ClauseKind::Cap(cap) => {
                let what = cap
                    .channel
                    .as_ref()
                    .map(|c| c.as_str())
                    .unwrap_or("messages");
                (
                    format!("`cap` for {what} is written twice"),
                    format!(
                        "a program has one cap for all messages and at most one per channel; keep the one you mean for {what}"
                    ),
                )
            }
            _ => (
                format!("`{keyword}` is written twice"),
                format!(
                    "a program has one `{keyword}`; keep the one you mean and remove the other"
                ),
            ),
        };
        found.push(
            Diagnostic::new(Code::DuplicateClause, message)
                .label(clause.span, "written again here")
                .label(first.span, "first written here")
                .help(help),
        );
    }
}

fn duplicate_steps(program: &Program, found: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &Step> = BTreeMap::new();
    for step in &program.steps {
        match seen.get(step.name.as_str()) {
            Some(first) => found.push(
                Diagnostic::new(
                    Code::DuplicateStep,
                    format!("step `{}` is defined twice", step.name.as_str()),
                )
                .label(step.name.span, "defined again here")
                .label(first.name.span, "first defined here")
                .help("give each step its own name, so that `-> STEP` says where it goes"),
            ),
            None => {
                seen.insert(step.name.as_str(), step);
            }
        }
    }
}

fn statement_after_way_on(step: &Step, found: &mut Vec<Diagnostic>) {
    let Some(way_on) = step.statements.iter().position(|s| s.kind.ends_step()) else {
        return;
    };
    let Some(next) = step.statements.get(way_on + 1) else {
        return;
    };
    let leaves = &step.statements[way_on];
    found.push(
        Diagnostic::new(
            Code::StatementAfterWayOn,
            format!(
                "`{}` comes after the step has already moved on",
                next.kind.keyword()
            ),
        )
        .label(next.span, "this never runs")
        .label(leaves.span, format!("step `{}` moves on here", step.name.as_str()))
        .help(format!(
            "`{}` must be the last statement of the step; move what follows before it, or into the step it leads to",
            leaves.kind.keyword()
        )),
    );
}

fn no_way_on(program: &Program, step: &Step, source: &str, found: &mut Vec<Diagnostic>) {
    if step.statements.iter().any(|s| s.kind.ends_step()) {
        return;
    }
    let next = program
        .steps
        .iter()
        .position(|s| std::ptr::eq(s, step))
        .and_then(|i| program.steps.get(i + 1));
    let suggestion = match next {
        Some(next) => format!(
            "end it with `-> {}` to go on to the next step, or with `exit OUTCOME`",
            next.name.as_str()
        ),
        None => "end it with `exit OUTCOME`, `-> STEP`, `wait up to … for …`, `branch` or `split`"
            .to_string(),
    };
    let at = step
        .statements
        .last()
        .map(|s| s.span)
        .unwrap_or(step.name.span);
    let last = step.statements.last().map(|s| s.span);
    let mut ways = Vec::new();
    if let Some(next) = next {
        ways.push(format!("-> {}", next.name.as_str()));
    }
    ways.push(format!("exit {}", step.name.as_str()));
    let fixes = ways.iter().filter_map(|way| {
        super::fixes::add_line(
            source,
            step.span,
            last,
            way,
            format!("end the step with `{way}`"),
        )
    });
    found.push(
        Diagnostic::new(
            Code::NoWayOn,
            format!(
                "step `{}` does not say where customers go next",
                step.name.as_str()
            ),
        )
        .label(step.name.span, "this step has no way on")
        .label(at, "customers would be stuck after this")
        .help(format!(
            "steps never fall through to the next one; {suggestion}"
        ))
        .fixes(fixes),
    );
}

fn duplicate_arms(step: &Step, found: &mut Vec<Diagnostic>) {
    for statement in &step.statements {
        let (word, spans): (&str, Vec<_>) = match &statement.kind {
            StatementKind::WaitFor(wait) => (
                "timeout",
                wait.arms
                    .iter()
                    .filter_map(|arm| match arm.on {
                        WaitOn::Timeout(span) => Some(span),
                        WaitOn::Event { .. } => None,
                    })
                    .collect(),
            ),
            StatementKind::Branch(arms) => (
                "else",
                arms.iter().filter_map(|arm| arm.else_span).collect(),
            ),
            _ => continue,
        };
        if let [first, second, ..] = spans.as_slice() {
            found.push(
                Diagnostic::new(Code::DuplicateArm, format!("`{word}` is written twice"))
                    .label(*second, "written again here")
                    .label(*first, "first written here")
                    .help(format!(
                        "a `{}` has one `{word}` arm; remove one of them",
                        statement.kind.keyword()
                    )),
            );
        }
    }
}

fn missing_clauses(program: &Program, found: &mut Vec<Diagnostic>) {
    let has = |keyword: &str| program.clauses.iter().any(|c| c.kind.keyword() == keyword);
    let name = program.name.as_str();
    if program.steps.is_empty() {
        found.push(
            Diagnostic::new(Code::NoSteps, format!("program `{name}` has no steps"))
                .label(program.name.span, "nothing happens in this program")
                .help("add a step, like `step hello { send email \"hello\"  exit done }`"),
        );
    }
    if !has("kind") {
        found.push(
            Diagnostic::new(Code::MissingKind, format!("program `{name}` does not say its `kind`"))
                .label(program.name.span, "no `kind` in this program")
                .help("add `kind` with what the program is for: wake_up, after_sales, repurchase, upsell, cross_sell, event_follow_up, referral, welcome or retain"),
        );
    }
    if !has("trigger") {
        found.push(
            Diagnostic::new(Code::MissingTrigger, format!("program `{name}` has no `trigger`"))
                .label(program.name.span, "no customer can enter this program")
                .help("add how customers enter, like `trigger event purchase` or `trigger no purchase for 180d`"),
        );
    }
    if !has("owner") {
        found.push(
            Diagnostic::new(
                Code::MissingOwner,
                format!("program `{name}` names no `owner`"),
            )
            .label(program.name.span, "who answers for this program?")
            .help("add `owner \"team@example.com\"` naming who to ask when it misbehaves"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::Code;

    /// N106 names the statement that never runs and the one that moved on,
    /// by the word the marketer wrote, whichever statements they are.
    #[test]
    fn a_statement_after_the_way_on_is_named_by_its_first_word() {
        // (statement, its first word, whether it moves the step on)
        let statements = [
            ("send email \"late\"", "send", false),
            ("wait 3d", "wait", false),
            (
                "wait up to 3d for click { click -> exit a  timeout -> exit b }",
                "wait up to",
                true,
            ),
            (
                "branch { when has tag vip -> exit a  else -> exit b }",
                "branch",
                true,
            ),
            ("split { 50% -> exit a  50% -> exit b }", "split", true),
            ("score +5", "score", false),
            ("tag vip", "tag", false),
            ("untag vip", "untag", false),
            ("set tier = gold", "set", false),
            ("phase develop", "phase", false),
            ("notify owner \"late\"", "notify", false),
            ("exit again", "exit", true),
            ("-> hello", "->", true),
        ];
        let ways_on = statements.iter().filter(|(_, _, moves_on)| *moves_on);
        for (first, first_word, _) in ways_on {
            for (after, after_word, _) in &statements {
                let text = format!(
                    "program p {{\n  kind welcome\n  owner \"x\"\n  trigger event signup\n  step hello {{\n    {first}\n    {after}\n  }}\n}}\n"
                );
                let found = crate::check::check_text(&text);
                let n106: Vec<_> = found
                    .iter()
                    .filter(|d| d.code == Code::StatementAfterWayOn)
                    .collect();
                assert_eq!(n106.len(), 1, "{first} / {after}: {found:?}");
                assert_eq!(
                    n106[0].message,
                    format!("`{after_word}` comes after the step has already moved on"),
                    "{first} / {after}"
                );
                let help = format!("`{first_word}` must be the last statement of the step");
                assert!(
                    n106[0].help.starts_with(&help),
                    "{first} / {after}: {}",
                    n106[0].help
                );
            }
        }
    }
}
