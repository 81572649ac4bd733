//! `nurture diff OLD NEW`: compare two versions of a program (docs/diff.md).
//! Both are checked and compiled as `nurture compile` does; a file with
//! errors is shown on stderr and ends the run with exit 2, since there is
//! no meaning to compare.

use super::args::{DiffArgs, DiffFormat};
use super::compile::checked;
use super::{exit, print};
use crate::diff::report::Version;

pub fn run(args: &DiffArgs) -> i32 {
    let load = |path: &std::path::Path| checked(path, args.schema.as_deref());
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        _ => return exit::TROUBLE,
    };
    if old.plan.program != new.plan.program {
        // Journeys are kept by program name: `serve` runs a renamed program
        // as a new one, and nobody migrates from the old.
        eprintln!(
            "nurture: note: `{}` is program `{}` and `{}` is program `{}`: compared as two versions of one program, but `nurture serve` keeps journeys by program name and would run the new one beside the old, not in its place",
            args.old.display(),
            old.plan.program,
            args.new.display(),
            new.plan.program
        );
    }
    let (old_path, new_path) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let diff = crate::diff::diff(
        &Version {
            path: &old_path,
            source: &old.source,
            program: &old.program,
            plan: &old.plan,
            schema: old.schema.as_ref(),
        },
        &Version {
            path: &new_path,
            source: &new.source,
            program: &new.program,
            plan: &new.plan,
            schema: new.schema.as_ref(),
        },
    );
    let output = match args.output_format {
        DiffFormat::Human => crate::render::diff::human(&diff),
        DiffFormat::Markdown => crate::render::diff::markdown(&diff),
        DiffFormat::Json => match serde_json::to_string_pretty(&diff) {
            Ok(json) => json + "\n",
            // Plain structs with string keys always serialise.
            Err(error) => format!("{{\"error\": {:?}}}\n", error.to_string()),
        },
    };
    print(&output);
    if args.deny_hazards {
        if diff.hazards.is_empty() {
            exit::CLEAN
        } else {
            exit::FINDINGS
        }
    } else if diff.same_meaning {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}
