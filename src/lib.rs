//! nurture: a declarative language, compiler, linter and simulator for
//! customer nurture programs.
//!
//! The stages, in the order data flows through them:
//!
//! | stage | module | data |
//! |---|---|---|
//! | read and parse | [`syntax`] | text → [`syntax::ast::Program`] or [`syntax::ast::Schema`] |
//! | check | [`check`] | program → diagnostics |
//! | diff | [`diff`] | two versions of a program → changes in meaning, facts before and after, the migration map |
//! | render | [`render`] | diagnostics → human text, JSON, GitHub, SARIF |
//! | sample | [`sim::sample`] | count, seed, as-of date → customers as CSV |
//! | serve | [`serve`] | plans, customers and events over HTTP → actions delivered from a durable outbox |
//! | command line | [`cli`] | flags → exit code |

pub mod check;
pub mod cli;
pub mod codes;
pub mod diagnostic;
pub mod diff;
pub mod format;
pub mod formats;
pub mod json_schema;
pub mod lsp;
pub mod plan;
pub mod printable;
pub mod render;
pub mod run;
pub mod serve;
pub mod sim;
pub mod span;
pub mod suggest;
pub mod syntax;
