//! Structure checks on `step NEW (was OLD)`: every old name names a step
//! the program no longer has (N130), and belongs to one step only (N131).
//! `nurture diff` and `nurture serve --migrate` move the customers waiting
//! in the old version's step `OLD` to the step that says it was `OLD`, so
//! that step must be the only candidate.

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::span::Name;
use crate::syntax::ast::Program;
use std::collections::BTreeMap;

pub fn check(program: &Program, found: &mut Vec<Diagnostic>) {
    let steps: BTreeMap<&str, &Name> = program
        .steps
        .iter()
        .rev()
        .map(|step| (step.name.as_str(), &step.name))
        .collect();
    let mut claimed: BTreeMap<&str, (&Name, &Name)> = BTreeMap::new();
    for step in &program.steps {
        for old in &step.was {
            let name = old.as_str();
            if name.is_empty() {
                continue;
            }
            if let Some(current) = steps.get(name) {
                let diagnostic = Diagnostic::new(
                    Code::OldNameIsAStep,
                    format!("`{name}` is the name of a step in the program"),
                );
                found.push(if current.span == step.name.span {
                    diagnostic
                        .label(old.span, "the step's own name")
                        .help(format!(
                            "`(was …)` lists the names the step had before; remove `{name}` from it"
                        ))
                } else {
                    diagnostic
                        .label(old.span, "said to be an old name here")
                        .label(current.span, "but a step has it now")
                        .help(format!(
                            "an old name must be one the program no longer has: remove `{name}` from `(was …)`, or rename the step `{name}`"
                        ))
                });
                continue;
            }
            match claimed.get(name) {
                Some((first, owner)) => {
                    let same_step = owner.span == step.name.span;
                    found.push(
                        Diagnostic::new(
                            Code::OldNameTwice,
                            if same_step {
                                format!("`{name}` is written twice in `(was …)`")
                            } else {
                                format!(
                                    "steps `{}` and `{}` both say they were `{name}`",
                                    owner.as_str(),
                                    step.name.as_str()
                                )
                            },
                        )
                        .label(old.span, "said again here")
                        .label(first.span, "first said here")
                        .help(if same_step {
                            format!("write `{name}` once")
                        } else {
                            format!(
                                "customers waiting in the old `{name}` need one step to go to: keep `(was {name})` on the step that takes its place"
                            )
                        }),
                    );
                }
                None => {
                    claimed.insert(name, (old, &step.name));
                }
            }
        }
    }
}
