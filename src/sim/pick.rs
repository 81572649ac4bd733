//! `simulate --trace-where 'outcome == handed_off'`: which customers to
//! trace, by what happened to them. A condition is one or more tests
//! joined by `and`:
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
//! Names may be quoted (`outcome == "handed_off"`).

use super::setup::Setup;
use super::tally::Tally;

/// A parsed `--trace-where`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    tests: Vec<Test>,
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    Outcome { name: String, is: bool },
    Step { name: String, is: bool },
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
    pub fn parse(text: &str) -> Result<Pick, String> {
        let mut tests = Vec::new();
        for part in split_and(text) {
            tests.push(test(part.trim())?);
        }
        if tests.is_empty() {
            return Err(format!("`{text}` is empty; {}", HELP));
        }
        Ok(Pick { tests })
    }

    /// The outcome and step names the condition uses that `setup` does not
    /// have: a misspelt name would match nobody, silently.
    pub fn unknown_names(&self, setups: &[Setup]) -> Vec<String> {
        let mut unknown = Vec::new();
        for test in &self.tests {
            match test {
                Test::Outcome { name, .. } => {
                    let known = name == "still_in"
                        || name == "holdout"
                        || setups.iter().any(|s| s.outcome_index(name).is_some());
                    if !known {
                        let all: Vec<&str> = setups
                            .iter()
                            .flat_map(|s| s.outcomes.iter().map(String::as_str))
                            .chain(["still_in"])
                            .collect();
                        unknown.push(describe("outcome", name, &all));
                    }
                }
                Test::Step { name, .. } if !setups.iter().any(|s| s.steps.contains(name)) => {
                    let all: Vec<&str> = setups
                        .iter()
                        .flat_map(|s| s.steps.iter().map(String::as_str))
                        .collect();
                    unknown.push(describe("step", name, &all));
                }
                _ => {}
            }
        }
        unknown
    }

    pub fn matches(&self, summary: &Summary) -> bool {
        let t = summary.tally;
        self.tests.iter().all(|test| match test {
            Test::Outcome { name, is } => summary.had_outcome(name) == *is,
            Test::Step { name, is } => summary.reached(name) == *is,
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
    }
}

const HELP: &str = "write tests like `outcome == handed_off`, `step == offer`, `converted`, `not holdout`, `messages >= 2`, joined by `and`";

fn describe(what: &str, name: &str, known: &[&str]) -> String {
    match crate::suggest::closest(name, known.iter().copied()) {
        Some(close) => format!("no program has the {what} `{name}`; did you mean `{close}`?"),
        None => format!("no program has the {what} `{name}`"),
    }
}

/// The parts between ` and `s (outside quotes).
fn split_and(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => quoted = !quoted,
            _ if !quoted && text[i..].starts_with(" and ") => {
                parts.push(&text[start..i]);
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let last = &text[start..];
    if !last.trim().is_empty() || !parts.is_empty() {
        parts.push(last);
    }
    parts
}

fn test(text: &str) -> Result<Test, String> {
    let (negated, rest) = match text.strip_prefix("not ") {
        Some(rest) => (true, rest.trim()),
        None => (false, text),
    };
    match rest {
        "converted" => return Ok(Test::Converted(!negated)),
        "holdout" => return Ok(Test::Holdout(!negated)),
        "entered" => return Ok(Test::Entered(!negated)),
        _ => {}
    }
    if negated {
        return Err(format!(
            "`not` goes before `converted`, `holdout` or `entered`; for the others write `!=`: {HELP}"
        ));
    }
    let ops = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ];
    let Some((at, symbol, op)) = ops
        .iter()
        .filter_map(|(symbol, op)| rest.find(symbol).map(|at| (at, *symbol, *op)))
        .min_by_key(|(at, symbol, _)| (*at, std::cmp::Reverse(symbol.len())))
    else {
        return Err(format!("`{text}` is not a test: {HELP}"));
    };
    let field = rest[..at].trim();
    let value = rest[at + symbol.len()..]
        .trim()
        .trim_matches(|c| c == '"' || c == '\'');
    if value.is_empty() {
        return Err(format!("`{text}` compares with nothing: {HELP}"));
    }
    let is = match op {
        Op::Eq => Some(true),
        Op::Ne => Some(false),
        _ => None,
    };
    match (field, is) {
        ("outcome", Some(is)) => Ok(Test::Outcome {
            name: value.replace(' ', "_"),
            is,
        }),
        ("step", Some(is)) => Ok(Test::Step {
            name: value.to_string(),
            is,
        }),
        ("messages", _) => value
            .parse()
            .map(|count| Test::Messages { op, count })
            .map_err(|_| format!("`{value}` is not a whole number of messages")),
        ("outcome" | "step", None) => Err(format!(
            "`{field}` is compared with `==` or `!=`: `{field} == NAME`"
        )),
        _ => Err(format!(
            "`{field}` is not something to pick customers by: {HELP}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_as_written() {
        assert_eq!(
            Pick::parse("outcome == handed_off").map(|p| p.tests),
            Ok(vec![Test::Outcome {
                name: "handed_off".to_string(),
                is: true
            }])
        );
        assert_eq!(
            Pick::parse("step != \"offer\" and not converted and messages >= 2").map(|p| p.tests),
            Ok(vec![
                Test::Step {
                    name: "offer".to_string(),
                    is: false
                },
                Test::Converted(false),
                Test::Messages {
                    op: Op::Ge,
                    count: 2
                },
            ])
        );
        for bad in [
            "",
            "colour == red",
            "outcome > 3",
            "messages == many",
            "not step == a",
            "outcome ==",
        ] {
            assert!(Pick::parse(bad).is_err(), "{bad}");
        }
    }
}
