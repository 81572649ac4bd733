//! Loading a plan: untrusted input. A plan from disk may be from another
//! version, truncated, edited by hand or corrupt; every problem is an error
//! that names the field, never a panic.

use super::{FORMAT_VERSION, Op, Plan};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Where in the document, like `nodes[3].next` (empty for the whole).
    pub field: String,
    pub problem: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "{}: {}", self.field, self.problem)
        }
    }
}

impl std::error::Error for LoadError {}

fn error(field: impl Into<String>, problem: impl Into<String>) -> LoadError {
    LoadError {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Reads and validates a plan. (Nesting is bounded by serde_json's
/// recursion limit, so a hostile plan cannot exhaust the stack.)
pub fn load(json: &str) -> Result<Plan, LoadError> {
    // Read strictly: in a plan a key written twice is a mistake or an
    // edit, and plain JSON readers keep the last, so the two copies could
    // mean different plans to different readers.
    let document: serde_json::Value = serde_json::from_str::<Strict>(json)
        .map(|strict| strict.0)
        .map_err(|e| {
            // serde_json ends its message with the place; it is said first.
            let message = e.to_string();
            let message = message
                .rfind(" at line ")
                .map_or(message.as_str(), |cut| &message[..cut]);
            let place = format!("line {}, column {}", e.line(), e.column());
            let problem = if e.is_data() {
                // Valid JSON that a plan may not be: a key written twice.
                format!("{place}: {message}")
            } else {
                format!("not a JSON document ({place}): {message}")
            };
            error("", problem)
        })?;
    // The version first: a plan of another version is refused as such, not
    // with whatever field happens to differ. Every older format is a part of
    // the newest: format 1 is format 2 without what format 2 added, and
    // reads as it is.
    match document.get("format_version").and_then(|v| v.as_u64()) {
        Some(version) if (1..=u64::from(FORMAT_VERSION)).contains(&version) => {}
        Some(version) => {
            return Err(error(
                "format_version",
                format!(
                    "this plan is format {version}; this nurture reads formats 1 to {FORMAT_VERSION}: compile the program again with this nurture"
                ),
            ));
        }
        None => return Err(error("format_version", "missing, or not a whole number")),
    }
    let plan: Plan = serde_path_to_error::deserialize(document).map_err(|e| {
        let field = e.path().to_string();
        error(
            if field == "." { String::new() } else { field },
            e.inner().to_string(),
        )
    })?;
    validate(&plan)?;
    if plan.format_version < 3 {
        if let Some((field, what)) = super::version::first_of_format_3(&plan) {
            return Err(error(
                field,
                format!(
                    "{what} needs format 3, and this plan says format {}",
                    plan.format_version
                ),
            ));
        }
    }
    if plan.format_version < 2 {
        if let Some((field, what)) = super::version::first_of_format_2(&plan) {
            return Err(error(
                field,
                format!(
                    "{what} needs format 2, and this plan says format {}",
                    plan.format_version
                ),
            ));
        }
    }
    if plan.format_version < 3 {
        if let Some((field, what)) = super::version::first_of_format_3(&plan) {
            return Err(error(
                field,
                format!(
                    "{what} needs format 3, and this plan says format {}",
                    plan.format_version
                ),
            ));
        }
    }
    // Last, once the plan is known to be whole: an edited plan that kept its
    // digest would run with the old plan's idempotency keys and draws.
    let digest = plan.meaning_digest();
    if plan.digest != digest {
        return Err(error(
            "digest",
            format!(
                "the plan was changed after it was compiled: what it says now has the digest `{digest}`; compile the program again (a plan made by hand must carry that digest)"
            ),
        ));
    }
    Ok(plan)
}

/// Every index points at a node, and what the checker promises holds.
fn validate(plan: &Plan) -> Result<(), LoadError> {
    let count = plan.nodes.len();
    let node = |field: String, index: usize| -> Result<(), LoadError> {
        if index < count {
            Ok(())
        } else {
            Err(error(
                field,
                format!("{index} is not a node (the plan has {count})"),
            ))
        }
    };
    // Idempotency keys and draws take the digest's hex digits; anything
    // else is not a digest this nurture wrote.
    let hex = plan.digest.strip_prefix("sha256:").unwrap_or("");
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(error(
            "digest",
            "expected `sha256:` and 64 hex digits, as `nurture compile` writes",
        ));
    }
    node("start".into(), plan.start)?;
    for (i, interrupt) in plan.interrupts.iter().enumerate() {
        node(format!("interrupts[{i}].to"), interrupt.to)?;
        for (n, &at) in interrupt.not_at.iter().enumerate() {
            node(format!("interrupts[{i}].not_at[{n}]"), at)?;
        }
        if interrupt.not_at.windows(2).any(|w| w[0] >= w[1]) {
            return Err(error(
                format!("interrupts[{i}].not_at"),
                "the nodes must be sorted, each once, as `nurture compile` writes them",
            ));
        }
    }
    for (i, step) in plan.steps.iter().enumerate() {
        node(format!("steps[{i}].node"), step.node)?;
        if step.node.saturating_add(step.length) > count {
            return Err(error(
                format!("steps[{i}].length"),
                format!(
                    "{} nodes from node {} run past the plan's {count}",
                    step.length, step.node
                ),
            ));
        }
    }
    for (i, entry) in plan.nodes.iter().enumerate() {
        let at = format!("nodes[{i}]");
        match &entry.op {
            Op::Send { next, .. }
            | Op::Wait { next, .. }
            | Op::Score { next, .. }
            | Op::Tag { next, .. }
            | Op::Untag { next, .. }
            | Op::Set { next, .. }
            | Op::Phase { next, .. }
            | Op::Notify { next, .. }
            | Op::SetFrom { next, .. }
            | Op::WaitUntil { next, .. } => node(format!("{at}.next"), *next)?,
            Op::WaitFor { arms, timeout, .. } => {
                node(format!("{at}.timeout"), *timeout)?;
                for (a, arm) in arms.iter().enumerate() {
                    node(format!("{at}.arms[{a}].to"), arm.to)?;
                }
            }
            Op::Branch { arms, otherwise } => {
                node(format!("{at}.otherwise"), *otherwise)?;
                for (a, arm) in arms.iter().enumerate() {
                    node(format!("{at}.arms[{a}].to"), arm.to)?;
                }
            }
            Op::Split { arms } => {
                for (a, arm) in arms.iter().enumerate() {
                    node(format!("{at}.arms[{a}].to"), arm.to)?;
                }
                let total: u64 = arms.iter().map(|a| u64::from(a.share)).sum();
                if total != 10_000 {
                    return Err(error(
                        format!("{at}.arms"),
                        format!("the shares add up to {total} hundredths of a percent, not 10000"),
                    ));
                }
            }
            Op::Exit { .. } => {}
        }
        if let Op::Wait { minutes: 0, .. } | Op::WaitFor { minutes: 0, .. } = &entry.op {
            return Err(error(
                format!("{at}.minutes"),
                "a wait of 0 minutes waits no time at all",
            ));
        }
    }
    if plan.ends.as_ref().is_some_and(|ends| ends.minutes == 0) {
        return Err(error("ends.minutes", "a journey cannot end as it starts"));
    }
    instant_loops(plan)?;
    for (i, cap) in plan.caps.iter().enumerate() {
        if cap.per_minutes == 0 {
            return Err(error(
                format!("caps[{i}].per_minutes"),
                "a cap's window cannot be 0",
            ));
        }
    }
    if plan.entry.holdout > 10_000 {
        return Err(error(
            "entry.holdout",
            "more than 10000 hundredths of a percent",
        ));
    }
    if let Some(quiet) = &plan.quiet {
        if quiet.from >= 24 * 60 || quiet.until >= 24 * 60 {
            return Err(error("quiet", "minutes after midnight must be below 1440"));
        }
    }
    windows_and_fallback(plan)?;
    Ok(())
}

/// Send windows a runtime can keep (format 3): within the day, not across
/// midnight, each day once and in order, and some moment of the week a send
/// may go out; fallbacks no longer than a kept send's code holds.
fn windows_and_fallback(plan: &Plan) -> Result<(), LoadError> {
    use super::{fallback, window};
    for (i, w) in plan.windows.iter().enumerate() {
        if w.until > 24 * 60 || w.from >= w.until {
            return Err(error(
                format!("windows[{i}]"),
                "a window's `from` must come before its `until`, within the day (minutes below 1440, `until` at most 1440)",
            ));
        }
        if w.days.is_empty() || w.days.windows(2).any(|d| d[0] >= d[1]) {
            return Err(error(
                format!("windows[{i}].days"),
                "a window's days are each listed once, Monday first",
            ));
        }
    }
    if !plan.windows.is_empty()
        && window::longest_wait(&plan.windows, plan.quiet.as_ref()).is_none()
    {
        return Err(error(
            "windows",
            "no moment of the week is inside a window and outside quiet hours: no send could go out",
        ));
    }
    if plan.nodes.len() > fallback::MAX_NODES {
        return Err(error("nodes", "more nodes than a plan may have"));
    }
    for (i, node) in plan.nodes.iter().enumerate() {
        if let Op::Send {
            fallback: choices, ..
        } = &node.op
        {
            if choices.len() > fallback::MAX_FALLBACK {
                return Err(error(
                    format!("nodes[{i}].fallback"),
                    format!(
                        "a send tries at most {} more channels",
                        fallback::MAX_FALLBACK
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Refuses a loop of nodes none of which waits: a customer in it would go
/// round at once, for ever (the checker refuses such a program, N303).
/// Depth-first over the nodes that run at once, without recursion, so a
/// plan of any length is looked at in one pass.
fn instant_loops(plan: &Plan) -> Result<(), LoadError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        Not,
        OnPath,
        Done,
    }
    let mut seen = vec![Seen::Not; plan.nodes.len()];
    for root in 0..plan.nodes.len() {
        if seen[root] != Seen::Not {
            continue;
        }
        // (node, how many of its next nodes were looked at)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        seen[root] = Seen::OnPath;
        while let Some(&mut (node, ref mut tried)) = path.last_mut() {
            let next = instant_next(&plan.nodes[node].op).nth(*tried);
            *tried += 1;
            match next {
                Some(to) if seen.get(to) == Some(&Seen::OnPath) => {
                    let from = path.iter().position(|&(n, _)| n == to).unwrap_or(0);
                    let round: Vec<String> = path[from..]
                        .iter()
                        .map(|(n, _)| n.to_string())
                        .chain(std::iter::once(to.to_string()))
                        .collect();
                    return Err(error(
                        format!("nodes[{to}]"),
                        format!(
                            "nodes {} go round without a wait, so a customer would never stop; every loop must pass a `wait` or `wait_for`",
                            round.join(" → ")
                        ),
                    ));
                }
                Some(to) if seen.get(to) == Some(&Seen::Not) => {
                    seen[to] = Seen::OnPath;
                    path.push((to, 0));
                }
                Some(_) => {}
                None => {
                    seen[node] = Seen::Done;
                    path.pop();
                }
            }
        }
    }
    Ok(())
}

/// Where a node goes on at once: nowhere from a wait or an exit.
fn instant_next(op: &Op) -> Box<dyn Iterator<Item = usize> + '_> {
    match op {
        Op::Send { next, .. }
        | Op::Score { next, .. }
        | Op::Tag { next, .. }
        | Op::Untag { next, .. }
        | Op::Set { next, .. }
        | Op::SetFrom { next, .. }
        | Op::Phase { next, .. }
        | Op::Notify { next, .. }
        // A moment already past waits no time (and the checker counts a
        // `wait until` as no wait in a loop, N303).
        | Op::WaitUntil { next, .. } => Box::new(std::iter::once(*next)),
        Op::Branch { arms, otherwise } => {
            Box::new(arms.iter().map(|a| a.to).chain(std::iter::once(*otherwise)))
        }
        Op::Split { arms } => Box::new(arms.iter().map(|a| a.to)),
        Op::Wait { .. } | Op::WaitFor { .. } | Op::Exit { .. } => Box::new(std::iter::empty()),
    }
}

/// A JSON document read into a `serde_json::Value`, refusing an object
/// that has a key twice.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        // JSON has no NaN or infinity, so every number it holds is one.
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{}` is written twice in one object",
                    crate::printable::one_line(&key)
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(object.into())
    }
}
