//! `nurture fit HISTORY`: a behaviour model fitted to what the team's
//! customers did, written as the TOML `simulate --behavior` reads. The
//! history's bad lines are reported by number and left out (exit 1, the
//! model still written); notes on layers left out or taken from above go
//! to stderr and into the model's header.

use super::args::FitArgs;
use super::{complain, exit, files, note};
use crate::run::input;
use crate::sim::fit::{self, Options};
use std::path::Path;

pub fn run(args: &FitArgs) -> i32 {
    let window = match crate::syntax::duration_minutes(&args.window) {
        Ok(minutes) if minutes > 0 => minutes as i64 * 60,
        _ => {
            complain(&format!(
                "`--window {}` is not a duration like 14d",
                args.window
            ));
            return exit::TROUBLE;
        }
    };
    let text = match files::read_data_text(&args.history) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let mut schemas = super::schema::Schemas::new(args.schema.as_deref());
    let schema = schemas.for_file(&args.history, b"").cloned();
    if schemas.finish() {
        return exit::TROUBLE;
    }
    let name = args.history.display().to_string();
    let (history, mut errors) = fit::history::read(&name, &text, schema.as_ref());
    let population = match &args.customers {
        None => None,
        Some(path) => {
            let (customers_text, format) = match files::customers_text(path, schema.as_ref()) {
                Ok(read) => read,
                Err(code) => return code,
            };
            let mut population = Vec::new();
            let bad = input::read_customers_each(
                &path.display().to_string(),
                &customers_text,
                format,
                schema.as_ref(),
                Some(&std::collections::BTreeSet::new()),
                &mut |c| population.push((c.id, c.segments)),
            );
            errors.extend(bad);
            Some(population)
        }
    };
    super::simulate::report_rows(&errors);
    if history.sends.is_empty() {
        complain(&format!(
            "`{name}` holds no sends (lines with `at`, `customer`, `channel`, `template`): there is nothing to fit"
        ));
        return exit::FINDINGS;
    }
    let options = Options {
        window,
        min_sends: args.min_sends,
        population,
        history_name: format!("`{}`", file_name(&args.history)),
    };
    let fitted = fit::fit(&history, schema.as_ref(), &options);
    for text in &fitted.notes {
        note(text);
    }
    let code = write(args.output.as_deref(), &fitted.doc.to_toml());
    if code == exit::CLEAN && !errors.is_empty() {
        return exit::FINDINGS;
    }
    code
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn write(path: Option<&Path>, text: &str) -> i32 {
    super::sample::write_out(path, text)
}
