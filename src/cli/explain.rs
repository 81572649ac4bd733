//! `nurture explain CODE`: the same text as docs/diagnostics.md.

use super::args::ExplainArgs;
use super::{complain, exit, print};
use crate::codes::Code;

pub fn run(args: &ExplainArgs) -> i32 {
    let Some(query) = &args.code else {
        let mut out = String::new();
        for code in Code::ALL {
            out.push_str(&format!(
                "{}  {:<24} {:<8} {}\n",
                code.id(),
                code.name(),
                code.severity().as_str(),
                code.summary()
            ));
        }
        print(&out);
        return exit::CLEAN;
    };
    match Code::lookup(query) {
        Some(code) => {
            print(&explanation(code));
            exit::CLEAN
        }
        None => {
            let names = Code::ALL.iter().flat_map(|c| [c.id(), c.name()]);
            let hint = match crate::suggest::closest(query, names) {
                Some(close) => format!("; did you mean `{close}`?"),
                None => "; `nurture explain` lists them all".to_string(),
            };
            complain(&format!("`{query}` is not a diagnostic code{hint}"));
            exit::TROUBLE
        }
    }
}

/// The full text for one code, as printed and as in docs/diagnostics.md.
pub fn explanation(code: Code) -> String {
    format!(
        "# {} {} ({})\n\n{}\n\n{}",
        code.id(),
        code.name(),
        code.severity().as_str(),
        code.summary(),
        code.explanation()
    )
}
