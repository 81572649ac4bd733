//! Steps, their statements and the arms of `wait`, `branch` and `split`.

use super::Descent;
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    pub(super) fn step(&mut self) -> bool {
        self.rule(Rule::step, |p| {
            seq!(p, p.step_head(), p.many(Self::statement), p.rbrace())
        })
    }

    pub(super) fn step_head(&mut self) -> bool {
        self.rule(Rule::step_head, |p| {
            seq!(
                p,
                p.kw(Rule::kw_step, b"step"),
                p.named(Rule::step_name),
                p.opt(Self::was),
                p.lbrace()
            )
        })
    }

    pub(super) fn was(&mut self) -> bool {
        self.rule(Rule::was, |p| {
            seq!(
                p,
                p.punct(Rule::lparen, b"("),
                p.kw(Rule::kw_was, b"was"),
                p.named(Rule::old_step_name),
                p.many(|p| p.comma_then(|p| p.named(Rule::old_step_name))),
                p.punct(Rule::rparen, b")")
            )
        })
    }

    pub(super) fn statement(&mut self) -> bool {
        self.rule(Rule::statement, |p| {
            p.send()
                || p.wait_for()
                || p.wait_until()
                || p.wait()
                || p.branch()
                || p.split()
                || p.score()
                || p.tag()
                || p.untag()
                || p.set()
                || p.phase()
                || p.notify()
                || p.exit()
                || p.goto()
        })
    }

    pub(super) fn send(&mut self) -> bool {
        self.rule(Rule::send, |p| {
            seq!(
                p,
                p.kw(Rule::kw_send, b"send"),
                p.channel(),
                p.template(),
                p.many(Self::fallback),
                p.opt(|p| p.attempt(|p| seq!(p, p.kw(Rule::kw_if, b"if"), p.cond())))
            )
        })
    }

    pub(super) fn fallback(&mut self) -> bool {
        self.rule(Rule::fallback, |p| {
            seq!(p, p.kw(Rule::kw_or, b"or"), p.channel(), p.template())
        })
    }

    pub(super) fn wait(&mut self) -> bool {
        self.rule(Rule::wait, |p| {
            seq!(p, p.kw(Rule::kw_wait, b"wait"), p.duration())
        })
    }

    pub(super) fn wait_until(&mut self) -> bool {
        self.rule(Rule::wait_until, |p| {
            seq!(
                p,
                p.kw(Rule::kw_wait, b"wait"),
                p.kw(Rule::kw_until, b"until"),
                p.duration(),
                p.kw(Rule::kw_after, b"after"),
                p.kw(Rule::kw_entry, b"entry")
            )
        })
    }

    pub(super) fn wait_for(&mut self) -> bool {
        self.rule(Rule::wait_for, |p| {
            seq!(
                p,
                p.kw(Rule::kw_wait, b"wait"),
                p.kw(Rule::kw_up, b"up"),
                p.kw(Rule::kw_to, b"to"),
                p.duration(),
                p.kw(Rule::kw_for, b"for"),
                p.named(Rule::event_name),
                p.many(|p| {
                    p.attempt(|p| seq!(p, p.kw(Rule::kw_or, b"or"), p.named(Rule::event_name)))
                }),
                p.lbrace(),
                p.many(Self::wait_arm),
                p.rbrace()
            )
        })
    }

    pub(super) fn wait_arm(&mut self) -> bool {
        self.rule(Rule::wait_arm, |p| p.timeout_arm() || p.event_arm())
    }

    pub(super) fn event_arm(&mut self) -> bool {
        self.rule(Rule::event_arm, |p| {
            seq!(
                p,
                p.named(Rule::event_name),
                p.opt(Self::where_cond),
                p.arrow(),
                p.target()
            )
        })
    }

    pub(super) fn timeout_arm(&mut self) -> bool {
        self.rule(Rule::timeout_arm, |p| {
            seq!(p, p.kw(Rule::kw_timeout, b"timeout"), p.arrow(), p.target())
        })
    }

    pub(super) fn branch(&mut self) -> bool {
        self.rule(Rule::branch, |p| {
            seq!(
                p,
                p.kw(Rule::kw_branch, b"branch"),
                p.lbrace(),
                p.many(Self::branch_arm),
                p.rbrace()
            )
        })
    }

    pub(super) fn branch_arm(&mut self) -> bool {
        self.rule(Rule::branch_arm, |p| p.when_arm() || p.else_arm())
    }

    pub(super) fn when_arm(&mut self) -> bool {
        self.rule(Rule::when_arm, |p| {
            seq!(
                p,
                p.kw(Rule::kw_when, b"when"),
                p.cond(),
                p.arrow(),
                p.target()
            )
        })
    }

    pub(super) fn else_arm(&mut self) -> bool {
        self.rule(Rule::else_arm, |p| {
            seq!(p, p.kw(Rule::kw_else, b"else"), p.arrow(), p.target())
        })
    }

    pub(super) fn split(&mut self) -> bool {
        self.rule(Rule::split, |p| {
            seq!(
                p,
                p.kw(Rule::kw_split, b"split"),
                p.lbrace(),
                p.many(Self::split_arm),
                p.rbrace()
            )
        })
    }

    pub(super) fn split_arm(&mut self) -> bool {
        self.rule(Rule::split_arm, |p| {
            seq!(p, p.percentage(), p.arrow(), p.target())
        })
    }

    pub(super) fn score(&mut self) -> bool {
        self.rule(Rule::score, |p| {
            seq!(p, p.kw(Rule::kw_score, b"score"), p.points())
        })
    }

    pub(super) fn tag(&mut self) -> bool {
        self.rule(Rule::tag, |p| {
            seq!(p, p.kw(Rule::kw_tag, b"tag"), p.named(Rule::tag_name))
        })
    }

    pub(super) fn untag(&mut self) -> bool {
        self.rule(Rule::untag, |p| {
            seq!(p, p.kw(Rule::kw_untag, b"untag"), p.named(Rule::tag_name))
        })
    }

    pub(super) fn set(&mut self) -> bool {
        self.rule(Rule::set, |p| {
            seq!(
                p,
                p.kw(Rule::kw_set, b"set"),
                p.attribute(),
                p.punct(Rule::equals, b"="),
                (p.trigger_data() || p.answer_data() || p.value())
            )
        })
    }

    pub(super) fn phase(&mut self) -> bool {
        self.rule(Rule::phase, |p| {
            seq!(p, p.kw(Rule::kw_phase, b"phase"), p.named(Rule::phase_name))
        })
    }

    pub(super) fn notify(&mut self) -> bool {
        self.rule(Rule::notify, |p| {
            seq!(
                p,
                p.kw(Rule::kw_notify, b"notify"),
                p.named(Rule::recipient),
                p.message()
            )
        })
    }

    pub(super) fn exit(&mut self) -> bool {
        self.rule(Rule::exit, |p| {
            seq!(p, p.kw(Rule::kw_exit, b"exit"), p.named(Rule::outcome))
        })
    }

    pub(super) fn goto(&mut self) -> bool {
        self.rule(Rule::goto, |p| seq!(p, p.arrow(), p.named(Rule::step_name)))
    }

    pub(super) fn target(&mut self) -> bool {
        self.rule(Rule::target, |p| {
            p.exit_target() || p.named(Rule::step_name)
        })
    }

    pub(super) fn exit_target(&mut self) -> bool {
        self.rule(Rule::exit_target, |p| {
            seq!(p, p.kw(Rule::kw_exit, b"exit"), p.named(Rule::outcome))
        })
    }
}
