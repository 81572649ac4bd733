//! Stage serve, store, PostgreSQL: every table and every statement of the
//! shared backend, in one place where a reader can see them all.

pub(super) const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (
    name  text PRIMARY KEY,
    value text NOT NULL
);

-- Every plan version ever deployed: running journeys stay on theirs.
CREATE TABLE IF NOT EXISTS plans (
    program     text NOT NULL,
    version     text NOT NULL,          -- the plan's digest
    plan        text NOT NULL,          -- the plan as JSON
    deployed_at bigint NOT NULL,
    PRIMARY KEY (program, version)
);

-- The version new entries use.
CREATE TABLE IF NOT EXISTS programs (
    program     text PRIMARY KEY,
    version     text NOT NULL,
    deployed_at bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS customers (
    customer   text PRIMARY KEY,
    record     text NOT NULL,           -- run::Customer as JSON
    ran_until  bigint,                  -- the latest moment run for them
    next_timer bigint                   -- the earliest timer of their journeys
);
CREATE INDEX IF NOT EXISTS customers_due ON customers (next_timer, customer)
    WHERE next_timer IS NOT NULL;

CREATE TABLE IF NOT EXISTS journeys (
    customer  text NOT NULL,
    program   text NOT NULL,
    version   text NOT NULL,
    start     boolean NOT NULL,         -- the first look is still to come
    status    text NOT NULL,            -- out, in, left (for counts)
    node      bigint NOT NULL,          -- where it waits (for counts)
    journey   text NOT NULL,            -- run::Journey as JSON
    view      text,                     -- the record as the program sees it, when different
    ran_until bigint NOT NULL,
    timer     bigint,
    PRIMARY KEY (customer, program)
);
CREATE INDEX IF NOT EXISTS journeys_waiting ON journeys (customer)
    WHERE start AND timer IS NULL;

CREATE TABLE IF NOT EXISTS events (
    customer    text NOT NULL,
    id          text NOT NULL,
    at          bigint NOT NULL,
    name        text NOT NULL,
    body        text NOT NULL,
    received_at bigint NOT NULL,
    late        boolean NOT NULL,
    PRIMARY KEY (customer, id)
);

CREATE TABLE IF NOT EXISTS outbox (
    customer text NOT NULL,
    key      text NOT NULL,             -- the idempotency key
    seq      bigint GENERATED ALWAYS AS IDENTITY,  -- the order of writing
    program  text NOT NULL,
    version  text NOT NULL,
    at       bigint NOT NULL,
    kind     text NOT NULL,
    body     text NOT NULL,             -- the action as a JSON line
    state    text NOT NULL,             -- pending, delivered, dead
    tries    bigint NOT NULL,
    next_try bigint NOT NULL,
    error    text,
    PRIMARY KEY (customer, key)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox (seq) WHERE state = 'dead';

-- What serve --migrate did with each running journey, once per version
-- deployed.
CREATE TABLE IF NOT EXISTS migrations (
    customer     text NOT NULL,
    program      text NOT NULL,
    to_version   text NOT NULL,
    from_version text NOT NULL,
    at           bigint NOT NULL,
    moved        boolean NOT NULL,      -- false: left on from_version
    body         text NOT NULL,         -- the places and the reason, as JSON
    PRIMARY KEY (customer, program, to_version)
);
CREATE INDEX IF NOT EXISTS outbox_customer ON outbox (customer, seq);
";

/// Serialises creating the tables when several processes start at once.
pub(super) const SETUP_LOCK: &str = "SELECT pg_advisory_xact_lock(7070)";
pub(super) const LOCK_CUSTOMERS: &str =
    "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k";
pub(super) const CUSTOMERS: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE customer = ANY($1) ORDER BY customer FOR UPDATE";
pub(super) const DUE: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE next_timer <= $1 ORDER BY next_timer, customer LIMIT $2 FOR UPDATE SKIP LOCKED";
pub(super) const JOURNEYS: &str =
    "SELECT customer, program, version, start, journey, view, ran_until, timer
    FROM journeys WHERE customer = ANY($1) ORDER BY customer, program";
pub(super) const KNOWN_EVENTS: &str = "SELECT e.customer, e.id FROM events e
    JOIN unnest($1::text[], $2::text[]) AS asked (customer, id)
      ON e.customer = asked.customer AND e.id = asked.id";
pub(super) const PUT_CUSTOMERS: &str =
    "INSERT INTO customers (customer, record, ran_until, next_timer)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
    ON CONFLICT (customer) DO UPDATE SET record = excluded.record,
        ran_until = excluded.ran_until, next_timer = excluded.next_timer";
pub(super) const PUT_JOURNEYS: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[],
        $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
    ON CONFLICT (customer, program) DO UPDATE SET version = excluded.version,
        start = excluded.start, status = excluded.status, node = excluded.node,
        journey = excluded.journey, view = excluded.view, ran_until = excluded.ran_until,
        timer = excluded.timer";
pub(super) const PUT_MIGRATIONS: &str = "INSERT INTO migrations
    (customer, program, to_version, from_version, at, moved, body)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
        $6::boolean[], $7::text[])
    ON CONFLICT DO NOTHING";
pub(super) const CUSTOMER_MIGRATIONS: &str =
    "SELECT customer, program, from_version, to_version, at, moved,
    body FROM migrations WHERE customer = $1 ORDER BY at, program, to_version";
pub(super) const RUNNING_ELSEWHERE: &str = "SELECT customer FROM journeys
    WHERE program = $1 AND version != $2 AND status = 'in' ORDER BY customer";
pub(super) const FORGET_JOURNEYS: &str = "DELETE FROM journeys j
    USING unnest($1::text[], $2::text[]) AS gone (customer, program)
    WHERE j.customer = gone.customer AND j.program = gone.program";
pub(super) const PUT_EVENTS: &str =
    "INSERT INTO events (customer, id, at, name, body, received_at, late)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
        $6::bigint[], $7::boolean[])
    ON CONFLICT DO NOTHING";
pub(super) const PUT_ACTIONS: &str = "INSERT INTO outbox
    (customer, key, program, version, at, kind, body, state, tries, next_try)
    SELECT c, k, p, v, a, kd, b, 'pending', 0, n FROM unnest($1::text[], $2::text[],
        $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])
        WITH ORDINALITY AS new (c, k, p, v, a, kd, b, n, i)
    ORDER BY i
    ON CONFLICT DO NOTHING";
pub(super) const CURRENT_VERSION: &str =
    "SELECT version FROM programs WHERE program = $1 FOR UPDATE";
pub(super) const SAVE_PLAN: &str = "INSERT INTO plans (program, version, plan, deployed_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
pub(super) const SET_CURRENT: &str =
    "INSERT INTO programs (program, version, deployed_at) VALUES ($1, $2, $3)
    ON CONFLICT (program) DO UPDATE SET version = excluded.version,
        deployed_at = excluded.deployed_at";
/// A new current version gives every customer not running on the program
/// a first look from it (at $4, or when the clock is set if $4 is NULL).
pub(super) const START_ALL: &str = "INSERT INTO journeys
    (customer, program, version, start, status, node, journey, view, ran_until, timer)
    SELECT customer, $1, $2, true, 'out', 0, $3, NULL, COALESCE(ran_until, $4, 0), $4
    FROM customers
    ON CONFLICT (customer, program) DO UPDATE SET start = true, timer = $4
        WHERE journeys.status <> 'in'";
pub(super) const START_DUE: &str = "UPDATE customers SET next_timer = $1
    WHERE next_timer IS NULL OR next_timer > $1";
pub(super) const PLANS: &str = "SELECT program, version, plan, deployed_at FROM plans
    ORDER BY program, deployed_at, version";
pub(super) const GET_META: &str = "SELECT value FROM meta WHERE name = $1";
pub(super) const SET_META: &str = "INSERT INTO meta (name, value) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value";
pub(super) const WAITING_STARTS: &str =
    "UPDATE journeys SET timer = $1 WHERE start AND timer IS NULL
    RETURNING customer";
pub(super) const WAITING_CUSTOMERS: &str = "UPDATE customers SET next_timer = $1
    WHERE customer = ANY($2) AND (next_timer IS NULL OR next_timer > $1)";
pub(super) const PENDING: &str =
    "SELECT seq, customer, key, program, version, at, kind, body, state, tries,
    next_try, error FROM outbox WHERE state = 'pending' AND next_try <= $1
    ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED";
pub(super) const ATTEMPTED: &str = "UPDATE outbox o SET state = done.state, tries = done.tries,
        next_try = done.next_try, error = done.error
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
        AS done (customer, key, state, tries, next_try, error)
    WHERE o.customer = done.customer AND o.key = done.key";
pub(super) const NEXT_DELIVERY: &str = "SELECT min(next_try) FROM outbox WHERE state = 'pending'";
pub(super) const NEXT_TIMER: &str =
    "SELECT min(next_timer) FROM customers WHERE next_timer IS NOT NULL";
pub(super) const CUSTOMER: &str = "SELECT customer, record, ran_until, next_timer FROM customers
    WHERE customer = $1";
pub(super) const CUSTOMER_OUTBOX: &str =
    "SELECT seq, customer, key, program, version, at, kind, body, state,
    tries, next_try, error FROM outbox WHERE customer = $1 ORDER BY seq";
pub(super) const COUNT_JOURNEYS: &str =
    "SELECT program, version, status, node, count(*) FROM journeys
    GROUP BY program, version, status, node ORDER BY program, version, status, node";
pub(super) const COUNT_OUTBOX: &str = "SELECT
    (SELECT count(*) FROM outbox WHERE state = 'pending'),
    (SELECT count(*) FROM outbox WHERE state = 'dead')";
pub(super) const COUNT_DUE: &str = "SELECT count(*) FROM customers WHERE next_timer <= $1";
pub(super) const COUNT_CUSTOMERS: &str = "SELECT count(*) FROM customers";
