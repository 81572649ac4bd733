//! `nurture merge REPORT.json…`: the reports of the shards of one run
//! (`simulate --shard I/N`, one machine each) added into the report of the
//! whole run, the same bytes `simulate` prints for the whole file on one
//! machine (docs/simulation.md, "Many machines").

use super::args::{MergeArgs, ReportFormat};
use super::{complain, exit, files, print};
use crate::render::simulation;
use crate::sim::report::shard::{ShardFile, merge};

pub fn run(args: &MergeArgs) -> i32 {
    let mut reports = Vec::new();
    for path in &args.reports {
        let name = path.display().to_string();
        let bytes = match files::read_all(path) {
            Ok(bytes) => bytes,
            Err(problem) => {
                complain(&problem);
                return exit::TROUBLE;
            }
        };
        match serde_json::from_slice::<ShardFile>(&bytes) {
            Ok(report) => reports.push((name, report)),
            Err(error) => {
                complain(&format!(
                    "`{name}` is not a simulator report in JSON ({error}): make each shard's with `nurture simulate … --shard I/N --output-format json`"
                ));
                return exit::FINDINGS;
            }
        }
    }
    let (report, runs) = match merge(&reports) {
        Ok(merged) => merged,
        Err(problem) => {
            complain(&problem);
            return exit::FINDINGS;
        }
    };
    if let Err(code) = super::simulate::within_bounds(&runs) {
        return code;
    }
    if let Err(code) = super::simulate::within_portfolio_bound(report.portfolio.as_ref()) {
        return code;
    }
    print(&match args.output_format {
        ReportFormat::Human => simulation::human(&report),
        ReportFormat::Json => report.to_json(),
    });
    // As `simulate` ends for the whole file: rows were skipped.
    if report.skipped_rows == 0 {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}
