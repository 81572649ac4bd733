//! A program's header clauses, in the grammar's order of trying them.

use super::Descent;
use crate::syntax::grammar::Rule;

impl<'s> Descent<'s> {
    pub(super) fn clause(&mut self) -> bool {
        self.rule(Rule::clause, |p| {
            p.title()
                || p.kind()
                || p.owner()
                || p.trigger()
                || p.audience()
                || p.consent()
                || p.goal()
                || p.ends()
                || p.exit_when()
                || p.interrupt()
                || p.reentry()
                || p.cap()
                || p.quiet()
                || p.holdout()
                || p.start()
                || p.in_group()
                || p.priority()
                || p.window()
        })
    }

    pub(super) fn title(&mut self) -> bool {
        self.rule(Rule::title, |p| {
            p.kw(Rule::kw_title, b"title") && p.s() && p.text()
        })
    }

    pub(super) fn kind(&mut self) -> bool {
        self.rule(Rule::kind, |p| {
            p.kw(Rule::kw_kind, b"kind") && p.s() && p.named(Rule::kind_name)
        })
    }

    pub(super) fn owner(&mut self) -> bool {
        self.rule(Rule::owner, |p| {
            p.kw(Rule::kw_owner, b"owner") && p.s() && p.text()
        })
    }

    pub(super) fn trigger(&mut self) -> bool {
        self.rule(Rule::trigger, |p| {
            p.kw(Rule::kw_trigger, b"trigger")
                && p.s()
                && (p.trigger_event()
                    || p.trigger_inactive()
                    || p.trigger_segment()
                    || p.trigger_date()
                    || p.trigger_phase()
                    || p.trigger_tag())
        })
    }

    pub(super) fn trigger_event(&mut self) -> bool {
        self.rule(Rule::trigger_event, |p| {
            p.kw(Rule::kw_event, b"event")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.opt(Self::where_cond)
        })
    }

    pub(super) fn trigger_inactive(&mut self) -> bool {
        self.rule(Rule::trigger_inactive, |p| {
            p.kw(Rule::kw_no, b"no")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.kw(Rule::kw_for, b"for")
                && p.s()
                && p.duration()
        })
    }

    pub(super) fn trigger_segment(&mut self) -> bool {
        self.rule(Rule::trigger_segment, |p| {
            p.kw(Rule::kw_segment, b"segment")
                && p.s()
                && p.named(Rule::segment_name)
                && p.s()
                && (p.kw(Rule::kw_entered, b"entered") || p.kw(Rule::kw_left, b"left"))
        })
    }

    pub(super) fn trigger_date(&mut self) -> bool {
        self.rule(Rule::trigger_date, |p| {
            p.duration()
                && p.s()
                && (p.kw(Rule::kw_before, b"before") || p.kw(Rule::kw_after, b"after"))
                && p.s()
                && p.attribute()
        })
    }

    pub(super) fn trigger_phase(&mut self) -> bool {
        self.rule(Rule::trigger_phase, |p| {
            p.kw(Rule::kw_phase, b"phase")
                && p.s()
                && p.kw(Rule::kw_becomes, b"becomes")
                && p.s()
                && p.named(Rule::phase_name)
        })
    }

    pub(super) fn trigger_tag(&mut self) -> bool {
        self.rule(Rule::trigger_tag, |p| {
            p.kw(Rule::kw_tag, b"tag")
                && p.s()
                && (p.kw(Rule::kw_added, b"added") || p.kw(Rule::kw_removed, b"removed"))
                && p.s()
                && p.named(Rule::tag_name)
        })
    }

    pub(super) fn audience(&mut self) -> bool {
        self.rule(Rule::audience, |p| {
            p.kw(Rule::kw_audience, b"audience") && p.s() && p.cond()
        })
    }

    pub(super) fn consent(&mut self) -> bool {
        self.rule(Rule::consent, |p| {
            p.kw(Rule::kw_consent, b"consent")
                && p.s()
                && p.channel()
                && p.s()
                && p.many(|p| p.comma_then(Self::channel))
        })
    }

    pub(super) fn channel(&mut self) -> bool {
        self.named(Rule::channel)
    }

    pub(super) fn goal(&mut self) -> bool {
        self.rule(Rule::goal, |p| {
            p.kw(Rule::kw_goal, b"goal")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.opt(Self::where_cond)
                && p.s()
                && p.kw(Rule::kw_within, b"within")
                && p.s()
                && p.duration()
        })
    }

    /// `(kw_as ~ outcome)?`
    pub(super) fn as_outcome(&mut self) -> bool {
        self.opt(|p| p.attempt(|p| p.kw(Rule::kw_as, b"as") && p.s() && p.named(Rule::outcome)))
    }

    pub(super) fn ends(&mut self) -> bool {
        self.rule(Rule::ends, |p| {
            p.kw(Rule::kw_ends, b"ends")
                && p.s()
                && p.kw(Rule::kw_after, b"after")
                && p.s()
                && p.duration()
                && p.s()
                && p.as_outcome()
        })
    }

    pub(super) fn exit_when(&mut self) -> bool {
        self.rule(Rule::exit_when, |p| {
            p.kw(Rule::kw_exit, b"exit")
                && p.s()
                && p.kw(Rule::kw_when, b"when")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.opt(Self::where_cond)
                && p.s()
                && p.as_outcome()
        })
    }

    pub(super) fn interrupt(&mut self) -> bool {
        self.rule(Rule::interrupt, |p| {
            p.kw(Rule::kw_on, b"on")
                && p.s()
                && p.named(Rule::event_name)
                && p.s()
                && p.opt(Self::where_cond)
                && p.s()
                && p.arrow()
                && p.s()
                && p.named(Rule::step_name)
        })
    }

    pub(super) fn reentry(&mut self) -> bool {
        self.rule(Rule::reentry, |p| {
            p.kw(Rule::kw_reentry, b"reentry")
                && p.s()
                && (p.kw(Rule::kw_never, b"never")
                    || p.attempt(|p| p.kw(Rule::kw_after, b"after") && p.s() && p.duration()))
        })
    }

    pub(super) fn cap(&mut self) -> bool {
        self.rule(Rule::cap, |p| {
            p.kw(Rule::kw_cap, b"cap")
                && p.s()
                && p.count()
                && p.s()
                && (p.kw(Rule::kw_messages, b"messages") || p.channel())
                && p.s()
                && p.kw(Rule::kw_per, b"per")
                && p.s()
                && p.duration()
        })
    }

    pub(super) fn quiet(&mut self) -> bool {
        self.rule(Rule::quiet, |p| {
            p.kw(Rule::kw_quiet, b"quiet")
                && p.s()
                && p.clock()
                && p.s()
                && p.dotdot()
                && p.s()
                && p.clock()
        })
    }

    pub(super) fn holdout(&mut self) -> bool {
        self.rule(Rule::holdout, |p| {
            p.kw(Rule::kw_holdout, b"holdout") && p.s() && p.percentage()
        })
    }

    pub(super) fn window(&mut self) -> bool {
        self.rule(Rule::window, |p| {
            p.kw(Rule::kw_window, b"window")
                && p.s()
                && p.opt(Self::day_set)
                && p.s()
                && p.clock()
                && p.s()
                && p.dotdot()
                && p.s()
                && p.clock()
        })
    }

    pub(super) fn day_set(&mut self) -> bool {
        self.rule(Rule::day_set, |p| {
            p.day_range() && p.s() && p.many(|p| p.comma_then(Self::day_range))
        })
    }

    pub(super) fn day_range(&mut self) -> bool {
        self.rule(Rule::day_range, |p| {
            p.named(Rule::day_name)
                && p.s()
                && p.opt(|p| p.attempt(|p| p.dotdot() && p.s() && p.named(Rule::day_name)))
        })
    }

    pub(super) fn start(&mut self) -> bool {
        self.rule(Rule::start, |p| {
            p.kw(Rule::kw_start, b"start") && p.s() && p.named(Rule::step_name)
        })
    }

    pub(super) fn in_group(&mut self) -> bool {
        self.rule(Rule::in_group, |p| {
            p.kw(Rule::kw_group, b"group") && p.s() && p.named(Rule::group_name)
        })
    }

    pub(super) fn priority(&mut self) -> bool {
        self.rule(Rule::priority, |p| {
            p.kw(Rule::kw_priority, b"priority") && p.s() && p.count()
        })
    }
}
