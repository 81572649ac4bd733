//! Conditions: `or` of `and` of one test each; only parentheses nest.

use super::Descent;
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    /// `where_cond = _{ kw_where ~ cond }`: silent, so no entry of its own.
    pub(super) fn where_cond(&mut self) -> bool {
        self.attempt(|p| seq!(p, p.kw(Rule::kw_where, b"where"), p.cond()))
    }

    pub(super) fn cond(&mut self) -> bool {
        self.rule(Rule::cond, |p| {
            seq!(
                p,
                p.conj(),
                p.many(|p| p.attempt(|p| seq!(p, p.kw(Rule::kw_or, b"or"), p.conj())))
            )
        })
    }

    pub(super) fn conj(&mut self) -> bool {
        self.rule(Rule::conj, |p| {
            seq!(
                p,
                p.negation(),
                p.many(|p| p.attempt(|p| seq!(p, p.kw(Rule::kw_and, b"and"), p.negation())))
            )
        })
    }

    pub(super) fn negation(&mut self) -> bool {
        self.rule(Rule::negation, |p| {
            seq!(
                p,
                p.opt(|p| p.kw(Rule::kw_not, b"not")),
                (p.group() || p.consent_test() || p.tag_test() || p.data_test() || p.comparison())
            )
        })
    }

    pub(super) fn group(&mut self) -> bool {
        self.rule(Rule::group, |p| {
            seq!(
                p,
                p.punct(Rule::lparen, b"("),
                p.cond(),
                p.punct(Rule::rparen, b")")
            )
        })
    }

    pub(super) fn consent_test(&mut self) -> bool {
        self.rule(Rule::consent_test, |p| {
            seq!(p, p.kw(Rule::kw_consent, b"consent"), p.channel())
        })
    }

    pub(super) fn tag_test(&mut self) -> bool {
        self.rule(Rule::tag_test, |p| {
            seq!(
                p,
                p.kw(Rule::kw_has, b"has"),
                p.kw(Rule::kw_tag, b"tag"),
                p.named(Rule::tag_name)
            )
        })
    }

    pub(super) fn data_test(&mut self) -> bool {
        self.rule(Rule::data_test, |p| {
            seq!(
                p,
                p.kw(Rule::kw_has, b"has"),
                (p.trigger_data() || p.answer_data())
            )
        })
    }

    pub(super) fn comparison(&mut self) -> bool {
        self.rule(Rule::comparison, |p| {
            seq!(
                p,
                p.operand(),
                p.opt(|p| {
                    p.attempt(|p| seq!(p, p.compare_op(), p.operand()))
                        || p.attempt(|p| {
                            seq!(
                                p,
                                p.kw(Rule::kw_not, b"not"),
                                p.kw(Rule::kw_in, b"in"),
                                p.list()
                            )
                        })
                        || p.attempt(|p| seq!(p, p.kw(Rule::kw_in, b"in"), p.list()))
                })
            )
        })
    }

    pub(super) fn operand(&mut self) -> bool {
        self.rule(Rule::operand, |p| {
            p.relative_time() || p.literal() || p.trigger_data() || p.answer_data() || p.attribute()
        })
    }

    /// `trigger_data = ${ kw_trigger ~ "." ~ property_path }`: no blanks.
    pub(super) fn trigger_data(&mut self) -> bool {
        self.rule(Rule::trigger_data, |p| {
            p.kw(Rule::kw_trigger, b"trigger") && p.lit(b".") && p.property_path()
        })
    }

    pub(super) fn answer_data(&mut self) -> bool {
        self.rule(Rule::answer_data, |p| {
            p.kw(Rule::kw_answer, b"answer") && p.lit(b".") && p.property_path()
        })
    }

    pub(super) fn relative_time(&mut self) -> bool {
        self.rule(Rule::relative_time, |p| {
            seq!(
                p,
                p.duration(),
                (p.kw(Rule::kw_ago, b"ago")
                    || p.attempt(|p| {
                        seq!(p, p.kw(Rule::kw_from, b"from"), p.kw(Rule::kw_now, b"now"))
                    }))
            )
        })
    }

    /// `lbracket ~ (value ~ ("," ~ value)*)? ~ ","? ~ rbracket`
    pub(super) fn list(&mut self) -> bool {
        self.rule(Rule::list, |p| {
            seq!(
                p,
                p.punct(Rule::lbracket, b"["),
                p.opt(|p| {
                    p.attempt(|p| seq!(p, p.value(), p.many(|p| p.comma_then(Self::value))))
                }),
                p.opt(|p| p.lit(b",")),
                p.punct(Rule::rbracket, b"]")
            )
        })
    }

    pub(super) fn value(&mut self) -> bool {
        self.rule(Rule::value, |p| p.literal() || p.name())
    }

    pub(super) fn literal(&mut self) -> bool {
        self.rule(Rule::literal, |p| {
            p.text()
                || p.quantity()
                || p.kw(Rule::kw_true, b"true")
                || p.kw(Rule::kw_false, b"false")
        })
    }
}
