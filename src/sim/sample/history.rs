//! What a sample customer has bought: the product line, how often, when
//! last and what, and what they have spent in all.

use super::calendar::{Day, SECONDS_PER_DAY};
use super::rng::Rng;
use super::who::{Tier, Who};
use super::world::{Kind, LINES, Line, Product};

pub struct History {
    pub line: &'static Line,
    /// 0 for someone who signed up and never bought.
    pub orders: i64,
    pub owner: bool,
    /// The moment of the last purchase, in seconds, and the order.
    pub last_purchase: Option<i64>,
    pub last_order: Option<(i64, &'static str)>,
    pub lifetime_value: i64,
}

impl History {
    /// Whole days from the last purchase to the as-of date (`None`: never).
    pub fn days_since_purchase(&self, as_of: Day) -> Option<i64> {
        self.last_purchase
            .map(|at| as_of - at.div_euclid(SECONDS_PER_DAY))
    }
}

/// Per mille of customers who signed up but never bought.
const NEVER_BOUGHT: u32 = 30;

pub fn history(rng: &mut Rng, who: &Who, as_of: Day) -> History {
    let line = pick_line(rng, who.business);
    if rng.chance(NEVER_BOUGHT) {
        return History {
            line,
            orders: 0,
            owner: false,
            last_purchase: None,
            last_order: None,
            lifetime_value: 0,
        };
    }
    let orders = match who.tier {
        Tier::Bronze if rng.chance(450) => 1,
        Tier::Bronze => rng.between(2, 4),
        Tier::Silver if rng.chance(120) => 1,
        Tier::Silver => rng.between(2, 12),
        Tier::Gold => rng.skewed(4, 60),
    };
    let owner = rng.chance(line.owners);
    // The big purchase is the last one for a first order, and now and then
    // for a second machine or a new bike; otherwise it is beans, filters,
    // parts. (Someone in a machine line who owns none of ours buys
    // supplies for another brand's machine.)
    let buys_durable = if line.owners > 0 && !owner {
        false
    } else {
        orders == 1 || rng.chance(if owner { 200 } else { 450 })
    };
    let kind = if buys_durable {
        Kind::Durable
    } else {
        Kind::Repeat
    };
    let product = pick_product(rng, line, kind, who.business);
    let amount = product.map_or(0, |product| amount(rng, product, who));
    let last_purchase = purchase_time(rng, who, as_of);

    // Tiers are by value, but a tractor dealer's bronze customer still
    // spends more than a coffee drinker's gold one: scale by line, and a
    // customer has spent at least their last order.
    let (low, high) = match who.tier {
        Tier::Bronze => (30, 1_500),
        Tier::Silver => (1_500, 8_000),
        Tier::Gold => (8_000, 80_000),
    };
    let mut lifetime_value = rng.skewed(low, high) * line.value_scale / 100;
    if who.business {
        lifetime_value = lifetime_value * 3 / 2;
    }
    History {
        line,
        orders,
        owner,
        last_purchase: Some(last_purchase),
        last_order: product.map(|product| (amount, product.name)),
        lifetime_value: lifetime_value.max(amount),
    }
}

fn pick_line(rng: &mut Rng, business: bool) -> &'static Line {
    let total: u64 = LINES
        .iter()
        .map(|line| u64::from(weight(line, business)))
        .sum();
    let mut roll = rng.below(total);
    for line in LINES {
        let weight = u64::from(weight(line, business));
        if roll < weight {
            return line;
        }
        roll -= weight;
    }
    &LINES[0]
}

fn weight(line: &Line, business: bool) -> u32 {
    if business {
        line.business
    } else {
        line.consumer
    }
}

/// A product of the kind wanted, by how often this kind of customer buys
/// it; any product of the line when there is none of that kind (the
/// coffee line sells no machines).
fn pick_product(
    rng: &mut Rng,
    line: &'static Line,
    kind: Kind,
    business: bool,
) -> Option<&'static Product> {
    let weight = |product: &Product, wanted: Option<Kind>| {
        let fits = wanted.is_none_or(|kind| product.kind == kind);
        match (fits, business) {
            (false, _) => 0,
            (true, true) => u64::from(product.business),
            (true, false) => u64::from(product.consumer),
        }
    };
    for wanted in [Some(kind), None] {
        let total: u64 = line.products.iter().map(|p| weight(p, wanted)).sum();
        if total == 0 {
            continue;
        }
        let mut roll = rng.below(total);
        for product in line.products {
            let weight = weight(product, wanted);
            if roll < weight {
                return Some(product);
            }
            roll -= weight;
        }
    }
    None
}

/// What the order came to, in whole euros: businesses buy several at a
/// time (resellers by the dozen) and get a discount.
fn amount(rng: &mut Rng, product: &Product, who: &Who) -> i64 {
    let reseller = who.segment == "reseller";
    let quantity = match (product.kind, who.business) {
        (Kind::Durable, false) => 1,
        (Kind::Repeat, false) => rng.between(1, 3),
        (Kind::Durable, true) if reseller => rng.between(2, 8),
        (Kind::Durable, true) if rng.chance(200) => rng.between(2, 3),
        (Kind::Durable, true) => 1,
        // Service packages and tyre sets come one or two at a time.
        (Kind::Repeat, true) if product.price >= 500 => rng.between(1, 2),
        (Kind::Repeat, true) if reseller => rng.between(10, 60),
        (Kind::Repeat, true) => rng.between(1, 12),
    };
    let full = product.price as i64 * quantity;
    if who.business {
        full * (100 - rng.between(0, 15)) / 100
    } else {
        full
    }
}

/// When the last purchase was, in seconds: how long ago depends on the
/// tier (gold customers buy more often), and the time of day is waking
/// hours where the customer lives (office hours for a business). About
/// 40% of buyers have not bought for more than 180 days, and about 13% for
/// more than two years.
fn purchase_time(rng: &mut Rng, who: &Who, as_of: Day) -> i64 {
    let recency: &[((i64, i64), u32)] = match who.tier {
        Tier::Gold => &[
            ((1, 90), 55),
            ((91, 180), 22),
            ((181, 730), 17),
            ((731, 1460), 6),
        ],
        Tier::Silver => &[
            ((1, 90), 42),
            ((91, 180), 22),
            ((181, 730), 25),
            ((731, 1460), 11),
        ],
        Tier::Bronze => &[
            ((1, 90), 35),
            ((91, 180), 22),
            ((181, 730), 28),
            ((731, 1460), 15),
        ],
    };
    let (low, high) = rng.pick(recency).copied().unwrap_or((1, 90));
    let days_ago = rng.between(low, high);
    local_moment(rng, who, as_of - days_ago, as_of)
}

/// A moment on local day `day` in waking hours (office hours for a
/// business), in UTC seconds, and always before the as-of date begins:
/// the evening of the day before in Los Angeles is already the as-of day
/// in UTC, so such a moment moves back a day.
pub fn local_moment(rng: &mut Rng, who: &Who, day: Day, as_of: Day) -> i64 {
    let (first_hour, last_hour) = if who.business { (8, 17) } else { (7, 22) };
    let second_of_day = rng.between(first_hour * 3600, last_hour * 3600 + 3599);
    let at = day * SECONDS_PER_DAY + second_of_day - who.zone.offset_minutes * 60;
    if at >= as_of * SECONDS_PER_DAY {
        at - SECONDS_PER_DAY
    } else {
        at
    }
}
