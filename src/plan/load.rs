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
    // The version first: a plan of another version is refused as such, not
    // with whatever field happens to differ.
    let document: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        error(
            "",
            format!(
                "not a JSON document (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    // Every older format is a part of the newest: format 1 is format 2
    // without what format 2 added, and reads as it is.
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
    }
    if plan.ends.as_ref().is_some_and(|ends| ends.minutes == 0) {
        return Err(error("ends.minutes", "a journey cannot end as it starts"));
    }
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
    Ok(())
}
