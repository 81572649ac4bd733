//! Generated programs for the portfolio properties (tests/portfolio.rs on
//! replay, tests/simulate_together.rs on the simulator): a trigger event,
//! sends with waits between, a reentry and maybe a cap of their own.

use proptest::prelude::*;

/// One generated program: a trigger event, sends with waits between, a
/// reentry and maybe a cap of its own.
#[derive(Clone, Debug)]
pub struct Gen {
    pub trigger: usize,
    /// (channel, days to wait after it)
    pub body: Vec<(usize, u8)>,
    pub reentry: Option<u8>,
    pub cap: Option<u8>,
}

pub const EVENTS: [&str; 2] = ["signup", "click"];
pub const CHANNELS: [&str; 2] = ["email", "sms"];

pub fn program() -> impl Strategy<Value = Gen> {
    (
        0..2usize,
        prop::collection::vec((0..2usize, 0..4u8), 1..4),
        prop_oneof![Just(None), (1..5u8).prop_map(Some)],
        prop_oneof![2 => Just(None), 1 => (1..4u8).prop_map(Some)],
    )
        .prop_map(|(trigger, body, reentry, cap)| Gen {
            trigger,
            body,
            reentry,
            cap,
        })
}

pub fn text(i: usize, g: &Gen) -> String {
    let reentry = match g.reentry {
        Some(days) => format!("  reentry after {days}d\n"),
        None => "  reentry never\n".into(),
    };
    let cap = g
        .cap
        .map(|n| format!("  cap {n} messages per 7d\n"))
        .unwrap_or_default();
    let mut body = String::new();
    for (n, (channel, wait)) in g.body.iter().enumerate() {
        let channel = CHANNELS[*channel];
        body.push_str(&format!(
            "    send {channel} \"p{i}-{n}\" if consent {channel}\n"
        ));
        if *wait > 0 {
            body.push_str(&format!("    wait {wait}d\n"));
        }
    }
    format!(
        "program p{i} {{\n  kind welcome\n  owner \"x\"\n  trigger event {}\n  consent email\n{reentry}{cap}  step s {{\n{body}    exit done\n  }}\n}}\n",
        EVENTS[g.trigger]
    )
}
