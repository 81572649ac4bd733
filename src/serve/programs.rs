//! Stage serve: the plans a process runs — the deployed version of each
//! program, for new entries, and every version ever deployed, for journeys
//! still running on an older one.

use super::store::StoredPlan;
use crate::plan::Plan;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct Programs {
    /// The version new entries use, by program name.
    deployed: BTreeMap<String, Arc<Plan>>,
    /// Every version known, by digest.
    versions: HashMap<String, Arc<Plan>>,
    /// The schema's caps, kept across every program of a customer.
    pub caps: Arc<Vec<crate::plan::Cap>>,
}

impl Programs {
    pub fn new(deployed: Vec<Plan>) -> Programs {
        let mut programs = Programs::default();
        for plan in deployed {
            let plan = Arc::new(plan);
            programs
                .versions
                .insert(plan.digest.clone(), Arc::clone(&plan));
            programs.deployed.insert(plan.program.clone(), plan);
        }
        programs
    }

    /// Adds the versions stored by earlier deploys (or other processes).
    /// A stored plan this build cannot load is skipped and said: a journey
    /// on it waits (its customer's work fails) until a build that can runs.
    pub fn add_stored(&mut self, stored: &[StoredPlan]) -> Vec<String> {
        let mut problems = Vec::new();
        for plan in stored {
            if self.versions.contains_key(&plan.version) {
                continue;
            }
            match crate::plan::load(&plan.plan) {
                Ok(loaded) => {
                    self.versions.insert(plan.version.clone(), Arc::new(loaded));
                }
                Err(error) => problems.push(format!(
                    "stored plan `{}` version `{}` cannot be loaded: {error}",
                    plan.program, plan.version
                )),
            }
        }
        problems
    }

    pub fn deployed(&self) -> impl Iterator<Item = (&String, &Arc<Plan>)> {
        self.deployed.iter()
    }

    pub fn current(&self, program: &str) -> Option<&Arc<Plan>> {
        self.deployed.get(program)
    }

    pub fn version(&self, digest: &str) -> Option<&Arc<Plan>> {
        self.versions.get(digest)
    }

    /// The name of the step that holds `node`: the last step starting at
    /// or before it (steps are in source order, and so are their nodes).
    pub fn step_name(plan: &Plan, node: usize) -> Option<&str> {
        plan.steps
            .iter()
            .take_while(|step| step.node <= node)
            .last()
            .map(|step| step.name.as_str())
    }
}
