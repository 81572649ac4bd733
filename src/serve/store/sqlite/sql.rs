//! Stage serve, store, SQLite: every table and every statement of the
//! embedded backend, in one place where a reader can see them all.

/// The tables. Rows holding JSON are a few hundred bytes, too large for
/// `WITHOUT ROWID` tables (which split pages often for rows past a
/// twentieth of a page), so those are plain tables with their key as a
/// unique index.
pub(super) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every plan version ever deployed: running journeys stay on theirs.
CREATE TABLE IF NOT EXISTS plans (
    program     TEXT NOT NULL,
    version     TEXT NOT NULL,          -- the plan's digest
    plan        TEXT NOT NULL,          -- the plan as JSON
    deployed_at INTEGER NOT NULL,
    PRIMARY KEY (program, version)
) WITHOUT ROWID;

-- The version new entries use.
CREATE TABLE IF NOT EXISTS programs (
    program     TEXT PRIMARY KEY,
    version     TEXT NOT NULL,
    deployed_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS customers (
    customer   TEXT PRIMARY KEY,
    record     TEXT NOT NULL,           -- run::Customer as JSON
    ran_until  INTEGER,                 -- the latest moment run for them
    next_timer INTEGER                  -- the earliest timer of their journeys
);
CREATE INDEX IF NOT EXISTS customers_due ON customers (next_timer, customer)
    WHERE next_timer IS NOT NULL;

CREATE TABLE IF NOT EXISTS journeys (
    customer TEXT NOT NULL,
    program  TEXT NOT NULL,
    version  TEXT NOT NULL,
    start    INTEGER NOT NULL,          -- 1: the first look is still to come
    status   TEXT NOT NULL,             -- out, in, left (for counts)
    node     INTEGER NOT NULL,          -- where it waits (for counts)
    journey  TEXT NOT NULL,             -- run::Journey as JSON
    view     TEXT,                      -- the record as the program sees it, when different
    ran_until INTEGER NOT NULL,
    timer    INTEGER,
    PRIMARY KEY (customer, program)
);
CREATE INDEX IF NOT EXISTS journeys_waiting ON journeys (customer)
    WHERE start = 1 AND timer IS NULL;

CREATE TABLE IF NOT EXISTS events (
    customer    TEXT NOT NULL,
    id          TEXT NOT NULL,
    at          INTEGER NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    late        INTEGER NOT NULL,
    PRIMARY KEY (customer, id)
);

CREATE TABLE IF NOT EXISTS outbox (
    seq      INTEGER PRIMARY KEY,       -- the order of writing
    customer TEXT NOT NULL,
    key      TEXT NOT NULL,             -- the idempotency key
    program  TEXT NOT NULL,
    version  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    body     TEXT NOT NULL,             -- the action as a JSON line
    state    TEXT NOT NULL,             -- pending, delivered, dead
    tries    INTEGER NOT NULL,
    next_try INTEGER NOT NULL,
    error    TEXT,
    UNIQUE (customer, key)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (seq) WHERE state = 'dead';

-- What serve --migrate did with each running journey, once per version
-- deployed.
CREATE TABLE IF NOT EXISTS migrations (
    customer     TEXT NOT NULL,
    program      TEXT NOT NULL,
    to_version   TEXT NOT NULL,
    from_version TEXT NOT NULL,
    at           INTEGER NOT NULL,
    moved        INTEGER NOT NULL,      -- 1: moved; 0: left on from_version
    body         TEXT NOT NULL,         -- the places and the reason, as JSON
    PRIMARY KEY (customer, program, to_version)
);
";

pub(super) const CUSTOMER: &str =
    "SELECT customer, record, ran_until, next_timer FROM customers WHERE customer = ?1";
pub(super) const DUE: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE next_timer <= ?1 ORDER BY next_timer, customer LIMIT ?2";
pub(super) const JOURNEYS: &str = "SELECT program, version, start, journey, view, ran_until, timer
    FROM journeys WHERE customer = ?1 ORDER BY program";
pub(super) const KNOWN_EVENT: &str = "SELECT 1 FROM events WHERE customer = ?1 AND id = ?2";
pub(super) const PUT_CUSTOMER: &str =
    "INSERT INTO customers (customer, record, ran_until, next_timer)
    VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (customer) DO UPDATE SET record = excluded.record, ran_until = excluded.ran_until,
        next_timer = excluded.next_timer";
pub(super) const PUT_JOURNEY: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
    ON CONFLICT (customer, program) DO UPDATE SET version = excluded.version,
        start = excluded.start, status = excluded.status, node = excluded.node,
        journey = excluded.journey, view = excluded.view, ran_until = excluded.ran_until,
        timer = excluded.timer";
pub(super) const FORGET_JOURNEY: &str = "DELETE FROM journeys WHERE customer = ?1 AND program = ?2";
pub(super) const PUT_EVENT: &str =
    "INSERT INTO events (customer, id, at, name, body, received_at, late)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
pub(super) const PUT_ACTION: &str = "INSERT INTO outbox
    (customer, key, program, version, at, kind, body, state, tries, next_try, error)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, NULL) ON CONFLICT DO NOTHING";
pub(super) const PUT_MIGRATION: &str = "INSERT INTO migrations
    (customer, program, to_version, from_version, at, moved, body)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
pub(super) const CUSTOMER_MIGRATIONS: &str =
    "SELECT customer, program, from_version, to_version, at, moved,
    body FROM migrations WHERE customer = ?1 ORDER BY at, program, rowid";
pub(super) const RUNNING_ELSEWHERE: &str = "SELECT customer FROM journeys
    WHERE program = ?1 AND version != ?2 AND status = 'in' ORDER BY customer";
pub(super) const CURRENT_VERSION: &str = "SELECT version FROM programs WHERE program = ?1";
pub(super) const SAVE_PLAN: &str = "INSERT INTO plans (program, version, plan, deployed_at)
    VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
pub(super) const SET_CURRENT: &str =
    "INSERT INTO programs (program, version, deployed_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (program) DO UPDATE SET version = excluded.version,
        deployed_at = excluded.deployed_at";
/// A new current version gives every customer not running on the program
/// a first look from it (at ?4, or when the clock is set if ?4 is NULL).
pub(super) const START_ALL: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT customer, ?1, ?2, 1, 'out', 0, ?3, NULL, COALESCE(ran_until, ?4, 0), ?4 FROM customers WHERE true
    ON CONFLICT (customer, program) DO UPDATE SET start = 1, timer = ?4
        WHERE journeys.status != 'in'";
pub(super) const START_DUE: &str = "UPDATE customers SET next_timer = ?1
    WHERE ?1 IS NOT NULL AND (next_timer IS NULL OR next_timer > ?1)";
pub(super) const PLANS: &str =
    "SELECT program, version, plan, deployed_at FROM plans ORDER BY program, deployed_at, version";
pub(super) const GET_META: &str = "SELECT value FROM meta WHERE name = ?1";
pub(super) const SET_META: &str = "INSERT INTO meta (name, value) VALUES (?1, ?2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value";
pub(super) const WAITING_STARTS: &str =
    "UPDATE journeys SET timer = ?1 WHERE start = 1 AND timer IS NULL";
pub(super) const WAITING_CUSTOMERS: &str = "UPDATE customers SET next_timer = ?1
    WHERE customer IN (SELECT customer FROM journeys WHERE start = 1 AND timer = ?1)
        AND (next_timer IS NULL OR next_timer > ?1)";
pub(super) const PENDING: &str =
    "SELECT seq, customer, key, program, version, at, kind, body, state, tries,
    next_try, error FROM outbox WHERE state = 'pending' AND next_try <= ?1 ORDER BY seq LIMIT ?2";
pub(super) const ATTEMPTED: &str =
    "UPDATE outbox SET state = ?3, tries = ?4, next_try = ?5, error = ?6
    WHERE customer = ?1 AND key = ?2";
pub(super) const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";
pub(super) const CHECKPOINT_ALL: &str = "PRAGMA wal_checkpoint(TRUNCATE)";
/// 256 MiB of 4 KiB pages: a truncating checkpoint holds the writer up
/// (a 100 ms answer at worst in `benches/serve.rs -- latency`), so it is
/// kept rare.
pub(super) const WAL_FRAMES_KEPT: i64 = 64 * 1024;
pub(super) const NEXT_DELIVERY: &str = "SELECT min(next_try) FROM outbox WHERE state = 'pending'";
pub(super) const NEXT_TIMER: &str =
    "SELECT min(next_timer) FROM customers WHERE next_timer IS NOT NULL";
pub(super) const CUSTOMER_OUTBOX: &str =
    "SELECT seq, customer, key, program, version, at, kind, body, state,
    tries, next_try, error FROM outbox WHERE customer = ?1 ORDER BY seq";
pub(super) const COUNT_JOURNEYS: &str =
    "SELECT program, version, status, node, count(*) FROM journeys
    GROUP BY program, version, status, node ORDER BY program, version, status, node";
pub(super) const COUNT_PENDING: &str = "SELECT count(*) FROM outbox WHERE state = 'pending'";
pub(super) const COUNT_DEAD: &str = "SELECT count(*) FROM outbox WHERE state = 'dead'";
pub(super) const COUNT_DUE: &str = "SELECT count(*) FROM customers WHERE next_timer <= ?1";
pub(super) const COUNT_CUSTOMERS: &str = "SELECT count(*) FROM customers";
