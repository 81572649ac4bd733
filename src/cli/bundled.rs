//! What nurture carries inside it: the sample customers, the behaviour
//! model, and the bundled programs with their schema (for `sample
//! history`), so that `simulate`, `sample history` and `fit` work
//! anywhere, outside a clone of the repository too.

use super::{complain, exit, files};
use crate::render::FileReport;
use crate::render::human::{self, HumanOptions};
use crate::sim::behavior::{self, Behavior};
use crate::syntax::ast::Schema;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// The bundled samples, as `programs/sample/` holds them.
pub const SAMPLE_CUSTOMERS: &str = include_str!("../../programs/sample/population.csv");
pub const SAMPLE_CUSTOMERS_NAME: &str = "programs/sample/population.csv";
pub const SAMPLE_BEHAVIOR: &str = include_str!("../../programs/sample/behavior.toml");
pub const SAMPLE_BEHAVIOR_NAME: &str = "programs/sample/behavior.toml";
pub const SCHEMA: &str = include_str!("../../programs/schema.nurture");

macro_rules! program {
    ($name:literal) => {
        (
            concat!("programs/", $name, ".nurture"),
            include_str!(concat!("../../programs/", $name, ".nurture")),
        )
    };
}

/// The bundled programs, (file, text), in the order of their names.
pub const PROGRAMS: [(&str, &str); 14] = [
    program!("after_sales_consumables"),
    program!("after_sales_service"),
    program!("after_sales_training"),
    program!("cross_sell_accessories"),
    program!("develop_new_customer"),
    program!("referral_ask"),
    program!("repurchase_reminder"),
    program!("retain_churn_risk"),
    program!("trade_fair_follow_up"),
    program!("upsell_key_account"),
    program!("upsell_lead_score"),
    program!("upsell_premium"),
    program!("wake_up_dormant"),
    program!("welcome_new_customer"),
];

/// A behaviour model, read and checked, with what to tell about it.
pub struct Model {
    pub name: String,
    /// `sha256:` and the hex SHA-256 of the model's text: shards of one
    /// run must have used the same model.
    pub digest: String,
    pub behavior: Behavior,
    /// Set when the bundled model was used with a schema that lacks some of
    /// what it names: what was left out, in one sentence.
    pub note: Option<String>,
}

/// The model at `path`, or the bundled one; its diagnostics are shown on
/// stderr and the exit code returned when it does not read. The bundled
/// model meets the schema leniently: what the schema does not declare is
/// left out and said in [`Model::note`].
pub fn model(path: Option<&Path>, schema: Option<&Schema>) -> Result<Model, i32> {
    let (name, text) = match path {
        Some(path) => (path.display().to_string(), files::read_data_text(path)?),
        None => (
            SAMPLE_BEHAVIOR_NAME.to_string(),
            SAMPLE_BEHAVIOR.to_string(),
        ),
    };
    let read = match path {
        Some(_) => behavior::read(&text, schema).map(|model| (model, Vec::new())),
        None => behavior::read_lenient(&text, schema),
    };
    match read {
        Ok((behavior, left_out)) => Ok(Model {
            name,
            digest: {
                use sha2::Digest;
                format!("sha256:{:x}", sha2::Sha256::digest(text.as_bytes()))
            },
            behavior,
            note: (!left_out.is_empty()).then(|| {
                format!(
                    "the bundled behaviour model names what the schema does not declare, and simulates without it: {} (`nurture sample behavior --schema PATH` writes a model for your schema)",
                    left_out.join("; ")
                )
            }),
        }),
        Err(diagnostics) => {
            let report = FileReport {
                path: name,
                source: text,
                diagnostics,
            };
            let options = HumanOptions {
                color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                width: 100,
            };
            let _ = std::io::stderr()
                .lock()
                .write_all(human::render(&report, &options).as_bytes());
            Err(exit::FINDINGS)
        }
    }
}

/// The bundled schema, which is known to be clean.
pub fn schema() -> Option<Schema> {
    let schema = crate::syntax::parse(SCHEMA).schema;
    if schema.is_none() {
        complain("internal: the bundled schema does not read; please report this");
    }
    schema
}

/// A bundled program, checked and compiled against the bundled schema.
pub struct BundledProgram {
    pub plan: crate::plan::Plan,
    pub program: crate::syntax::ast::Program,
}

/// The bundled programs, compiled. They are known to be clean; one that
/// is not is a fault in nurture.
pub fn programs(schema: &Schema) -> Result<Vec<BundledProgram>, i32> {
    let mut out = Vec::new();
    for (file, text) in PROGRAMS {
        let (source, diagnostics) = crate::check::check_bytes_with(text.as_bytes(), Some(schema));
        let clean = !diagnostics
            .iter()
            .any(|d| d.severity() == crate::diagnostic::Severity::Error);
        match crate::syntax::parse(&source).program {
            Some(program) if clean => out.push(BundledProgram {
                plan: crate::plan::compile(&program, Some(schema)),
                program,
            }),
            _ => {
                complain(&format!(
                    "internal: the bundled `{file}` does not check; please report this"
                ));
                return Err(exit::TROUBLE);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The list is written out because `include_str!` needs literal paths;
    /// this keeps it in step with the folder.
    #[test]
    fn every_program_in_the_folder_is_bundled() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|name| name.ends_with(".nurture") && name != "schema.nurture")
                    .map(|name| format!("programs/{name}"))
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let bundled: Vec<String> = super::PROGRAMS.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(bundled, on_disk);
    }
}
