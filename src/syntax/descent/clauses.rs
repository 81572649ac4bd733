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
            seq!(p, p.kw(Rule::kw_title, b"title"), p.text())
        })
    }

    pub(super) fn kind(&mut self) -> bool {
        self.rule(Rule::kind, |p| {
            seq!(p, p.kw(Rule::kw_kind, b"kind"), p.named(Rule::kind_name))
        })
    }

    pub(super) fn owner(&mut self) -> bool {
        self.rule(Rule::owner, |p| {
            seq!(p, p.kw(Rule::kw_owner, b"owner"), p.text())
        })
    }

    pub(super) fn trigger(&mut self) -> bool {
        self.rule(Rule::trigger, |p| {
            seq!(
                p,
                p.kw(Rule::kw_trigger, b"trigger"),
                (p.trigger_event()
                    || p.trigger_inactive()
                    || p.trigger_segment()
                    || p.trigger_date()
                    || p.trigger_phase()
                    || p.trigger_tag())
            )
        })
    }

    pub(super) fn trigger_event(&mut self) -> bool {
        self.rule(Rule::trigger_event, |p| {
            seq!(
                p,
                p.kw(Rule::kw_event, b"event"),
                p.named(Rule::event_name),
                p.opt(Self::where_cond)
            )
        })
    }

    pub(super) fn trigger_inactive(&mut self) -> bool {
        self.rule(Rule::trigger_inactive, |p| {
            seq!(
                p,
                p.kw(Rule::kw_no, b"no"),
                p.named(Rule::event_name),
                p.kw(Rule::kw_for, b"for"),
                p.duration()
            )
        })
    }

    pub(super) fn trigger_segment(&mut self) -> bool {
        self.rule(Rule::trigger_segment, |p| {
            seq!(
                p,
                p.kw(Rule::kw_segment, b"segment"),
                p.named(Rule::segment_name),
                (p.kw(Rule::kw_entered, b"entered") || p.kw(Rule::kw_left, b"left"))
            )
        })
    }

    pub(super) fn trigger_date(&mut self) -> bool {
        self.rule(Rule::trigger_date, |p| {
            seq!(
                p,
                p.duration(),
                (p.kw(Rule::kw_before, b"before") || p.kw(Rule::kw_after, b"after")),
                p.attribute()
            )
        })
    }

    pub(super) fn trigger_phase(&mut self) -> bool {
        self.rule(Rule::trigger_phase, |p| {
            seq!(
                p,
                p.kw(Rule::kw_phase, b"phase"),
                p.kw(Rule::kw_becomes, b"becomes"),
                p.named(Rule::phase_name)
            )
        })
    }

    pub(super) fn trigger_tag(&mut self) -> bool {
        self.rule(Rule::trigger_tag, |p| {
            seq!(
                p,
                p.kw(Rule::kw_tag, b"tag"),
                (p.kw(Rule::kw_added, b"added") || p.kw(Rule::kw_removed, b"removed")),
                p.named(Rule::tag_name)
            )
        })
    }

    pub(super) fn audience(&mut self) -> bool {
        self.rule(Rule::audience, |p| {
            seq!(p, p.kw(Rule::kw_audience, b"audience"), p.cond())
        })
    }

    pub(super) fn consent(&mut self) -> bool {
        self.rule(Rule::consent, |p| {
            seq!(
                p,
                p.kw(Rule::kw_consent, b"consent"),
                p.channel(),
                p.many(|p| p.comma_then(Self::channel))
            )
        })
    }

    pub(super) fn channel(&mut self) -> bool {
        self.named(Rule::channel)
    }

    pub(super) fn goal(&mut self) -> bool {
        self.rule(Rule::goal, |p| {
            seq!(
                p,
                p.kw(Rule::kw_goal, b"goal"),
                p.named(Rule::event_name),
                p.opt(Self::where_cond),
                p.kw(Rule::kw_within, b"within"),
                p.duration()
            )
        })
    }

    /// `(kw_as ~ outcome)?`
    pub(super) fn as_outcome(&mut self) -> bool {
        self.opt(|p| p.attempt(|p| seq!(p, p.kw(Rule::kw_as, b"as"), p.named(Rule::outcome))))
    }

    pub(super) fn ends(&mut self) -> bool {
        self.rule(Rule::ends, |p| {
            seq!(
                p,
                p.kw(Rule::kw_ends, b"ends"),
                p.kw(Rule::kw_after, b"after"),
                p.duration(),
                p.as_outcome()
            )
        })
    }

    pub(super) fn exit_when(&mut self) -> bool {
        self.rule(Rule::exit_when, |p| {
            seq!(
                p,
                p.kw(Rule::kw_exit, b"exit"),
                p.kw(Rule::kw_when, b"when"),
                p.named(Rule::event_name),
                p.opt(Self::where_cond),
                p.as_outcome()
            )
        })
    }

    pub(super) fn interrupt(&mut self) -> bool {
        self.rule(Rule::interrupt, |p| {
            seq!(
                p,
                p.kw(Rule::kw_on, b"on"),
                p.named(Rule::event_name),
                p.opt(Self::where_cond),
                p.arrow(),
                p.named(Rule::step_name)
            )
        })
    }

    pub(super) fn reentry(&mut self) -> bool {
        self.rule(Rule::reentry, |p| {
            seq!(
                p,
                p.kw(Rule::kw_reentry, b"reentry"),
                (p.kw(Rule::kw_never, b"never")
                    || p.attempt(|p| seq!(p, p.kw(Rule::kw_after, b"after"), p.duration())))
            )
        })
    }

    pub(super) fn cap(&mut self) -> bool {
        self.rule(Rule::cap, |p| {
            seq!(
                p,
                p.kw(Rule::kw_cap, b"cap"),
                p.count(),
                (p.kw(Rule::kw_messages, b"messages") || p.channel()),
                p.kw(Rule::kw_per, b"per"),
                p.duration()
            )
        })
    }

    pub(super) fn quiet(&mut self) -> bool {
        self.rule(Rule::quiet, |p| {
            seq!(
                p,
                p.kw(Rule::kw_quiet, b"quiet"),
                p.clock(),
                p.dotdot(),
                p.clock()
            )
        })
    }

    pub(super) fn holdout(&mut self) -> bool {
        self.rule(Rule::holdout, |p| {
            seq!(p, p.kw(Rule::kw_holdout, b"holdout"), p.percentage())
        })
    }

    pub(super) fn window(&mut self) -> bool {
        self.rule(Rule::window, |p| {
            seq!(
                p,
                p.kw(Rule::kw_window, b"window"),
                p.opt(Self::day_set),
                p.clock(),
                p.dotdot(),
                p.clock()
            )
        })
    }

    pub(super) fn day_set(&mut self) -> bool {
        self.rule(Rule::day_set, |p| {
            seq!(p, p.day_range(), p.many(|p| p.comma_then(Self::day_range)))
        })
    }

    pub(super) fn day_range(&mut self) -> bool {
        self.rule(Rule::day_range, |p| {
            seq!(
                p,
                p.named(Rule::day_name),
                p.opt(|p| p.attempt(|p| seq!(p, p.dotdot(), p.named(Rule::day_name))))
            )
        })
    }

    pub(super) fn start(&mut self) -> bool {
        self.rule(Rule::start, |p| {
            seq!(p, p.kw(Rule::kw_start, b"start"), p.named(Rule::step_name))
        })
    }

    pub(super) fn in_group(&mut self) -> bool {
        self.rule(Rule::in_group, |p| {
            seq!(p, p.kw(Rule::kw_group, b"group"), p.named(Rule::group_name))
        })
    }

    pub(super) fn priority(&mut self) -> bool {
        self.rule(Rule::priority, |p| {
            seq!(p, p.kw(Rule::kw_priority, b"priority"), p.count())
        })
    }
}
