//! `nurture serve [PROGRAM_OR_FOLDER…]`: check and compile the programs,
//! then run them live (src/serve/, docs/serve.md). A program with errors is
//! refused with the usual diagnostics (exit 1); a store, address or token
//! file that cannot be used is exit 2.

use super::args::{ClockArg, ServeArgs};
use super::{complain, exit, files};
use crate::plan::Plan;
use crate::serve::{self, clock, deliver, store};
use crate::syntax::ast::Schema;
use std::collections::BTreeMap;

pub fn run(args: &ServeArgs) -> i32 {
    let (plans, schema) = match compile(args) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let location = match store::Location::parse(&args.store) {
        Ok(location) => location,
        Err(problem) => {
            complain(&format!("--store: {problem}"));
            return exit::TROUBLE;
        }
    };
    let target = match deliver::Target::parse(&args.deliver) {
        Ok(target) => target,
        Err(problem) => {
            complain(&format!("--deliver: {problem}"));
            return exit::TROUBLE;
        }
    };
    // Bound first: a port already taken is said before anything is
    // deployed into the store.
    let listener = match std::net::TcpListener::bind(&args.listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
    {
        Ok(listener) => listener,
        Err(error) => {
            complain(&format!("cannot listen on {}: {error}", args.listen));
            return exit::TROUBLE;
        }
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| args.listen.clone());
    let token = match token(args, &address) {
        Ok(token) => token,
        Err(problem) => {
            complain(&problem);
            return exit::TROUBLE;
        }
    };
    let config = serve::Config {
        plans,
        schema,
        store: location,
        listen: listener,
        token,
        deliver: target,
        policy: deliver::Policy {
            tries: i64::from(args.webhook_tries),
            timeout: std::time::Duration::from_secs(args.webhook_timeout),
            first_wait: args.retry_wait as i64,
        },
        clock: match args.clock {
            ClockArg::System => clock::Mode::System,
            ClockArg::Manual => clock::Mode::Manual,
        },
        seed: args.seed,
        migrate: args.migrate,
        max_body: (args.max_body_mib as usize).saturating_mul(1 << 20),
        body_timeout: std::time::Duration::from_secs(args.body_timeout),
        workers: args.workers.map(|n| n as usize),
    };
    match serve::run(config) {
        Ok(()) => exit::CLEAN,
        Err(problem) => {
            complain(&problem);
            exit::TROUBLE
        }
    }
}

/// Every program checked and compiled (all reported, not just the first
/// with errors), and the schema that types customers and events: `--schema`
/// or the one the first program was checked against.
fn compile(args: &ServeArgs) -> Result<(Vec<Plan>, Option<Schema>), i32> {
    let (plans, schema) = programs(&args.paths, args.schema.as_deref()).inspect_err(|&code| {
        if code == exit::FINDINGS {
            complain("nothing was served: fix the programs above first");
        }
    })?;
    if plans.is_empty() {
        complain("no programs to serve: name program files or folders that hold them");
        return Err(exit::TROUBLE);
    }
    Ok((plans, schema))
}

/// Every program in `paths` (files and folders) checked and compiled, all
/// reported; a schema file among them is the schema, not a program; two
/// files defining one program are refused.
pub(super) fn programs(
    paths: &[std::path::PathBuf],
    schema_path: Option<&std::path::Path>,
) -> Result<(Vec<Plan>, Option<Schema>), i32> {
    let (paths, problems) = files::collect(paths);
    for problem in &problems {
        complain(problem);
    }
    if !problems.is_empty() {
        return Err(exit::TROUBLE);
    }
    let mut plans: Vec<Plan> = Vec::new();
    let mut schema: Option<Schema> = None;
    let mut worst = exit::CLEAN;
    let mut files_of: BTreeMap<String, String> = BTreeMap::new();
    let mut sources = Vec::with_capacity(paths.len());
    for path in &paths {
        // A schema file beside the programs is the schema, not a program.
        if let Ok(bytes) = files::read(path)
            && let Ok(text) = std::str::from_utf8(&bytes)
        {
            let parsed = crate::syntax::parse(text);
            if parsed.schema.is_some() && parsed.program.is_none() {
                continue;
            }
        }
        sources.push(path.clone());
        match super::compile::checked_plan(path, schema_path) {
            Ok((plan, found)) => {
                if let Some(first) = files_of.get(&plan.program) {
                    complain(&format!(
                        "`{}` and `{first}` both define program `{}`; each program runs once",
                        path.display(),
                        plan.program
                    ));
                    worst = worst.max(exit::FINDINGS);
                    continue;
                }
                files_of.insert(plan.program.clone(), path.display().to_string());
                if schema.is_none() {
                    schema = found;
                }
                plans.push(plan);
            }
            Err(code) => worst = worst.max(code),
        }
    }
    if worst != exit::CLEAN {
        return Err(worst);
    }
    // What `nurture check` refuses across these programs, no runtime runs.
    super::check::across(&sources, schema_path)?;
    Ok((plans, schema))
}

/// The bearer token: the first line of `--token-file`, or one made now and
/// said on stderr so that a first try needs no setup.
fn token(args: &ServeArgs, address: &str) -> Result<String, String> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path).map_err(|error| {
            format!(
                "--token-file: cannot read `{}`: {}",
                path.display(),
                files::plain(&error)
            )
        })?;
        let token = text.lines().next().unwrap_or("").trim().to_string();
        if token.len() < 16 {
            return Err(format!(
                "--token-file: `{}` must hold a token of at least 16 characters on its first line",
                path.display()
            ));
        }
        return Ok(token);
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|error| format!("cannot make a token: {error}"))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    eprintln!("nurture serve: no --token-file given; this run's token is {token}");
    eprintln!(
        "nurture serve: try: curl -H 'Authorization: Bearer {token}' http://{address}/v1/programs"
    );
    Ok(token)
}
