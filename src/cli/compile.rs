//! `nurture compile FILE`: check a program, and write its plan when the
//! check finds no error. Diagnostics go to stderr, the plan to stdout or
//! `--output`.

use super::args::CompileArgs;
use super::schema::Schemas;
use super::{complain, exit, files, print};
use crate::diagnostic::Severity;
use crate::render::FileReport;
use crate::render::human::{self, HumanOptions};
use std::io::Write;

pub fn run(args: &CompileArgs) -> i32 {
    let path = args.file.display().to_string();
    let bytes = match files::read(&args.file) {
        Ok(bytes) => bytes,
        Err(problem) => {
            complain(&problem);
            return exit::TROUBLE;
        }
    };
    let mut schemas = Schemas::new(args.schema.as_deref());
    let compiled = {
        let schema = schemas.for_file(&args.file, &bytes);
        let (source, diagnostics) = crate::check::check_bytes_with(&bytes, schema);
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        if !diagnostics.is_empty() {
            let report = FileReport {
                path: path.clone(),
                source: source.clone(),
                diagnostics,
            };
            let rendered = human::render(
                &report,
                &HumanOptions {
                    color: false,
                    width: 100,
                },
            );
            let _ = std::io::stderr().lock().write_all(rendered.as_bytes());
        }
        if errors > 0 {
            let noun = if errors == 1 { "error" } else { "errors" };
            Err(format!(
                "`{path}` has {errors} {noun}; fix them before compiling"
            ))
        } else {
            match crate::syntax::parse(&source).program {
                Some(program) => Ok(crate::plan::compile(&program, &source, schema).to_json()),
                None => Err(format!("`{path}` holds no program to compile")),
            }
        }
    };
    let trouble = schemas.finish();
    let plan = match compiled {
        Ok(plan) => plan,
        Err(problem) => {
            complain(&problem);
            return exit::FINDINGS;
        }
    };
    if trouble {
        return exit::TROUBLE;
    }
    match &args.output {
        Some(output) => match std::fs::write(output, plan) {
            Ok(()) => exit::CLEAN,
            Err(error) => {
                complain(&format!("cannot write `{}`: {error}", output.display()));
                exit::TROUBLE
            }
        },
        None => {
            print(&plan);
            exit::CLEAN
        }
    }
}
