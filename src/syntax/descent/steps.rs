//! Steps, their statements and the arms of `wait`, `branch` and `split`.

use super::Descent;
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    pub(super) fn step(&mut self) -> bool {
        self.rule(Rule::step, |p| {
            p.step_head() && p.s() && p.many(Self::statement) && p.s() && p.rbrace()
        })
    }

    pub(super) fn step_head(&mut self) -> bool {
        self.rule(Rule::step_head, |p| {
            p.kw(Rule::kw_step, b"step")
                && p.s()
                && p.named(Rule::step_name)
                && p.s()
                && p.opt(Self::was)
                && p.s()
                && p.lbrace()
        })
    }

    pub(super) fn was(&mut self) -> bool {
        self.rule(Rule::was, |p| {
            p.punct(Rule::lparen, b"(")
                && p.s()
                && p.kw(Rule::kw_was, b"was")
                && p.s()
                && p.named(Rule::old_step_name)
                && p.s()
                && p.many(|p| p.comma_then(|p| p.named(Rule::old_step_name)))
                && p.s()
                && p.punct(Rule::rparen, b")")
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
            p.kw(Rule::kw_send, b"send")
                && p.s()
                && p.channel()
                && p.s()
                && p.template()
                && p.s()
                && p.many(Self::fallback)
                && p.s()
                && p.opt(|p| p.attempt(|p| p.kw(Rule::kw_if, b"if") && p.s() && p.cond()))
        })
    }

    pub(super) fn fallback(&mut self) -> bool {
        self.rule(Rule::fallback, |p| {
            p.kw(Rule::kw_or, b"or") && p.s() && p.channel() && p.s() && p.template()
        })
    }

    pub(super) fn wait(&mut self) -> bool {
        self.rule(Rule::wait, |p| {
            p.kw(Rule::kw_wait, b"wait") && p.s() && p.duration()
        })
    }

    pub(super) fn wait_until(&mut self) -> bool {
        self.rule(Rule::wait_until, |p| {
            p.kw(Rule::kw_wait, b"wait")
                && p.s()
                && p.kw(Rule::kw_until, b"until")
                && p.s()
                && p.duration()
                && p.s()
                && p.kw(Rule::kw_after, b"after")
                && p.s()
                && p.kw(Rule::kw_entry, b"entry")
        })
    }

    pub(super) fn wait_for(&mut self) -> bool {
        self.rule(Rule::wait_for, |p| {
            p.kw(Rule::kw_wait, b"wait")
                && p.s()
                && p.kw(Rule::kw_up, b"up")
                && p.s()
                && p.kw(Rule::kw_to, b"to")
                && p.s()
                && p.duration()
                && p.s()
                && p.kw(Rule::kw_for, b"for")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.many(|p| {
                    p.attempt(|p| p.kw(Rule::kw_or, b"or") && p.s() && p.named(Rule::event_name))
                })
                && p.s()
                && p.lbrace()
                && p.s()
                && p.many(Self::wait_arm)
                && p.s()
                && p.rbrace()
        })
    }

    pub(super) fn wait_arm(&mut self) -> bool {
        self.rule(Rule::wait_arm, |p| p.timeout_arm() || p.event_arm())
    }

    pub(super) fn event_arm(&mut self) -> bool {
        self.rule(Rule::event_arm, |p| {
            p.named(Rule::event_name)
                && p.s()
                && p.opt(Self::where_cond)
                && p.s()
                && p.arrow()
                && p.s()
                && p.target()
        })
    }

    pub(super) fn timeout_arm(&mut self) -> bool {
        self.rule(Rule::timeout_arm, |p| {
            p.kw(Rule::kw_timeout, b"timeout") && p.s() && p.arrow() && p.s() && p.target()
        })
    }

    pub(super) fn branch(&mut self) -> bool {
        self.rule(Rule::branch, |p| {
            p.kw(Rule::kw_branch, b"branch")
                && p.s()
                && p.lbrace()
                && p.s()
                && p.many(Self::branch_arm)
                && p.s()
                && p.rbrace()
        })
    }

    pub(super) fn branch_arm(&mut self) -> bool {
        self.rule(Rule::branch_arm, |p| p.when_arm() || p.else_arm())
    }

    pub(super) fn when_arm(&mut self) -> bool {
        self.rule(Rule::when_arm, |p| {
            p.kw(Rule::kw_when, b"when")
                && p.s()
                && p.cond()
                && p.s()
                && p.arrow()
                && p.s()
                && p.target()
        })
    }

    pub(super) fn else_arm(&mut self) -> bool {
        self.rule(Rule::else_arm, |p| {
            p.kw(Rule::kw_else, b"else") && p.s() && p.arrow() && p.s() && p.target()
        })
    }

    pub(super) fn split(&mut self) -> bool {
        self.rule(Rule::split, |p| {
            p.kw(Rule::kw_split, b"split")
                && p.s()
                && p.lbrace()
                && p.s()
                && p.many(Self::split_arm)
                && p.s()
                && p.rbrace()
        })
    }

    pub(super) fn split_arm(&mut self) -> bool {
        self.rule(Rule::split_arm, |p| {
            p.percentage() && p.s() && p.arrow() && p.s() && p.target()
        })
    }

    pub(super) fn score(&mut self) -> bool {
        self.rule(Rule::score, |p| {
            p.kw(Rule::kw_score, b"score") && p.s() && p.points()
        })
    }

    pub(super) fn tag(&mut self) -> bool {
        self.rule(Rule::tag, |p| {
            p.kw(Rule::kw_tag, b"tag") && p.s() && p.named(Rule::tag_name)
        })
    }

    pub(super) fn untag(&mut self) -> bool {
        self.rule(Rule::untag, |p| {
            p.kw(Rule::kw_untag, b"untag") && p.s() && p.named(Rule::tag_name)
        })
    }

    pub(super) fn set(&mut self) -> bool {
        self.rule(Rule::set, |p| {
            p.kw(Rule::kw_set, b"set")
                && p.s()
                && p.attribute()
                && p.s()
                && p.punct(Rule::equals, b"=")
                && p.s()
                && (p.trigger_data() || p.answer_data() || p.value())
        })
    }

    pub(super) fn phase(&mut self) -> bool {
        self.rule(Rule::phase, |p| {
            p.kw(Rule::kw_phase, b"phase") && p.s() && p.named(Rule::phase_name)
        })
    }

    pub(super) fn notify(&mut self) -> bool {
        self.rule(Rule::notify, |p| {
            p.kw(Rule::kw_notify, b"notify")
                && p.s()
                && p.named(Rule::recipient)
                && p.s()
                && p.message()
        })
    }

    pub(super) fn exit(&mut self) -> bool {
        self.rule(Rule::exit, |p| {
            p.kw(Rule::kw_exit, b"exit") && p.s() && p.named(Rule::outcome)
        })
    }

    pub(super) fn goto(&mut self) -> bool {
        self.rule(Rule::goto, |p| {
            p.arrow() && p.s() && p.named(Rule::step_name)
        })
    }

    pub(super) fn target(&mut self) -> bool {
        self.rule(Rule::target, |p| {
            p.exit_target() || p.named(Rule::step_name)
        })
    }

    pub(super) fn exit_target(&mut self) -> bool {
        self.rule(Rule::exit_target, |p| {
            p.kw(Rule::kw_exit, b"exit") && p.s() && p.named(Rule::outcome)
        })
    }
}
