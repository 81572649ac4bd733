//! The world the sample customers live in: countries with their time zones
//! and languages, and the product lines with what they sell.
//!
//! Weights are relative (a weight of 30 among weights summing to 100 is
//! 30%). Every name here is plain ASCII without commas or quotes, so the
//! CSV writer never needs to quote a cell.

pub struct Country {
    pub code: &'static str,
    pub languages: &'static [(&'static str, u32)],
    pub zones: &'static [(Zone, u32)],
}

/// An IANA time zone and its usual offset from UTC, in minutes. The offset
/// only places purchases and logins in waking hours; summer time is
/// ignored, since an hour either way is still daytime.
#[derive(Clone, Copy)]
pub struct Zone {
    pub name: &'static str,
    pub offset_minutes: i64,
}

const fn zone(name: &'static str, offset_minutes: i64) -> Zone {
    Zone {
        name,
        offset_minutes,
    }
}

/// Countries, each with how many customers in 100 live there.
pub const COUNTRIES: &[(Country, u32)] = &[
    (
        Country {
            code: "DE",
            languages: &[("de", 96), ("en", 4)],
            zones: &[(zone("Europe/Berlin", 60), 1)],
        },
        30,
    ),
    (
        Country {
            code: "AT",
            languages: &[("de", 97), ("en", 3)],
            zones: &[(zone("Europe/Vienna", 60), 1)],
        },
        7,
    ),
    (
        Country {
            code: "CH",
            languages: &[("de", 65), ("fr", 25), ("it", 10)],
            zones: &[(zone("Europe/Zurich", 60), 1)],
        },
        6,
    ),
    (
        Country {
            code: "FR",
            languages: &[("fr", 95), ("en", 5)],
            zones: &[(zone("Europe/Paris", 60), 1)],
        },
        10,
    ),
    (
        Country {
            code: "NL",
            languages: &[("nl", 75), ("en", 25)],
            zones: &[(zone("Europe/Amsterdam", 60), 1)],
        },
        8,
    ),
    (
        Country {
            code: "DK",
            languages: &[("da", 60), ("en", 40)],
            zones: &[(zone("Europe/Copenhagen", 60), 1)],
        },
        3,
    ),
    (
        Country {
            code: "GB",
            languages: &[("en", 1)],
            zones: &[(zone("Europe/London", 0), 1)],
        },
        10,
    ),
    (
        Country {
            code: "US",
            languages: &[("en", 90), ("es", 10)],
            zones: &[
                (zone("America/New_York", -300), 45),
                (zone("America/Chicago", -360), 28),
                (zone("America/Denver", -420), 8),
                (zone("America/Phoenix", -420), 4),
                (zone("America/Los_Angeles", -480), 15),
            ],
        },
        14,
    ),
    (
        Country {
            code: "IT",
            languages: &[("it", 95), ("en", 5)],
            zones: &[(zone("Europe/Rome", 60), 1)],
        },
        5,
    ),
    (
        Country {
            code: "ES",
            languages: &[("es", 95), ("en", 5)],
            zones: &[(zone("Europe/Madrid", 60), 1)],
        },
        4,
    ),
    (
        Country {
            code: "PL",
            languages: &[("pl", 80), ("en", 20)],
            zones: &[(zone("Europe/Warsaw", 60), 1)],
        },
        3,
    ),
];

/// What a product is to the customer who bought it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bought once and kept: a machine or a bike. In a line with `owners`,
    /// its buyer is a `machine_owner` with consumables to reorder.
    Durable,
    /// Bought again and again: beans, filters, spare parts, accessories.
    Repeat,
}

pub struct Product {
    pub name: &'static str,
    /// In whole euros.
    pub price: u64,
    pub kind: Kind,
    /// Weights for consumers and for businesses: an office machine is
    /// rarely bought for a kitchen at home.
    pub consumer: u32,
    pub business: u32,
}

const fn product(
    name: &'static str,
    price: u64,
    kind: Kind,
    consumer: u32,
    business: u32,
) -> Product {
    Product {
        name,
        price,
        kind,
        consumer,
        business,
    }
}

pub struct Line {
    pub name: &'static str,
    pub consumer: u32,
    pub business: u32,
    /// Per mille of the line's customers who own one of its machines.
    pub owners: u32,
    /// Lifetime value relative to the other lines, in per cent.
    pub value_scale: i64,
    pub products: &'static [Product],
}

use Kind::{Durable, Repeat};

pub const LINES: &[Line] = &[
    Line {
        name: "coffee_machines",
        consumer: 25,
        business: 30,
        owners: 950,
        value_scale: 100,
        products: &[
            product("espresso-one", 549, Durable, 35, 5),
            product("barista-home", 899, Durable, 40, 10),
            product("barista-pro-2", 2490, Durable, 25, 45),
            product("office-brew-xl", 4990, Durable, 0, 40),
            product("descaler-kit", 19, Repeat, 35, 25),
            product("water-filter-cartridge", 29, Repeat, 40, 40),
            product("milk-system-cleaner", 14, Repeat, 25, 20),
            product("service-kit", 79, Repeat, 10, 25),
        ],
    },
    Line {
        name: "coffee",
        consumer: 30,
        business: 15,
        owners: 0,
        value_scale: 40,
        products: &[
            product("espresso-beans-1kg", 32, Repeat, 45, 30),
            product("crema-beans-1kg", 28, Repeat, 35, 30),
            product("decaf-beans-500g", 16, Repeat, 20, 5),
            product("office-beans-6kg", 165, Repeat, 0, 35),
        ],
    },
    Line {
        name: "water_filters",
        consumer: 15,
        business: 20,
        owners: 550,
        value_scale: 60,
        products: &[
            product("aqua-under-sink", 449, Durable, 70, 30),
            product("aqua-system-pro", 1290, Durable, 30, 70),
            product("aqua-filter-3", 49, Repeat, 45, 20),
            product("aqua-filter-6", 89, Repeat, 55, 45),
            product("aqua-filter-12", 159, Repeat, 0, 35),
        ],
    },
    Line {
        name: "bikes",
        consumer: 30,
        business: 10,
        owners: 0,
        value_scale: 100,
        products: &[
            product("kids-bike", 349, Durable, 10, 0),
            product("city-bike", 799, Durable, 25, 20),
            product("e-bike-city", 2899, Durable, 30, 40),
            product("e-bike-trekking", 3499, Durable, 20, 25),
            product("e-mtb", 4299, Durable, 15, 15),
            product("helmet", 89, Repeat, 35, 25),
            product("lock", 59, Repeat, 30, 25),
            product("panniers", 119, Repeat, 20, 20),
            product("charger", 189, Repeat, 15, 30),
        ],
    },
    Line {
        name: "tractors",
        consumer: 0,
        business: 25,
        owners: 920,
        value_scale: 900,
        products: &[
            product("compact-tractor-45", 38_500, Durable, 0, 50),
            product("orchard-tractor-70", 62_000, Durable, 0, 20),
            product("utility-tractor-90", 89_000, Durable, 0, 30),
            product("oil-filter-set", 120, Repeat, 0, 35),
            product("spare-parts-kit", 640, Repeat, 0, 30),
            product("service-package", 1450, Repeat, 0, 25),
            product("tyre-set", 2900, Repeat, 0, 10),
        ],
    },
];

/// What a visitor at an agricultural fair (or a coffee trade show) asked
/// about, as the stand staff note it.
pub const FAIR_INTERESTS: &[(&str, u32)] = &[
    ("new_machine", 40),
    ("spare_parts", 20),
    ("service", 20),
    ("financing", 10),
    ("upgrade", 10),
];
