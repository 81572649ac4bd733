//! `simulate --trace-where 'outcome == handed_off'`: which customers to
//! trace, by what happened to them. A condition is one or more tests
//! joined by `and` and `or` (`and` binds tighter, as in programs):
//!
//! | test | holds for a customer who… |
//! |---|---|
//! | `outcome == NAME` / `!=` | had a journey end with that outcome (`still_in` for one going on at the end, `holdout` for the holdout's) / never did |
//! | `step == NAME` / `!=` | reached the step / never did |
//! | `converted` / `not converted` | did the goal within its window after entering |
//! | `holdout` / `not holdout` | entered the holdout |
//! | `entered` / `not entered` | began a journey |
//! | `messages OP N` | got N messages in all (`==`, `!=`, `<`, `<=`, `>`, `>=`) |
//!
//! Names may be quoted (`outcome == "handed_off"`). A condition that does
//! not read, or names what no program has, is a diagnostic at its place in
//! the condition (N501, N502), as a program's problems are.

use super::setup::Setup;
use super::tally::Tally;
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix};
use crate::span::Span;

/// A parsed `--trace-where`: alternatives (`or`), each tests that must
/// all hold (`and`).
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    any: Vec<Vec<Test>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    Outcome { name: String, is: bool, span: Span },
    Step { name: String, is: bool, span: Span },
    Converted(bool),
    Holdout(bool),
    Entered(bool),
    Messages { op: Op, count: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What one customer's simulation in one program came to.
pub struct Summary<'t> {
    setup: &'t Setup<'t>,
    tally: &'t Tally,
}

impl<'t> Summary<'t> {
    /// `tally` holds one customer's counts.
    pub fn new(setup: &'t Setup<'t>, tally: &'t Tally) -> Self {
        Summary { setup, tally }
    }

    fn had_outcome(&self, name: &str) -> bool {
        let t = self.tally;
        if name == "still_in" || name == "still in" {
            return t.still_in_treated + t.still_in_holdout > 0;
        }
        if name == "holdout" && t.holdout > 0 {
            return true;
        }
        self.setup
            .outcome_index(name)
            .is_some_and(|i| t.outcomes_treated[i] + t.outcomes_holdout[i] > 0)
    }

    fn reached(&self, step: &str) -> bool {
        self.setup
            .steps
            .iter()
            .position(|s| s == step)
            .is_some_and(|i| self.tally.steps[i].entered > 0)
    }

    fn messages(&self) -> u64 {
        self.tally.sent.iter().sum()
    }
}

impl Pick {
    /// The condition, or every problem found in it (with spans into
    /// `text`).
    pub fn parse(text: &str) -> Result<Pick, Vec<Diagnostic>> {
        let tokens = match tokens(text) {
            Ok(tokens) => tokens,
            Err(problem) => return Err(vec![problem]),
        };
        if tokens.is_empty() {
            return Err(vec![
                syntax("the `--trace-where` condition is empty")
                    .label(Span::at(0), "nothing to test")
                    .help(HELP),
            ]);
        }
        let mut problems = Vec::new();
        let mut any = Vec::new();
        let mut all = Vec::new();
        let mut at = 0;
        // The comparison just before a joiner, for the help when the next
        // test leaves its field out (`outcome == a or b`).
        let mut before: Option<Before> = None;
        loop {
            let begin = at;
            match test(text, &tokens, &mut at, before.take()) {
                Ok(test) => {
                    if at - begin == 3
                        && let Some(joiner) = tokens.get(at).filter(|t| is_joiner(t))
                    {
                        before = Some(Before {
                            test: text[tokens[begin].span.start..tokens[at - 1].span.end]
                                .to_string(),
                            field: tokens[begin].text.to_string(),
                            op: tokens[begin + 1].text.to_string(),
                            joiner: joiner.text.to_string(),
                        });
                    }
                    all.push(test)
                }
                Err(problem) => {
                    problems.push(problem);
                    // Go on at the next `and` or `or`, to report every problem.
                    while at < tokens.len() && !is_joiner(&tokens[at]) {
                        at += 1;
                    }
                }
            }
            match tokens.get(at) {
                None => break,
                Some(token) if token.word("and") => at += 1,
                Some(token) if token.word("or") => {
                    any.push(std::mem::take(&mut all));
                    at += 1;
                }
                Some(token) => {
                    let previous = tokens[at - 1].span;
                    let mut problem = syntax(format!(
                        "`{}` follows a whole test in the `--trace-where` condition",
                        token.text(text)
                    ))
                    .label(token.span, "expected `and`, `or` or the end here");
                    problem = if matches!(token.kind, Kind::Word | Kind::Quoted) {
                        problem.help(format!(
                            "a name is one word (`handed_off`); to test two things join them: `{} and ...` or `{} or ...`",
                            &text[..previous.end].trim(),
                            &text[..previous.end].trim()
                        ))
                    } else {
                        problem.help(HELP)
                    };
                    problems.push(problem);
                    while at < tokens.len() && !is_joiner(&tokens[at]) {
                        at += 1;
                    }
                }
            }
            if at >= tokens.len() {
                if tokens.last().is_some_and(is_joiner) {
                    let last = tokens[tokens.len() - 1].span;
                    problems.push(
                        syntax(format!(
                            "the `--trace-where` condition ends with `{}`",
                            &text[last.start..last.end]
                        ))
                        .label(Span::at(text.len()), "a test is missing here")
                        .help(HELP),
                    );
                }
                break;
            }
        }
        any.push(all);
        if problems.is_empty() {
            Ok(Pick { any })
        } else {
            Err(problems)
        }
    }

    /// The outcome and step names the condition uses that no setup has: a
    /// misspelt name would match nobody, silently.
    pub fn unknown_names(&self, setups: &[Setup]) -> Vec<Diagnostic> {
        let outcomes: Vec<&str> = {
            let mut all: Vec<&str> = setups
                .iter()
                .flat_map(|s| s.outcomes.iter().map(String::as_str))
                .chain(["holdout", "still_in"])
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        };
        let steps: Vec<&str> = {
            let mut all: Vec<&str> = setups
                .iter()
                .flat_map(|s| s.steps.iter().map(String::as_str))
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        };
        let mut unknown = Vec::new();
        for test in self.any.iter().flatten() {
            let (what, name, span, known) = match test {
                Test::Outcome { name, span, .. } => ("outcome", name, *span, &outcomes),
                Test::Step { name, span, .. } => ("step", name, *span, &steps),
                _ => continue,
            };
            if known.contains(&name.as_str()) {
                continue;
            }
            let mut problem = Diagnostic::new(
                Code::TraceWhereUnknownName,
                format!("no program has the {what} `{name}`"),
            );
            problem = match crate::suggest::closest(name, known.iter().copied()) {
                Some(close) => problem.did_you_mean(span, close),
                None => problem.label(span, format!("unknown {what}")),
            };
            unknown.push(problem.help(format!(
                "the {what}s of the programs simulated: {}",
                listing(known)
            )));
        }
        unknown
    }

    pub fn matches(&self, summary: &Summary) -> bool {
        let t = summary.tally;
        self.any.iter().any(|all| {
            all.iter().all(|test| match test {
                Test::Outcome { name, is, .. } => summary.had_outcome(name) == *is,
                Test::Step { name, is, .. } => summary.reached(name) == *is,
                Test::Converted(is) => (t.converted_treated + t.converted_holdout > 0) == *is,
                Test::Holdout(is) => (t.holdout > 0) == *is,
                Test::Entered(is) => (t.treated + t.holdout > 0) == *is,
                Test::Messages { op, count } => {
                    let n = summary.messages();
                    match op {
                        Op::Eq => n == *count,
                        Op::Ne => n != *count,
                        Op::Lt => n < *count,
                        Op::Le => n <= *count,
                        Op::Gt => n > *count,
                        Op::Ge => n >= *count,
                    }
                }
            })
        })
    }
}

const HELP: &str = "write tests like `outcome == handed_off`, `step == offer`, `converted`, `not holdout`, `messages >= 2`, joined by `and` or `or`";

/// The names in backticks, at most 20 of them.
fn listing(names: &[&str]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        text.push(format!("and {} more", names.len() - SHOWN));
    }
    text.join(", ")
}

fn syntax(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::TraceWhereSyntax, message)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Word,
    Quoted,
    Op(Op),
    /// `=`, a slip for `==`.
    Single,
    /// Anything else (`(`, `|`, …).
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token<'t> {
    kind: Kind,
    span: Span,
    /// The token as written (a name with its quotes).
    text: &'t str,
}

impl<'t> Token<'t> {
    fn text(&self, _condition: &str) -> &'t str {
        self.text
    }

    /// The word `word`, unquoted.
    fn word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text == word
    }
}

fn is_joiner(token: &Token) -> bool {
    token.word("and") || token.word("or")
}

fn tokens(text: &str) -> Result<Vec<Token<'_>>, Diagnostic> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = match c {
            c if c.is_whitespace() => continue,
            '"' | '\'' => {
                let mut end = None;
                for (i, d) in chars.by_ref() {
                    if d == c {
                        end = Some(i + 1);
                        break;
                    }
                }
                let Some(end) = end else {
                    return Err(
                        syntax("a name in the `--trace-where` condition is not closed")
                            .label(
                                Span::new(start, text.len()),
                                format!("no closing {c} after this"),
                            )
                            .help(format!(
                                "end the name with {c}: `outcome == {c}handed_off{c}`"
                            )),
                    );
                };
                out.push(Token {
                    kind: Kind::Quoted,
                    span: Span::new(start, end),
                    text: &text[start..end],
                });
                continue;
            }
            '=' | '!' | '<' | '>' => {
                let double = chars.peek().is_some_and(|(_, d)| *d == '=');
                if double {
                    chars.next();
                }
                let end = start + 1 + usize::from(double);
                let kind = match (c, double) {
                    ('=', true) => Kind::Op(Op::Eq),
                    ('=', false) => Kind::Single,
                    ('!', true) => Kind::Op(Op::Ne),
                    ('<', true) => Kind::Op(Op::Le),
                    ('>', true) => Kind::Op(Op::Ge),
                    ('<', false) => Kind::Op(Op::Lt),
                    ('>', false) => Kind::Op(Op::Gt),
                    _ => Kind::Other,
                };
                out.push(Token {
                    kind,
                    span: Span::new(start, end),
                    text: &text[start..end],
                });
                continue;
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' => Kind::Word,
            _ => Kind::Other,
        };
        let mut end = start + c.len_utf8();
        if kind == Kind::Word {
            while let Some((i, d)) = chars.peek().copied() {
                if d.is_alphanumeric() || d == '_' || d == '-' || d == '.' {
                    end = i + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
        }
        out.push(Token {
            kind,
            span: Span::new(start, end),
            text: &text[start..end],
        });
    }
    Ok(out)
}

/// The comparison before `and` or `or`, as written.
struct Before {
    test: String,
    field: String,
    op: String,
    joiner: String,
}

/// The fields and tests, for "did you mean".
const WORDS: [&str; 7] = [
    "outcome",
    "step",
    "messages",
    "converted",
    "holdout",
    "entered",
    "not",
];

/// One test from `tokens[*at..]`, leaving `*at` after it.
fn test(
    text: &str,
    tokens: &[Token<'_>],
    at: &mut usize,
    before: Option<Before>,
) -> Result<Test, Diagnostic> {
    let Some(first) = tokens.get(*at).copied() else {
        return Err(syntax("a test is missing in the `--trace-where` condition")
            .label(Span::at(text.len()), "a test is missing here")
            .help(HELP));
    };
    *at += 1;
    let negated = first.word("not");
    let head = if negated {
        let Some(next) = tokens.get(*at).copied() else {
            return Err(syntax("`not` ends the `--trace-where` condition")
                .label(
                    Span::at(text.len()),
                    "expected `converted`, `holdout` or `entered`",
                )
                .help(HELP));
        };
        *at += 1;
        next
    } else {
        first
    };
    if head.kind != Kind::Word {
        return Err(syntax(format!(
            "`{}` is not a test in the `--trace-where` condition",
            head.text(text)
        ))
        .label(head.span, "expected a test here")
        .help(HELP));
    }
    let field = head.text(text);
    match field {
        "converted" => return Ok(Test::Converted(!negated)),
        "holdout" => return Ok(Test::Holdout(!negated)),
        "entered" => return Ok(Test::Entered(!negated)),
        _ => {}
    }
    if negated {
        return Err(syntax(format!("`not` does not go before `{field}`"))
            .label(
                first.span.to(head.span),
                "`not` goes before `converted`, `holdout` or `entered`",
            )
            .help(format!("for `{field}` write `!=`: `{field} != ...`")));
    }
    if !matches!(field, "outcome" | "step" | "messages") {
        let problem = syntax(format!("`{field}` is not something to pick customers by"));
        if let Some(before) = before.filter(|_| *at == tokens.len() || is_joiner(&tokens[*at])) {
            // `outcome == handed_off or converted_late`: the field is left out.
            let Before {
                test,
                field: left_out,
                op,
                joiner,
            } = before;
            let whole = format!("{left_out} {op} {field}");
            return Err(problem
                .label(
                    head.span,
                    format!("read as a test of its own: `{left_out} {op}` is left out"),
                )
                .help(format!(
                    "each test names what it compares: `{test} {joiner} {whole}`"
                ))
                .fix(Fix::replace(format!("write `{whole}`"), head.span, whole)));
        }
        let problem = match crate::suggest::closest(field, WORDS) {
            Some(close) => problem.did_you_mean(head.span, close),
            None => problem.label(head.span, "not a test"),
        };
        return Err(problem.help(HELP));
    }
    let Some(op_token) = tokens.get(*at).copied() else {
        return Err(syntax(format!("`{field}` is compared with nothing"))
            .label(Span::at(text.len()), "expected `==` and a value here")
            .help(format!("write `{field} == ...`")));
    };
    let op = match op_token.kind {
        Kind::Op(op) => op,
        Kind::Single => {
            return Err(
                syntax("`=` is not a comparison in the `--trace-where` condition")
                    .label(op_token.span, "write `==` here")
                    .help(format!(
                        "compare with `==`: `{field} == ...` (or `!=` for the opposite)"
                    ))
                    .fix(Fix::replace("write `==`", op_token.span, "==")),
            );
        }
        _ => {
            return Err(syntax(format!(
                "`{field}` is followed by `{}`, not a comparison",
                op_token.text(text)
            ))
            .label(
                op_token.span,
                "expected `==`, `!=`, `<`, `<=`, `>` or `>=` here",
            )
            .help(format!("write `{field} == ...`")));
        }
    };
    *at += 1;
    let Some(value) = tokens
        .get(*at)
        .copied()
        .filter(|v| matches!(v.kind, Kind::Word | Kind::Quoted) && !is_joiner(v))
    else {
        let place = tokens.get(*at).map_or(Span::at(text.len()), |t| t.span);
        return Err(syntax(format!(
            "`{}` compares with nothing",
            text[head.span.start..op_token.span.end].trim()
        ))
        .label(place, "expected a name or number here")
        .help(HELP));
    };
    *at += 1;
    let raw = value.text(text);
    let name = match value.kind {
        Kind::Quoted => &raw[1..raw.len() - 1],
        _ => raw,
    };
    let is = match op {
        Op::Eq => Some(true),
        Op::Ne => Some(false),
        _ => None,
    };
    match (field, is) {
        ("outcome", Some(is)) => Ok(Test::Outcome {
            name: name.replace(' ', "_"),
            is,
            span: value.span,
        }),
        ("step", Some(is)) => Ok(Test::Step {
            name: name.to_string(),
            is,
            span: value.span,
        }),
        ("messages", _) => name
            .parse()
            .map(|count| Test::Messages { op, count })
            .map_err(|_| {
                syntax(format!("`{name}` is not a whole number of messages"))
                    .label(value.span, "expected a whole number")
                    .help("write `messages >= 2`")
            }),
        _ => Err(syntax(format!("`{field}` is compared with `==` or `!=`"))
            .label(op_token.span, "an order does not apply to names")
            .help(format!("write `{field} == NAME` or `{field} != NAME`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tests_of(text: &str) -> Vec<Vec<Test>> {
        match Pick::parse(text) {
            Ok(pick) => pick.any,
            Err(problems) => panic!("{text}: {problems:?}"),
        }
    }

    fn problems(text: &str) -> Vec<(Code, String, Span, String)> {
        match Pick::parse(text) {
            Ok(pick) => panic!("{text} read as {pick:?}"),
            Err(problems) => problems
                .into_iter()
                .map(|p| (p.code, p.message.clone(), p.primary_span(), p.help.clone()))
                .collect(),
        }
    }

    #[test]
    fn conditions_read_as_written() {
        assert_eq!(
            tests_of("outcome == handed_off"),
            vec![vec![Test::Outcome {
                name: "handed_off".to_string(),
                is: true,
                span: Span::new(11, 21),
            }]]
        );
        assert_eq!(
            tests_of("step != \"offer\" and not converted and messages >= 2"),
            vec![vec![
                Test::Step {
                    name: "offer".to_string(),
                    is: false,
                    span: Span::new(8, 15),
                },
                Test::Converted(false),
                Test::Messages {
                    op: Op::Ge,
                    count: 2
                },
            ]]
        );
        assert_eq!(
            tests_of("outcome==converted or holdout and messages>1"),
            vec![
                vec![Test::Outcome {
                    name: "converted".to_string(),
                    is: true,
                    span: Span::new(9, 18),
                }],
                vec![
                    Test::Holdout(true),
                    Test::Messages {
                        op: Op::Gt,
                        count: 1
                    }
                ],
            ]
        );
        assert_eq!(
            tests_of("outcome == 'still in'"),
            vec![vec![Test::Outcome {
                name: "still_in".to_string(),
                is: true,
                span: Span::new(11, 21),
            }]]
        );
    }

    #[test]
    fn a_name_is_one_word() {
        // `or` is not glued into the name: the second word is a test.
        let found = problems("outcome == handed_off or");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, Span::at(24));
        let found = problems("outcome == handed off");
        assert_eq!(found[0].0, Code::TraceWhereSyntax);
        assert_eq!(
            found[0].1,
            "`off` follows a whole test in the `--trace-where` condition"
        );
        assert_eq!(found[0].2, Span::new(18, 21));
    }

    #[test]
    fn a_single_equals_is_an_error_at_its_place() {
        let found = problems("outcome = handed_off");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Code::TraceWhereSyntax);
        assert_eq!(found[0].2, Span::new(8, 9));
        assert!(found[0].3.contains("`outcome == ...`"), "{found:?}");
    }

    #[test]
    fn every_problem_is_reported() {
        let found = problems("colour == red and outcome = x or not step == a");
        let spans: Vec<Span> = found.iter().map(|p| p.2).collect();
        assert_eq!(
            spans,
            [Span::new(0, 6), Span::new(26, 27), Span::new(33, 41)]
        );
        assert!(
            found[0]
                .1
                .contains("`colour` is not something to pick customers by")
        );
        for bad in [
            "",
            "   ",
            "outcome > 3",
            "messages == many",
            "outcome ==",
            "outcome",
            "and converted",
            "converted and",
            "outcome == \"open",
            "(converted)",
        ] {
            let found = problems(bad);
            assert!(!found.is_empty(), "{bad}");
            for (_, _, span, help) in &found {
                assert!(span.end <= bad.len(), "{bad}: {span:?}");
                assert!(!help.is_empty(), "{bad}");
            }
        }
    }

    #[test]
    fn a_misspelt_field_gets_a_suggestion() {
        let found = Pick::parse("outcom == x").expect_err("no field outcom");
        assert_eq!(found[0].labels[0].message, "did you mean `outcome`?");
    }
}
