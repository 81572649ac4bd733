//! `nurture simulate` and `nurture merge`: the checker's bounds held to
//! the simulated counts; a run past one has found a fault in nurture.

use crate::cli::{complain, exit};
use crate::sim::report;

/// The checker's bound is a promise; a simulation that breaks it has found
/// a fault in nurture, not in the program.
pub(in crate::cli) fn within_bounds(reports: &[Vec<report::ProgramReport>]) -> Result<(), i32> {
    for program in reports.iter().flatten() {
        if let Some(bound) = program.messages.bound
            && program.messages.max > bound
        {
            complain(&format!(
                "internal: `{}` sent a journey {} messages, more than the {bound} the checker proved; please report this",
                program.program, program.messages.max
            ));
            return Err(exit::TROUBLE);
        }
    }
    Ok(())
}

/// The portfolio's bound is a promise too: a customer who got more in 7
/// days than `check` proved has found a fault in nurture.
pub(in crate::cli) fn within_portfolio_bound(
    portfolio: Option<&report::PortfolioReport>,
) -> Result<(), i32> {
    if let Some(portfolio) = portfolio
        && let Some(bound) = portfolio.per_week.bound
        && portfolio.per_week.max > bound
    {
        complain(&format!(
            "internal: the programs together sent a customer {} messages in 7 days, more than the {bound} the checker proved; please report this",
            portfolio.per_week.max
        ));
        return Err(exit::TROUBLE);
    }
    Ok(())
}
