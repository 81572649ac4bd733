//! Stage 5: the simulator. Runs compiled plans against many customers, each
//! answering messages as a behaviour model says, and reports what would
//! happen: the funnel per step, outcomes, messages per customer, the goal
//! rate against the holdout.
//!
//! Every customer is simulated on their own timeline, start to end, by the
//! same interpreter `nurture replay` uses (`run::advance_with`). Customers
//! never meet, so threads share out customers, and every random draw is
//! keyed by the seed, the customer and the draw's number: the same inputs
//! give the same report whatever the number of threads.

pub mod behavior;
pub mod draw;
pub mod engine;
pub mod fit;
pub mod history;
pub mod pick;
pub mod report;
pub mod run;
pub mod sample;
pub mod setup;
pub mod stream;
pub mod tally;
pub mod together;
pub mod zone;
