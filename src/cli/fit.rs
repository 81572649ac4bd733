//! `nurture fit HISTORY`: a behaviour model fitted to what customers did.

use super::args::FitArgs;
use super::exit;

pub fn run(_args: &FitArgs) -> i32 {
    exit::TROUBLE
}
