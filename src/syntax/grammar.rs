//! The pest parser generated from `grammar/nurture.pest`. Its `Rule` and
//! pairs stay inside `syntax`: the lowering turns them into the syntax tree.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/nurture.pest"]
pub(super) struct NurtureParser;
