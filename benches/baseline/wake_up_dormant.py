#!/usr/bin/env python3
"""A SimPy model of `programs/wake_up_dormant.nurture` and the bundled
behaviour model (`programs/sample/behavior.toml`): the discrete-event
baseline `nurture simulate` is measured against (docs/simulation.md, Speed).

Written the way a SimPy user would model the program: a process per
customer's journey, per background activity and per answer to a message,
a customer's events delivered to their journey through SimPy events; the
customers are simulated 10,000 to an environment (they never meet, and
one environment for a million would hold gigabytes of processes). The behaviour model is read from the
same TOML file nurture reads; the program is written out by hand below,
step by step, as the `.nurture` file says.

    python3 benches/baseline/wake_up_dormant.py CUSTOMERS.csv [--seed 0]

prints the outcome counts as JSON on stdout. Needs SimPy (`pip install
simpy`) and Python 3.11 or newer (tomllib, zoneinfo).

What differs from nurture (by design or by necessity):
- the random numbers: Python's Mersenne Twister in file order, where nurture
  keys every draw by seed, customer and draw number; the two agree in
  distribution, not customer by customer;
- time zones come from the system's tz database (zoneinfo), nurture's from
  the one it bundles;
- every background activity of the model is simulated, as in nurture,
  though the program reads only some of its events;
- the entry funnel, the flow between steps and the messages per day are
  not counted, only outcomes, entries, sends and the goal.
"""

import argparse
import csv
import json
import math
import random
import sys
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import simpy

Z90 = 1.2815515655446004
MINUTE, HOUR, DAY = 60, 3600, 86400
LONGEST_DELAY = 10 * 365 * DAY

# -- the program: programs/wake_up_dormant.nurture ----------------------------

INACTIVE = 180 * DAY  # trigger no purchase for 180d
LOST = 730 * DAY  # audience ... and last_purchase_at > 730d ago
GOAL_WITHIN = 60 * DAY  # goal purchase within 60d
REENTRY = 365 * DAY  # reentry after 365d
CAPS = [(3, 14 * DAY, None), (1, 30 * DAY, "sms")]  # cap 3 per 14d, 1 sms per 30d
QUIET_FROM, QUIET_UNTIL = 21 * 60, 8 * 60  # quiet 21:00..08:00
HOLDOUT = 0.10
NEEDS_CONSENT = {"email", "sms", "push"}  # programs/schema.nurture


def duration(text):
    units = {"m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}
    return int(text[:-1]) * units[text[-1]]


def parse_time(text):
    text = text.strip()
    if not text:
        return None
    if len(text) == 10:
        text += "T00:00:00+00:00"
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class Model:
    """The behaviour model, as the TOML says: tables of responses layered
    channel, segment, template; background activity."""

    def __init__(self, path):
        raw = tomllib.loads(Path(path).read_text())

        def table(entries):
            out = {}
            for event, r in entries.items():
                median = duration(r["after"])
                p90 = duration(r["p90"]) if "p90" in r else 3 * median
                sigma = math.log(p90 / median) / Z90 if median > 0 else 0.0
                out[event] = (r["chance"], median, sigma, r.get("given"))
            return out

        self.channels = {c: table(t) for c, t in raw.get("channel", {}).items()}
        self.templates = {t: table(e) for t, e in raw.get("template", {}).items()}
        self.segments = [
            (segment, channel, table(t))
            for segment, channels in raw.get("segment", {}).items()
            for channel, t in channels.items()
        ]
        self.background = []
        for b in raw.get("background", []):
            props = b.get("properties", {})
            if "rate" in b:
                self.background.append(("every", b["event"], b["rate"], duration(b["per"]), props))
            else:
                self.background.append(("once", b["event"], b["chance"], duration(b["within"]), props))
        self.cache = {}

    def responses(self, channel, template, segments):
        """The layered responses to a send, ordered so `given` comes first."""
        segment_table = next(
            (i for i, (s, c, _) in enumerate(self.segments) if c == channel and s in segments),
            None,
        )
        key = (channel, template, segment_table)
        if key not in self.cache:
            merged = {}
            layers = [self.channels.get(channel)]
            if segment_table is not None:
                layers.append(self.segments[segment_table][2])
            layers.append(self.templates.get(template))
            for layer in layers:
                for event, response in (layer or {}).items():
                    merged[event] = response
            ordered, placed = [], set()
            while True:
                progress = False
                for event, response in merged.items():
                    given = response[3]
                    if event in placed or (given is not None and given not in placed):
                        continue
                    ordered.append((event, response))
                    placed.add(event)
                    progress = True
                if not progress:
                    break
            self.cache[key] = ordered
        return self.cache[key]


class Customer:
    __slots__ = (
        "id", "zone", "consents", "segments", "tier", "lifetime_value",
        "last_purchase_at", "last_purchase", "status", "holdout", "entered_at",
        "left_at", "sends", "journey", "waiting", "wake", "goal_until",
        "score", "phase", "tags", "check",
    )


class World:
    def __init__(self, env, model, rng, start, end):
        self.env, self.model, self.rng = env, model, rng
        self.start, self.end = start, end
        self.outcomes = {}
        self.entered = {"treated": 0, "holdout": 0}
        self.converted = {"treated": 0, "holdout": 0}
        self.sent = {}
        self.still_in = {"treated": 0, "holdout": 0}
        self.customers = []
        self.zones = {}

    # -- the customer's own doings -------------------------------------------

    def add(self, row):
        c = Customer()
        c.id = row["id"]
        name = row.get("time_zone", "").strip()
        if name not in self.zones:
            self.zones[name] = ZoneInfo(name) if name else timezone.utc
        c.zone = self.zones[name]
        c.consents = {x.strip() for x in row.get("consents", "").split(";") if x.strip()}
        c.segments = {x.strip() for x in row.get("segments", "").split(";") if x.strip()}
        c.tier = row.get("tier", "").strip()
        ltv = row.get("lifetime_value", "").strip()
        c.lifetime_value = float(ltv) if ltv else None
        c.last_purchase_at = parse_time(row.get("last_purchase_at", ""))
        c.last_purchase = parse_time(row.get("last_event_at.purchase", ""))
        c.status, c.holdout, c.entered_at, c.left_at = "out", False, None, None
        c.sends, c.journey, c.waiting, c.wake = [], None, None, None
        c.goal_until, c.score, c.phase, c.tags, c.check = None, 0, None, set(), None
        self.customers.append(c)
        for kind, event, a, b, props in self.model.background:
            if kind == "every":
                if a > 0:
                    self.env.process(self.recurring(c, event, b / a, props))
            else:
                # Drawn here, so only what happens becomes a process.
                happens = self.rng.random() < a
                offset = int(self.rng.random() * b)
                if happens:
                    self.env.process(self.arrive(c, event, offset, None, props))
        c.check = self.env.process(self.inactivity(c))

    def recurring(self, c, event, mean, props):
        while True:
            yield self.env.timeout(max(1, round(self.rng.expovariate(1 / mean))))
            self.deliver(c, event, props, None)

    def inactivity(self, c):
        """The trigger `no purchase for 180d`, on the clock: it fires when
        the last purchase is 180 days old (at the start, for a customer
        already inactive that long), unless a purchase came in between."""
        if c.last_purchase is None:
            return
        due = c.last_purchase + INACTIVE
        if due > self.env.now:
            yield self.env.timeout(due - self.env.now)
        if c.last_purchase + INACTIVE <= self.env.now:
            self.try_enter(c)

    def deliver(self, c, event, props, answers):
        """An event the customer did: exit rules, the goal, the wait, the
        segment trigger, then remembered."""
        now = self.env.now
        if c.goal_until is not None and now <= c.goal_until and event == "purchase":
            self.converted["holdout" if c.holdout else "treated"] += 1
            c.goal_until = None
        if c.status == "in":
            if event == "unsubscribe":
                self.leave(c, "unsubscribed")
            elif event == "complaint":
                self.leave(c, "complained")
            elif event == "purchase" and now <= c.entered_at + GOAL_WITHIN:
                self.leave(c, "converted")
            elif c.waiting is not None and event in c.waiting and not c.wake.triggered:
                c.wake.succeed(event)
        elif event == "segment_left" and props.get("segment") == "active_buyers":
            self.try_enter(c)
        if event == "purchase":
            c.last_purchase = now
        if event == "unsubscribe" and answers is not None:
            c.consents.discard(answers)

    # -- entering and leaving --------------------------------------------------

    def try_enter(self, c):
        now = self.env.now
        if c.status == "in" or (c.status == "left" and now < c.left_at + REENTRY):
            return
        in_audience = (
            c.tier in ("silver", "bronze")
            and c.lifetime_value is not None
            and c.lifetime_value >= 100
            and c.last_purchase_at is not None
            and c.last_purchase_at > now - LOST
        )
        if not in_audience or "email" not in c.consents:
            return
        c.status, c.entered_at, c.goal_until = "in", now, now + GOAL_WITHIN
        c.holdout = self.rng.random() < HOLDOUT
        self.entered["holdout" if c.holdout else "treated"] += 1
        c.journey = self.env.process(self.holdout(c) if c.holdout else self.journey(c))

    def leave(self, c, outcome):
        c.status, c.left_at = "left", self.env.now
        group = "holdout" if c.holdout else "treated"
        self.outcomes.setdefault(group, {}).setdefault(outcome, 0)
        self.outcomes[group][outcome] += 1
        if c.journey is not None and c.journey.is_alive and self.env.active_process is not c.journey:
            c.journey.interrupt()

    def holdout(self, c):
        try:
            yield self.env.timeout(GOAL_WITHIN)
            self.leave(c, "holdout")
        except simpy.Interrupt:
            pass

    # -- the steps -------------------------------------------------------------

    def journey(self, c):
        try:
            # step hello
            c.phase = "win_back"
            c.tags.add("dormant")
            step = "news_first" if self.rng.random() < 0.5 else "discount_first"
            while True:
                if step in ("news_first", "discount_first"):
                    template = "we-miss-you-whats-new" if step == "news_first" else "we-miss-you-10-percent"
                    yield from self.send(c, "email", template)
                    arm = yield from self.wait_for(c, ("click", "open"), 5 * DAY)
                    step = {"click": "offer", "open": "reminder", None: "sms_nudge"}[arm]
                elif step == "reminder":
                    c.score += 5
                    yield from self.send(c, "email", "new-since-you-left")
                    arm = yield from self.wait_for(c, ("click",), 7 * DAY)
                    if arm is None:
                        return self.leave(c, "dormant")
                    step = "offer"
                elif step == "sms_nudge":
                    yield from self.send(c, "sms", "comeback-sms", guard="sms")
                    arm = yield from self.wait_for(c, ("purchase",), 4 * DAY)
                    return self.leave(c, "converted" if arm else "dormant")
                elif step == "offer":
                    c.score += 10
                    yield from self.send(c, "email", "comeback-15-percent")
                    arm = yield from self.wait_for(c, ("purchase",), 7 * DAY)
                    if arm:
                        return self.leave(c, "converted")
                    # step handoff
                    c.score += 15
                    c.tags.discard("dormant")
                    c.tags.add("comeback_lead")
                    return self.leave(c, "handed_off")
        except simpy.Interrupt:
            pass

    def wait_for(self, c, events, within):
        c.waiting, c.wake = events, self.env.event()
        timeout = self.env.timeout(within)
        result = yield c.wake | timeout
        c.waiting = None
        return result[c.wake] if c.wake in result else None

    def send(self, c, channel, template, guard=None):
        while True:
            until = self.quiet_until(c)
            if until is None:
                break
            yield self.env.timeout(until - self.env.now)
        if channel in NEEDS_CONSENT and channel not in c.consents:
            return
        if guard is not None and guard not in c.consents:
            return
        now = self.env.now
        for count, per, only in CAPS:
            recent = sum(1 for at, ch in c.sends if at > now - per and (only is None or ch == only))
            if recent >= count:
                return
        c.sends.append((now, channel))
        self.sent[channel] = self.sent.get(channel, 0) + 1
        self.answer(c, channel, template, now)

    def quiet_until(self, c):
        now = self.env.now
        local = datetime.fromtimestamp(now, c.zone)
        minute = local.hour * 60 + local.minute
        if not (minute >= QUIET_FROM or minute < QUIET_UNTIL):
            return None
        day = local.date() + (timedelta(days=1) if minute >= QUIET_UNTIL else timedelta())
        end = datetime(day.year, day.month, day.day, QUIET_UNTIL // 60, QUIET_UNTIL % 60, tzinfo=c.zone)
        return int(end.timestamp())

    def answer(self, c, channel, template, at):
        happened = {}
        for event, (chance, median, sigma, given) in self.model.responses(channel, template, c.segments):
            start = at if given is None else happened.get(given)
            if start is None:
                continue
            if self.rng.random() >= chance:
                continue
            delay = 0 if median <= 0 else round(min(max(median * math.exp(sigma * self.rng.gauss()), 0), LONGEST_DELAY))
            happened[event] = start + delay
            self.env.process(self.arrive(c, event, start + delay - self.env.now, channel))

    def arrive(self, c, event, delay, channel, props=None):
        yield self.env.timeout(delay)
        self.deliver(c, event, props or {}, channel)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("customers")
    parser.add_argument("--behavior", default=str(Path(__file__).resolve().parents[2] / "programs/sample/behavior.toml"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default="2026-01-01")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--batch", type=int, default=10_000,
                        help="customers per SimPy environment: customers never meet, and one "
                        "environment for a million of them would hold gigabytes of processes")
    args = parser.parse_args()

    start = parse_time(args.start)
    end = start + args.days * DAY
    model = Model(args.behavior)
    rng = random.Random(args.seed)
    totals = None

    def run(rows):
        nonlocal totals
        env = simpy.Environment(initial_time=start)
        world = World(env, model, rng, start, end)
        for row in rows:
            world.add(row)
        env.run(until=end + 1)
        for c in world.customers:
            if c.status == "in":
                world.still_in["holdout" if c.holdout else "treated"] += 1
        figures = {
            "customers": len(world.customers),
            "entered": world.entered,
            "outcomes": world.outcomes,
            "still_in": world.still_in,
            "converted": world.converted,
            "sent": world.sent,
        }
        totals = figures if totals is None else add(totals, figures)

    with open(args.customers, newline="", encoding="utf-8") as f:
        batch = []
        for row in csv.DictReader(f):
            batch.append(row)
            if len(batch) == args.batch:
                run(batch)
                batch = []
        if batch or totals is None:
            run(batch)
    json.dump(
        totals,
        sys.stdout,
        indent=2,
        sort_keys=True,
    )
    print()


def add(a, b):
    """Counts added, key by key, however deep."""
    if isinstance(a, dict):
        return {k: add(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}
    return a + b


if __name__ == "__main__":
    main()
