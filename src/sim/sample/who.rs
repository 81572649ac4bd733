//! Who a sample customer is: a business or a consumer, where they live,
//! what they do there, and how much they are worth to us (the tier).

use super::rng::Rng;
use super::world::{COUNTRIES, Country, Zone};

pub struct Who {
    pub business: bool,
    pub country: &'static Country,
    pub zone: Zone,
    /// Some records lack a time zone (imported from an old shop), and the
    /// programs must cope: quiet hours are then kept in UTC.
    pub time_zone_known: bool,
    pub language: &'static str,
    pub role: &'static str,
    pub segment: &'static str,
    pub key_account: bool,
    pub tier: Tier,
    pub premium: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Gold,
    Silver,
    Bronze,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Gold => "gold",
            Tier::Silver => "silver",
            Tier::Bronze => "bronze",
        }
    }
}

/// The share of businesses, per mille.
const BUSINESSES: u32 = 400;

pub fn who(rng: &mut Rng) -> Who {
    let business = rng.chance(BUSINESSES);
    let country = rng.pick(COUNTRIES).unwrap_or(&COUNTRIES[0].0);
    let zone = rng.pick(country.zones).copied().unwrap_or(Zone {
        name: "UTC",
        offset_minutes: 0,
    });
    let time_zone_known = !rng.chance(20);
    let language = rng.pick(country.languages).copied().unwrap_or("en");
    let (role, segment, key_account) = if business {
        let role = *rng
            .pick(&[
                ("user", 35),
                ("buyer", 25),
                ("decision_maker", 25),
                ("admin", 15),
            ])
            .unwrap_or(&"user");
        let segment = *rng
            .pick(&[("smb", 65), ("enterprise", 20), ("reseller", 15)])
            .unwrap_or(&"smb");
        let key_account = rng.chance(match segment {
            "enterprise" => 400,
            "reseller" => 250,
            _ => 30,
        });
        (role, segment, key_account)
    } else {
        // Most shops know nothing of a consumer's role; some CRMs say so.
        let role = if rng.chance(300) { "consumer" } else { "" };
        let segment = if rng.chance(30) {
            "employee"
        } else {
            "consumer"
        };
        (role, segment, false)
    };
    // Key accounts are key because they buy a lot; the rest is spread so
    // that all customers come out near 10% gold, 30% silver, 60% bronze.
    let tiers: &[(Tier, u32)] = if key_account {
        &[(Tier::Gold, 75), (Tier::Silver, 20), (Tier::Bronze, 5)]
    } else {
        &[(Tier::Gold, 6), (Tier::Silver, 31), (Tier::Bronze, 63)]
    };
    let tier = rng.pick(tiers).copied().unwrap_or(Tier::Bronze);
    let premium = rng.chance(match tier {
        Tier::Gold => 500,
        Tier::Silver => 300,
        Tier::Bronze => 150,
    });
    Who {
        business,
        country,
        zone,
        time_zone_known,
        language,
        role,
        segment,
        key_account,
        tier,
        premium,
    }
}
