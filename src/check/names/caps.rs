//! A cap on a channel no `send` of the program uses (N216): it limits
//! nothing, and is most often `cap 3 message per 14d` written for `cap 3
//! messages per 14d`. Checked with or without a schema; a channel the
//! schema does not declare is N206's, which suggests `messages` too.

use super::known::Known;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{ClauseKind, Program};
use std::collections::BTreeSet;

pub(super) fn check(program: &Program, source: &str, known: &Known, found: &mut Vec<Diagnostic>) {
    let sent: BTreeSet<&str> = program
        .steps
        .iter()
        .flat_map(|s| &s.statements)
        .flat_map(|s| s.kind.send_channels())
        .map(|channel| channel.as_str())
        .collect();
    for clause in &program.clauses {
        let ClauseKind::Cap(cap) = &clause.kind else {
            continue;
        };
        let Some(channel) = &cap.channel else {
            continue;
        };
        let name = channel.as_str();
        let undeclared = !known.open && !known.channels.contains(name);
        if name.is_empty() || sent.contains(name) || undeclared {
            continue;
        }
        let written = source
            .get(clause.span.start..clause.span.end)
            .unwrap_or("cap")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let candidates = sent.iter().copied().chain(["messages"]);
        let diagnostic = Diagnostic::new(
            Code::CapWithoutSends,
            format!("`{written}` counts `{name}`, which no `send` here uses"),
        );
        found.push(match crate::suggest::closest(name, candidates) {
            Some(close) => {
                let fixed = written.replacen(name, close, 1);
                diagnostic
                    .label(channel.span, format!("did you mean `{close}`?"))
                    .help(if close == "messages" {
                        format!("write `{fixed}` to count every message, whatever its channel")
                    } else {
                        format!("write `{fixed}`")
                    })
            }
            None => diagnostic
                .label(channel.span, format!("no `send {name} …` in this program"))
                .help(format!(
                    "cap a channel this program sends on, or all messages with `messages`; {}",
                    if sent.is_empty() {
                        "this program sends nothing yet".to_string()
                    } else {
                        format!(
                            "it sends on {}",
                            crate::syntax::word_list(sent.iter().copied())
                        )
                    }
                )),
        });
    }
}
