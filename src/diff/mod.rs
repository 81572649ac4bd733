//! Stage diff: what changes between two versions of a program, for
//! reviewers and for the customers already inside it (`nurture diff`,
//! docs/diff.md). On top of `syntax`, `check` and `plan`: the changes in
//! meaning by clause and statement (`changes/`), the proved facts before
//! and after (`check::facts`), and the migration map (`map.rs`) from every
//! place a journey can rest in the old version (`layout.rs`) to a place in
//! the new one, matched step by step and statement by statement
//! (`align.rs`). `nurture serve --migrate` moves running journeys along the
//! same map.

pub mod align;
pub mod changes;
pub mod layout;
pub mod map;
pub mod report;

pub use report::{Diff, diff};
