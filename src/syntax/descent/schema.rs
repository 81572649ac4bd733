//! The customer schema and its entries.

use super::Descent;
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    pub(super) fn schema(&mut self) -> bool {
        self.rule(Rule::schema, |p| {
            seq!(p, p.schema_head(), p.many(Self::schema_entry), p.rbrace())
        })
    }

    pub(super) fn schema_head(&mut self) -> bool {
        self.rule(Rule::schema_head, |p| {
            seq!(p, p.kw(Rule::kw_schema, b"schema"), p.lbrace())
        })
    }

    pub(super) fn schema_entry(&mut self) -> bool {
        self.rule(Rule::schema_entry, |p| {
            p.attribute_decl()
                || p.event_decl()
                || p.channel_decl()
                || p.team_decl()
                || p.segment_decl()
                || p.tag_decl()
                || p.rule(Rule::schema_cap, Self::cap)
        })
    }

    pub(super) fn attribute_decl(&mut self) -> bool {
        self.rule(Rule::attribute_decl, |p| {
            seq!(
                p,
                p.kw(Rule::kw_attribute, b"attribute"),
                p.attribute(),
                p.punct(Rule::colon, b":"),
                p.value_type()
            )
        })
    }

    pub(super) fn event_decl(&mut self) -> bool {
        self.rule(Rule::event_decl, |p| {
            seq!(
                p,
                p.kw(Rule::kw_event, b"event"),
                p.named(Rule::event_name),
                p.opt(|p| {
                    p.attempt(|p| {
                        seq!(
                            p,
                            p.lbrace(),
                            p.many(|p| {
                                p.attempt(|p| seq!(p, p.property_decl(), p.opt(|p| p.lit(b","))))
                            }),
                            p.rbrace()
                        )
                    })
                })
            )
        })
    }

    pub(super) fn property_decl(&mut self) -> bool {
        self.rule(Rule::property_decl, |p| {
            seq!(p, p.attribute(), p.punct(Rule::colon, b":"), p.value_type())
        })
    }

    pub(super) fn channel_decl(&mut self) -> bool {
        self.rule(Rule::channel_decl, |p| {
            seq!(
                p,
                p.kw(Rule::kw_channel, b"channel"),
                p.channel(),
                p.opt(|p| {
                    p.attempt(|p| {
                        seq!(
                            p,
                            p.kw(Rule::kw_needs, b"needs"),
                            p.kw(Rule::kw_no, b"no"),
                            p.kw(Rule::kw_consent, b"consent")
                        )
                    })
                })
            )
        })
    }

    /// `kw ~ part ~ ("," ~ part)*`: the schema's lists of names.
    pub(super) fn names_decl(&mut self, rule: Rule, kw: Rule, word: &[u8], each: Rule) -> bool {
        self.rule(rule, |p| {
            seq!(
                p,
                p.kw(kw, word),
                p.named(each),
                p.many(|p| p.attempt(|p| seq!(p, p.lit(b","), p.named(each))))
            )
        })
    }

    pub(super) fn team_decl(&mut self) -> bool {
        self.names_decl(Rule::team_decl, Rule::kw_team, b"team", Rule::recipient)
    }

    pub(super) fn segment_decl(&mut self) -> bool {
        self.names_decl(
            Rule::segment_decl,
            Rule::kw_segment,
            b"segment",
            Rule::segment_name,
        )
    }

    pub(super) fn tag_decl(&mut self) -> bool {
        self.names_decl(Rule::tag_decl, Rule::kw_tag, b"tag", Rule::tag_name)
    }

    pub(super) fn value_type(&mut self) -> bool {
        self.rule(Rule::value_type, |p| p.list_type() || p.type_words())
    }

    pub(super) fn list_type(&mut self) -> bool {
        self.rule(Rule::list_type, |p| {
            seq!(
                p,
                p.kw(Rule::kw_list, b"list"),
                p.kw(Rule::kw_of, b"of"),
                p.named(Rule::type_word)
            )
        })
    }

    pub(super) fn type_words(&mut self) -> bool {
        self.rule(Rule::type_words, |p| {
            seq!(
                p,
                p.named(Rule::type_word),
                p.many(|p| {
                    p.attempt(|p| seq!(p, p.punct(Rule::bar, b"|"), p.named(Rule::type_word)))
                })
            )
        })
    }
}
