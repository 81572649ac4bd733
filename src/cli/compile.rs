//! `nurture compile FILE`: check a program, and write its plan when the
//! check finds no error. Diagnostics go to stderr, the plan to stdout or
//! `--output`.

use super::args::CompileArgs;
use super::schema::Schemas;
use super::{complain, exit, files, print, write};
use crate::diagnostic::Severity;
use crate::plan::Plan;
use crate::render::FileReport;
use crate::render::human::{self, HumanOptions};
use crate::syntax::ast::Schema;
use std::io::Write;
use std::path::Path;

pub fn run(args: &CompileArgs) -> i32 {
    if let Some(output) = &args.output {
        let mut inputs = vec![("the program", args.file.as_path())];
        inputs.extend(args.schema.as_deref().map(|s| ("the schema", s)));
        if let Err(problem) = write::not_an_input(output, &inputs) {
            complain(&problem);
            return exit::TROUBLE;
        }
    }
    let plan = match checked_plan(&args.file, args.schema.as_deref()) {
        Ok((plan, _)) => plan.to_json(),
        Err(code) => return code,
    };
    match &args.output {
        Some(output) => match write::replace(output, plan.as_bytes()) {
            Ok(()) => exit::CLEAN,
            Err(problem) => {
                complain(&problem);
                exit::TROUBLE
            }
        },
        None => {
            print(&plan);
            exit::CLEAN
        }
    }
}

/// Checks the program at `file` and compiles it, with the schema it was
/// checked against. Diagnostics are shown on stderr; on failure, the exit
/// code to end with.
pub fn checked_plan(
    file: &Path,
    schema_path: Option<&Path>,
) -> Result<(Plan, Option<Schema>), i32> {
    checked(file, schema_path).map(|c| (c.plan, c.schema))
}

/// A program checked without errors: its text, tree, plan and schema.
pub struct Checked {
    pub source: String,
    pub program: crate::syntax::ast::Program,
    pub plan: Plan,
    pub schema: Option<Schema>,
}

/// [`checked_plan`], keeping the text and the tree.
pub fn checked(file: &Path, schema_path: Option<&Path>) -> Result<Checked, i32> {
    let path = file.display().to_string();
    let bytes = match files::read(file) {
        Ok(bytes) => bytes,
        Err(problem) => {
            complain(&problem);
            return Err(exit::TROUBLE);
        }
    };
    let mut schemas = Schemas::new(schema_path);
    let compiled = {
        let schema = schemas.for_file(file, &bytes);
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
            let options = HumanOptions {
                color: false,
                width: 100,
            };
            let rendered = human::render_first(
                &report,
                &options,
                "`nurture check --output-format json` lists them all",
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
                Some(program) => Ok(Checked {
                    plan: crate::plan::compile(&program, schema),
                    schema: schema.cloned(),
                    program,
                    source,
                }),
                None => Err(format!("`{path}` holds no program to compile")),
            }
        }
    };
    let trouble = schemas.finish();
    match compiled {
        Ok(_) if trouble => Err(exit::TROUBLE),
        Ok(compiled) => Ok(compiled),
        Err(problem) => {
            complain(&problem);
            Err(exit::FINDINGS)
        }
    }
}
