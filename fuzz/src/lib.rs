//! What the fuzz targets share: the bundled schema and programs, and the
//! promises every diagnostic and every rendering keeps, whatever the input.
//!
//! The targets are in `fuzz_targets/`; docs/testing.md says how to run them.
//! Harness code may assert: an assertion that fails is a finding.

use nurture::diagnostic::Diagnostic;
use nurture::plan::Plan;
use nurture::syntax::ast::Schema;
use std::sync::OnceLock;

/// The customer schema every bundled program is checked against.
pub const SCHEMA: &str = include_str!("../../programs/schema.nurture");

/// The bundled programs, by file name.
pub const PROGRAMS: [(&str, &str); 12] = [
    (
        "after_sales_consumables",
        include_str!("../../programs/after_sales_consumables.nurture"),
    ),
    (
        "after_sales_service",
        include_str!("../../programs/after_sales_service.nurture"),
    ),
    (
        "after_sales_training",
        include_str!("../../programs/after_sales_training.nurture"),
    ),
    (
        "cross_sell_accessories",
        include_str!("../../programs/cross_sell_accessories.nurture"),
    ),
    (
        "referral_ask",
        include_str!("../../programs/referral_ask.nurture"),
    ),
    (
        "repurchase_reminder",
        include_str!("../../programs/repurchase_reminder.nurture"),
    ),
    (
        "retain_churn_risk",
        include_str!("../../programs/retain_churn_risk.nurture"),
    ),
    (
        "trade_fair_follow_up",
        include_str!("../../programs/trade_fair_follow_up.nurture"),
    ),
    (
        "upsell_key_account",
        include_str!("../../programs/upsell_key_account.nurture"),
    ),
    (
        "upsell_premium",
        include_str!("../../programs/upsell_premium.nurture"),
    ),
    (
        "wake_up_dormant",
        include_str!("../../programs/wake_up_dormant.nurture"),
    ),
    (
        "welcome_new_customer",
        include_str!("../../programs/welcome_new_customer.nurture"),
    ),
];

/// The bundled schema, parsed once.
pub fn schema() -> &'static Schema {
    static SCHEMA_AST: OnceLock<Schema> = OnceLock::new();
    SCHEMA_AST.get_or_init(|| {
        nurture::syntax::parse(SCHEMA)
            .schema
            .expect("programs/schema.nurture holds a schema")
    })
}

/// Every bundled program compiled against the bundled schema, once.
pub fn bundled_plans() -> &'static [Plan] {
    static PLANS: OnceLock<Vec<Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        PROGRAMS
            .iter()
            .map(|(name, source)| {
                let program = nurture::syntax::parse(source)
                    .program
                    .unwrap_or_else(|| panic!("programs/{name}.nurture holds a program"));
                nurture::plan::compile(&program, Some(schema()))
            })
            .collect()
    })
}

/// Every label points into `text`, on character boundaries.
pub fn assert_spans_fit(text: &str, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        for label in &diagnostic.labels {
            let span = label.span;
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "{} points at {}..{}, outside the {}-byte text or inside a character",
                diagnostic.code.id(),
                span.start,
                span.end,
                text.len()
            );
        }
    }
}
