//! The static facts of programs (`nurture check --summary`), as text.

use crate::check::facts::Facts;

/// One block per program:
///
/// ```text
/// programs/wake_up.nurture: program `wake_up`
///   messages  at most 4 (email 3, sms 1)
///   stay      at most 33d
///   outcomes  converted, dormant, unsubscribed
///   goal      `purchase` within 60d; quickest after 5d: hello → offer waits for `purchase`
/// ```
pub fn render(path: &str, facts: &Facts) -> String {
    let messages = match facts.messages.total {
        Some(total) => {
            let per: Vec<String> = facts
                .messages
                .per_channel
                .iter()
                .map(|(channel, n)| match n {
                    Some(n) => format!("{channel} {n}"),
                    None => format!("{channel} unbounded"),
                })
                .collect();
            let count = if per.is_empty() {
                format!("at most {total}")
            } else {
                format!("at most {total} ({})", per.join(", "))
            };
            match &facts.messages.bounded_because {
                Some(because) => format!("{count}: {because}"),
                None => count,
            }
        }
        None => format!(
            "unbounded: {}",
            facts
                .messages
                .unbounded_because
                .as_deref()
                .unwrap_or("a loop sends")
        ),
    };
    let stay = match (
        &facts.longest_stay.minutes,
        &facts.longest_stay.unbounded_because,
    ) {
        (Some(_), _) => format!("at most {}", facts.longest_stay.text),
        (None, because) => format!("unbounded: {}", because.as_deref().unwrap_or("a loop")),
    };
    let outcomes = if facts.outcomes.is_empty() {
        "none".to_string()
    } else {
        facts.outcomes.join(", ")
    };
    let goal = match &facts.goal {
        None => "none".to_string(),
        Some(goal) => {
            let watched = format!("`{}` within {}", goal.event, goal.within);
            match &goal.quickest {
                None => format!("{watched}, watched for at every step"),
                Some(path) => {
                    let when = if path.minutes == 0 {
                        "with no waiting".to_string()
                    } else {
                        format!("after {}", path.text)
                    };
                    let end = if path.by == "converted" {
                        "exits as converted".to_string()
                    } else {
                        format!("waits for `{}`", path.by)
                    };
                    format!(
                        "{watched}; quickest {when}: {} {end}",
                        path.steps.join(" → ")
                    )
                }
            }
        }
    };
    format!(
        "{path}: program `{}`\n  messages  {messages}\n  stay      {stay}\n  outcomes  {outcomes}\n  goal      {goal}\n",
        facts.program
    )
}

/// A schema's caps across programs and what the programs together can
/// send within each (`nurture check --summary`).
pub fn portfolio(portfolio: &crate::render::json::Portfolio) -> String {
    let mut out = format!(
        "Across programs: {} checked against `{}`\n",
        portfolio.programs_checked, portfolio.schema
    );
    for bound in &portfolio.caps {
        let most = match bound.most {
            Some(most) => format!("at most {most} for one customer"),
            None => "no bound for one customer".to_string(),
        };
        let verdict = if bound.most.is_some_and(|m| m <= bound.allows) {
            "kept"
        } else {
            "more than it allows (N316)"
        };
        out.push_str(&format!("  `{}`: {most}, {verdict}\n", bound.cap));
        for share in &bound.programs {
            let most = share.most.map_or("no bound".to_string(), |m| m.to_string());
            out.push_str(&format!(
                "    {:<28} {most:>8}  {}\n",
                share.program, share.why
            ));
        }
    }
    out
}
