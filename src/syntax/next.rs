//! What the grammar accepts next: for an editor completing a half-written
//! construct, the words and kinds of token that may follow it.
//!
//! The answer comes from the grammar itself. The construct is parsed with
//! the rule that reads it where it stands (a header clause, a statement, a
//! wait arm …, each wrapped in its block so that the rule must go on), and
//! pest's error at the end lists the rules it tried there. A rule that
//! stands for a choice of constructs (`clause`, `statement`, `negation` …)
//! is opened up once by trying every keyword of the grammar on it. Keywords
//! are the rules named `kw_WORD`: a construct added to `grammar/nurture.pest`
//! is offered wherever the grammar accepts it, with no list to keep here.

use super::grammar::{NurtureParser, Rule};
use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// Where a construct is being written: which block it stands in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Outside any braces: `program NAME {` or `schema {`.
    File,
    /// Inside `program NAME { … }`, outside steps: a header clause or a step.
    Header,
    /// Inside `step NAME { … }`: a statement.
    Step,
    /// Inside `wait up to … for … { … }`: an arm.
    WaitArms,
    /// Inside `branch { … }`.
    BranchArms,
    /// Inside `split { … }`.
    SplitArms,
    /// Inside `schema { … }`: an entry.
    Schema,
    /// Inside `event NAME { … }` in a schema: a property.
    EventProperties,
}

impl Place {
    /// The text that opens the block, and the rule that reads block and
    /// construct together (so the rule cannot end where the construct does).
    fn wrap(self) -> (&'static str, Rule) {
        match self {
            Place::File => ("", Rule::file),
            Place::Header => ("program p {\n", Rule::program),
            Place::Step => ("step s {\n", Rule::step),
            Place::WaitArms => ("wait up to 1d for e {\n", Rule::wait_for),
            Place::BranchArms => ("branch {\n", Rule::branch),
            Place::SplitArms => ("split {\n", Rule::split),
            Place::Schema => ("schema {\n", Rule::schema),
            Place::EventProperties => ("event e {\n", Rule::event_decl),
        }
    }
}

/// What may come next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Next {
    /// Keywords, sorted.
    pub keywords: BTreeSet<&'static str>,
    /// A name: which kind (a step, an event, a channel …) the words before
    /// say, since the grammar reads them all alike.
    pub name: bool,
    /// An attribute (or, after `where`, an event property).
    pub attribute: bool,
    /// A number, duration, percentage or count.
    pub quantity: bool,
    /// A text in double quotes.
    pub text: bool,
    /// Punctuation and operators: `->`, `{`, `}`, `==` …
    pub symbols: BTreeSet<&'static str>,
}

/// What the grammar accepts after `construct`, the beginning of a construct
/// written at `place` (empty: a construct is about to start). `None` when
/// the construct already has a mistake before its end: nothing certain can
/// be said about what follows a mistake.
pub fn next(place: Place, construct: &str) -> Option<Next> {
    super::limits::set_call_limit();
    let (open, rule) = place.wrap();
    let text = super::prepass::prepare(&format!("{open}{construct}")).ok()?;
    let error = match NurtureParser::parse(rule, &text) {
        // The block closed within the text: nothing is expected after it
        // from this construct.
        Ok(_) => return Some(Next::default()),
        Err(error) => error,
    };
    let at = match error.location {
        InputLocation::Pos(at) => at,
        InputLocation::Span((at, _)) => at,
    };
    if at < text.trim_end().len() {
        return None;
    }
    let ErrorVariant::ParsingError { positives, .. } = &error.variant else {
        return None;
    };
    let mut next = Next::default();
    for rule in positives {
        add(*rule, &mut next);
    }
    Some(next)
}

/// Every keyword of the language, sorted.
pub fn keywords() -> impl Iterator<Item = &'static str> {
    table().keywords.values().map(String::as_str)
}

/// Whether `word` is a keyword of the language.
pub fn is_keyword(word: &str) -> bool {
    table().keywords.values().any(|k| k == word)
}

fn add(rule: Rule, next: &mut Next) {
    let table = table();
    if let Some(word) = table.keywords.get(&rule) {
        next.keywords.insert(word.as_str());
        return;
    }
    match token(rule) {
        Some(Token::Name) => next.name = true,
        Some(Token::Attribute) => next.attribute = true,
        Some(Token::Quantity) => next.quantity = true,
        Some(Token::Text) => next.text = true,
        Some(Token::Comparison) => next.symbols.extend(["==", "!=", "<", "<=", ">", ">="]),
        None => match SYMBOLS.iter().find(|(r, _)| *r == rule) {
            Some((_, symbol)) => {
                next.symbols.insert(symbol);
            }
            None => {
                for leaf in table.first.get(&rule).into_iter().flatten() {
                    add(*leaf, next);
                }
            }
        },
    }
}

const SYMBOLS: &[(Rule, &str)] = &[
    (Rule::arrow, "->"),
    (Rule::lbrace, "{"),
    (Rule::rbrace, "}"),
    (Rule::lparen, "("),
    (Rule::rparen, ")"),
    (Rule::lbracket, "["),
    (Rule::rbracket, "]"),
    (Rule::equals, "="),
    (Rule::dotdot, ".."),
    (Rule::colon, ":"),
    (Rule::bar, "|"),
];

struct Table {
    /// `kw_WORD` rules and their words.
    keywords: BTreeMap<Rule, String>,
    /// Every other rule of the grammar, and the leaves (keywords, names,
    /// numbers, texts, punctuation) it may start with.
    first: BTreeMap<Rule, BTreeSet<Rule>>,
}

/// The grammar, read by pest's own grammar parser to work out what each
/// rule may start with. It is the file the parser is generated from.
const GRAMMAR: &str = include_str!("../../grammar/nurture.pest");

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The grammar names every keyword rule `kw_WORD`, and the rule reads
        // exactly WORD.
        let keywords: BTreeMap<Rule, String> = Rule::all_rules()
            .iter()
            .filter_map(|rule| {
                let name = format!("{rule:?}");
                let word = name.strip_prefix("kw_")?.to_string();
                Some((*rule, word))
            })
            .collect();
        let first = first_sets(&keywords);
        Table { keywords, first }
    })
}

/// The kinds of token `add` tells apart.
enum Token {
    Name,
    Attribute,
    Quantity,
    Text,
    Comparison,
}

/// The rules read as one token (never opened further), and which kind.
fn token(rule: Rule) -> Option<Token> {
    Some(match rule {
        Rule::name
        | Rule::step_name
        | Rule::old_step_name
        | Rule::event_name
        | Rule::segment_name
        | Rule::channel
        | Rule::outcome
        | Rule::tag_name
        | Rule::phase_name
        | Rule::recipient
        | Rule::kind_name
        | Rule::program_name
        | Rule::type_word => Token::Name,
        Rule::attribute => Token::Attribute,
        Rule::quantity | Rule::duration | Rule::percentage | Rule::count | Rule::points => {
            Token::Quantity
        }
        Rule::text | Rule::template | Rule::message => Token::Text,
        Rule::compare_op => Token::Comparison,
        _ => return None,
    })
}

/// A rule that `add` reads as it is, never opened further.
fn is_leaf(rule: Rule, keywords: &BTreeMap<Rule, String>) -> bool {
    keywords.contains_key(&rule) || SYMBOLS.iter().any(|(r, _)| *r == rule) || token(rule).is_some()
}

/// The FIRST set of every rule: the leaves it can start with.
fn first_sets(keywords: &BTreeMap<Rule, String>) -> BTreeMap<Rule, BTreeSet<Rule>> {
    use pest_meta::ast::Expr;
    let Ok(rules) = pest_meta::parser::parse(pest_meta::parser::Rule::grammar_rules, GRAMMAR)
        .map_err(|_| ())
        .and_then(|pairs| pest_meta::parser::consume_rules(pairs).map_err(|_| ()))
    else {
        // Unreachable: the parser was generated from this very grammar.
        return BTreeMap::new();
    };
    let by_name: BTreeMap<&str, &Expr> = rules.iter().map(|r| (r.name.as_str(), &r.expr)).collect();
    let rule_of: BTreeMap<String, Rule> = Rule::all_rules()
        .iter()
        .map(|rule| (format!("{rule:?}"), *rule))
        .collect();

    struct Walk<'g> {
        by_name: BTreeMap<&'g str, &'g Expr>,
        rule_of: BTreeMap<String, Rule>,
        keywords: &'g BTreeMap<Rule, String>,
    }
    impl Walk<'_> {
        /// The leaves `expr` may start with, and whether it may match nothing.
        /// `open` holds the rules being worked out, so a rule reached again
        /// through brackets (`group` in `cond`) adds nothing new.
        fn first(&self, expr: &Expr, open: &mut Vec<String>, out: &mut BTreeSet<Rule>) -> bool {
            match expr {
                Expr::Str(text) | Expr::Insens(text) => text.is_empty(),
                Expr::Ident(name) => {
                    if let Some(rule) = self.rule_of.get(name) {
                        if is_leaf(*rule, self.keywords) {
                            out.insert(*rule);
                            return false;
                        }
                    }
                    match self.by_name.get(name.as_str()) {
                        Some(inner) if !open.contains(name) => {
                            open.push(name.clone());
                            let empty = self.first(inner, open, out);
                            open.pop();
                            empty
                        }
                        _ => name == "SOI",
                    }
                }
                Expr::PosPred(_) | Expr::NegPred(_) => true,
                Expr::Seq(a, b) => self.first(a, open, out) && self.first(b, open, out),
                Expr::Choice(a, b) => {
                    let a = self.first(a, open, out);
                    self.first(b, open, out) || a
                }
                Expr::Opt(inner) | Expr::Rep(inner) => {
                    self.first(inner, open, out);
                    true
                }
                Expr::RepOnce(inner) | Expr::Push(inner) => self.first(inner, open, out),
                Expr::RepExact(inner, n)
                | Expr::RepMin(inner, n)
                | Expr::RepMinMax(inner, n, _) => self.first(inner, open, out) || *n == 0,
                Expr::RepMax(inner, _) => {
                    self.first(inner, open, out);
                    true
                }
                _ => false,
            }
        }
    }
    let walk = Walk {
        by_name,
        rule_of,
        keywords,
    };
    let mut first = BTreeMap::new();
    for (name, expr) in &walk.by_name {
        let Some(rule) = walk.rule_of.get(*name) else {
            continue;
        };
        if is_leaf(*rule, keywords) {
            continue;
        }
        let mut out = BTreeSet::new();
        walk.first(expr, &mut vec![name.to_string()], &mut out);
        first.insert(*rule, out);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(next: &Next) -> Vec<&str> {
        next.keywords.iter().copied().collect()
    }

    #[test]
    fn each_keyword_rule_reads_its_word() {
        for (rule, word) in &table().keywords {
            let read = NurtureParser::parse(*rule, word)
                .map(|mut p| p.next().map(|p| p.as_str().to_string()));
            assert_eq!(
                read.ok().flatten().as_deref(),
                Some(word.as_str()),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn a_header_starts_with_a_clause_or_a_step() {
        let next = next(Place::Header, "").unwrap();
        for word in ["title", "kind", "trigger", "exit", "start", "step"] {
            assert!(next.keywords.contains(word), "{word} in {:?}", words(&next));
        }
        assert!(!next.keywords.contains("send"));
        assert!(next.symbols.contains("}"));
    }

    #[test]
    fn a_trigger_goes_on_with_its_kinds() {
        let next = next(Place::Header, "trigger ").unwrap();
        assert_eq!(words(&next), ["event", "no", "phase", "segment", "tag"]);
        assert!(next.quantity, "a date trigger starts with a duration");
    }

    #[test]
    fn a_send_may_go_on_with_if() {
        let next = next(Place::Step, "send email \"x\" ").unwrap();
        assert!(next.keywords.contains("if"));
        assert!(next.keywords.contains("wait"), "or the next statement");
    }

    #[test]
    fn after_an_arrow_comes_a_target() {
        let next = next(Place::WaitArms, "click -> ").unwrap();
        assert!(next.name);
        assert_eq!(words(&next), ["exit"]);
    }

    #[test]
    fn after_where_comes_a_condition() {
        let next = next(Place::Header, "trigger event purchase where ").unwrap();
        assert!(next.attribute);
        for word in ["not", "consent", "has", "true", "false"] {
            assert!(next.keywords.contains(word), "{word} in {:?}", words(&next));
        }
    }

    #[test]
    fn a_mistake_before_the_end_says_nothing() {
        assert_eq!(next(Place::Step, "send email email email "), None);
    }

    #[test]
    fn keywords_are_known() {
        assert!(is_keyword("timeout"));
        assert!(!is_keyword("offer"));
        assert!(keywords().count() > 50);
    }
}
