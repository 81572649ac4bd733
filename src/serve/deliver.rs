//! Stage serve, delivery: reads the outbox in order and hands each action
//! to the sender — one JSON line on stdout, or a POST to a webhook with the
//! action's key as `Idempotency-Key`. A failed try (an error, a non-2xx
//! answer, no answer within the timeout) is tried again after a backoff
//! that doubles, up to a bounded number of tries; then the action is dead,
//! which `/metrics` and the customer's page show. Delivery is at least
//! once: a crash between sending and recording it sends again, and the key
//! lets the receiver drop the repeat.

use super::clock;
use super::metrics::Metrics;
use super::store::{Attempt, DeliveryState, Location, OutboxRow, Store};
use crate::run::Seconds;
use std::io::Write;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Where actions go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    Webhook(String),
    /// Kept in the outbox, marked delivered; for dry runs and benchmarks.
    None,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        match text {
            "stdout" => Ok(Target::Stdout),
            "none" => Ok(Target::None),
            _ => match text.strip_prefix("webhook:") {
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                    Ok(Target::Webhook(url.to_string()))
                }
                Some(url) => Err(format!(
                    "`{url}` is not a webhook address: give an http:// or https:// URL"
                )),
                None => Err(format!(
                    "`{text}` is not a way to deliver: write `stdout`, `webhook:URL` or `none`"
                )),
            },
        }
    }

    pub fn shown(&self) -> String {
        match self {
            Target::Stdout => "stdout".into(),
            Target::Webhook(url) => format!("webhook {url}"),
            Target::None => "nowhere (none)".into(),
        }
    }
}

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Tries before an action is dead.
    pub tries: i64,
    /// How long one try may take.
    pub timeout: Duration,
    /// The wait after the first failed try; it doubles each time, up to an
    /// hour.
    pub first_wait: Seconds,
}

/// Wakes the delivery thread when actions were written.
#[derive(Debug, Default)]
pub struct Signal {
    woken: Mutex<bool>,
    condvar: Condvar,
}

impl Signal {
    pub fn wake(&self) {
        if let Ok(mut woken) = self.woken.lock() {
            *woken = true;
            self.condvar.notify_all();
        }
    }

    /// Waits until woken or `timeout` passes.
    pub fn wait(&self, timeout: Duration) {
        let Ok(woken) = self.woken.lock() else {
            std::thread::sleep(timeout);
            return;
        };
        let Ok((mut woken, _)) = self.condvar.wait_timeout_while(woken, timeout, |w| !*w) else {
            return;
        };
        *woken = false;
    }
}

/// Actions claimed at once.
const BATCH: usize = 200;
/// Webhook calls in flight at once (different customers; one customer's
/// actions go one after another).
const PARALLEL: usize = 8;
/// How often to look for actions another process wrote, or whose retry
/// came due, when nothing woke the thread.
const POLL: Duration = Duration::from_millis(500);

pub struct Deliverer {
    store: Box<dyn Store>,
    target: Target,
    policy: Policy,
    metrics: Arc<super::engine::Shared>,
    agent: Option<ureq::Agent>,
}

impl Deliverer {
    pub fn new(
        location: &Location,
        target: Target,
        policy: Policy,
        shared: Arc<super::engine::Shared>,
    ) -> Result<Deliverer, super::store::StoreError> {
        let agent = match target {
            Target::Webhook(_) => Some(
                ureq::Agent::config_builder()
                    .timeout_global(Some(policy.timeout))
                    .http_status_as_error(false)
                    // A redirect is not a delivery: the receiver says where
                    // it is in the URL it was given.
                    .max_redirects(0)
                    .build()
                    .new_agent(),
            ),
            _ => None,
        };
        Ok(Deliverer {
            store: super::store::open(location)?,
            target,
            policy,
            metrics: shared,
            agent,
        })
    }

    /// Delivers until `stop` is set.
    pub fn run(&mut self, stop: &std::sync::atomic::AtomicBool) {
        use std::sync::atomic::Ordering;
        while !stop.load(Ordering::SeqCst) {
            let now = clock::wall();
            let target = self.target.clone();
            let policy = self.policy;
            let agent = self.agent.clone();
            let metrics = Arc::clone(&self.metrics);
            let done = self.store.deliver(now, BATCH, &mut |rows| {
                deliver_all(&target, policy, agent.as_ref(), rows, now, &metrics.metrics)
            });
            match done {
                Ok(count) if count >= BATCH => {
                    let _ = self.store.maintain();
                    continue;
                }
                Ok(_) => {}
                Err(error) => {
                    eprintln!("nurture serve: delivery: {error}");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            if let Err(error) = self.store.maintain() {
                eprintln!("nurture serve: store upkeep: {error}");
            }
            // Sleep until woken, the next retry, or the poll.
            let wait = match self.store.next_delivery() {
                Ok(Some(next)) if next > now => Duration::from_secs((next - now) as u64).min(POLL),
                Ok(Some(_)) => Duration::from_millis(50),
                _ => POLL,
            };
            self.metrics.outbox.wait(wait);
        }
    }
}

fn deliver_all(
    target: &Target,
    policy: Policy,
    agent: Option<&ureq::Agent>,
    rows: &[OutboxRow],
    now: Seconds,
    metrics: &Metrics,
) -> Vec<Attempt> {
    match target {
        Target::Stdout => {
            let mut text = String::new();
            for row in rows {
                text.push_str(&row.body);
                text.push('\n');
            }
            let mut out = std::io::stdout().lock();
            let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            rows.iter()
                .map(|row| {
                    outcome(
                        row,
                        written.as_ref().err().map(|e| e.to_string()),
                        policy,
                        now,
                        metrics,
                    )
                })
                .collect()
        }
        Target::None => rows
            .iter()
            .map(|row| outcome(row, None, policy, now, metrics))
            .collect(),
        Target::Webhook(url) => {
            let Some(agent) = agent else {
                return Vec::new();
            };
            // One customer's actions in order, customers side by side.
            let mut groups: Vec<Vec<&OutboxRow>> = Vec::new();
            for row in rows {
                match groups.iter_mut().find(|g| g[0].customer == row.customer) {
                    Some(group) => group.push(row),
                    None => groups.push(vec![row]),
                }
            }
            let mut attempts = Vec::new();
            for chunk in groups.chunks(PARALLEL) {
                let results: Vec<Vec<Attempt>> = std::thread::scope(|scope| {
                    let handles: Vec<_> = chunk
                        .iter()
                        .map(|group| {
                            scope.spawn(move || {
                                group
                                    .iter()
                                    .map(|row| {
                                        let error = post(agent, url, row).err();
                                        outcome(row, error, policy, now, metrics)
                                    })
                                    .collect::<Vec<_>>()
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|handle| handle.join().unwrap_or_default())
                        .collect()
                });
                attempts.extend(results.into_iter().flatten());
            }
            attempts
        }
    }
}

/// One POST; `Err` says why it did not count as delivered.
fn post(agent: &ureq::Agent, url: &str, row: &OutboxRow) -> Result<(), String> {
    let answer = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &row.key)
        .header("Nurture-Program", &row.program)
        .header("Nurture-Version", &row.version)
        .send(row.body.as_bytes());
    match answer {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("the webhook answered {}", response.status())),
        Err(ureq::Error::Timeout(_)) => Err("the webhook did not answer in time".into()),
        Err(error) => Err(format!("the webhook could not be reached: {error}")),
    }
}

fn outcome(
    row: &OutboxRow,
    error: Option<String>,
    policy: Policy,
    now: Seconds,
    metrics: &Metrics,
) -> Attempt {
    let tries = row.tries + 1;
    let (state, next_try) = match &error {
        None => {
            Metrics::add(&metrics.delivered, 1);
            (DeliveryState::Delivered, now)
        }
        Some(_) if tries >= policy.tries => {
            Metrics::add(&metrics.delivery_failures, 1);
            Metrics::add(&metrics.dead, 1);
            (DeliveryState::Dead, now)
        }
        Some(_) => {
            Metrics::add(&metrics.delivery_failures, 1);
            (
                DeliveryState::Pending,
                now + backoff(policy.first_wait, tries, &row.key),
            )
        }
    };
    Attempt {
        customer: row.customer.clone(),
        key: row.key.clone(),
        state,
        tries,
        next_try,
        error,
    }
}

/// The wait after the `tries`-th failure: `first` doubled each time, at
/// most an hour, plus up to a quarter more fixed by the key (so that
/// actions that failed together do not all come back at once).
pub fn backoff(first: Seconds, tries: i64, key: &str) -> Seconds {
    let doubled = first.max(1).saturating_mul(1 << (tries - 1).clamp(0, 20));
    let wait = doubled.min(3600);
    let spread = key
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    wait + (spread % (wait as u64 / 4 + 1)) as Seconds
}
