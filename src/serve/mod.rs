//! Stage serve: `nurture serve`, the compiled plans running live.
//!
//! A shell around the interpreter, not a second one: every decision about
//! a customer is `run/`'s (`run::track` orders ticks and events exactly as
//! `nurture replay` does), and this stage only stores, schedules, delivers
//! and answers HTTP. The test of that is equality with replay, action for
//! action (tests/serve_replay.rs).
//!
//! | file | owns |
//! |---|---|
//! | `http.rs`, `routes.rs` | the accept loop, the routes, the token, reading bodies |
//! | `engine.rs` | the worker threads that run each request as one transaction |
//! | `customer.rs` | one customer during a unit of work: a `Track` per program |
//! | `programs.rs` | the deployed version of each program and every older one |
//! | `store/` | the `Store` trait; SQLite (`sqlite/`: `mod.rs` the store, `sql.rs` every table and statement, `rows.rs` rows as read, `write.rs` writing back) and PostgreSQL (`postgres/`, the same parts) |
//! | `deliver.rs` | reading the outbox: stdout or webhook, retries, dead actions |
//! | `clock.rs` | the system clock or the manual one |
//! | `metrics.rs` | `/metrics` in the Prometheus text format |
//!
//! A long-running service says what it does on stderr as it goes; actions
//! delivered to stdout are the only thing on stdout.

pub mod clock;
pub mod customer;
pub mod deliver;
pub mod engine;
pub mod http;
pub mod metrics;
pub mod migrate;
pub mod parallel;
pub mod programs;
pub mod routes;
pub mod store;
pub mod units;

use crate::plan::Plan;
use crate::syntax::ast::Schema;
use engine::{Engine, Shared};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use store::{Location, Store, StoredPlan};

/// Everything `nurture serve` was told.
pub struct Config {
    pub plans: Vec<Plan>,
    pub schema: Option<Schema>,
    pub store: Location,
    /// Bound before anything is deployed, so a taken port is said before
    /// the store is touched.
    pub listen: std::net::TcpListener,
    pub token: String,
    pub deliver: deliver::Target,
    pub policy: deliver::Policy,
    pub clock: clock::Mode,
    pub seed: u64,
    pub max_body: usize,
    /// How long a client may take to send a body.
    pub body_timeout: std::time::Duration,
    /// Engine threads; by default 1 on SQLite (one writer at a time
    /// anyway), 4 on PostgreSQL.
    pub workers: Option<usize>,
    /// On a redeploy, move running journeys along the migration map
    /// (`serve/migrate.rs`) rather than let them finish on their version.
    pub migrate: bool,
}

/// What the routes share.
pub struct App {
    pub engine: Engine,
    pub shared: Arc<Shared>,
    /// The connection reads go through (a customer's page, counts).
    pub reader: Mutex<Box<dyn Store>>,
    pub token: String,
    pub schema: Option<Schema>,
    pub max_body: usize,
    pub body_timeout: std::time::Duration,
}

/// Runs the service until SIGINT or SIGTERM. `Err` is a reason it could
/// not start or had to stop.
pub fn run(config: Config) -> Result<(), String> {
    let mut setup = store::open(&config.store).map_err(|e| e.message)?;
    let manual = match config.clock {
        clock::Mode::Manual => setup
            .meta(clock::META_NAME)
            .map_err(|e| e.message)?
            .and_then(|text| text.parse().ok()),
        clock::Mode::System => None,
    };
    let clock = clock::Clock::new(config.clock, manual);
    let deployed_at = clock::wall();
    for plan in &config.plans {
        let stored = StoredPlan {
            program: plan.program.clone(),
            version: plan.digest.clone(),
            plan: plan.to_json(),
            deployed_at,
        };
        let new = setup.deploy(&stored, clock.now()).map_err(|e| e.message)?;
        eprintln!(
            "nurture serve: program `{}` version {}{}",
            plan.program,
            short(&plan.digest),
            if new {
                " deployed: every customer not in it gets a first look"
            } else {
                ""
            }
        );
    }
    let mut programs = programs::Programs::new(config.plans.clone());
    programs.caps = std::sync::Arc::new(
        config
            .schema
            .as_ref()
            .map(crate::run::portfolio::schema_caps)
            .unwrap_or_default(),
    );
    for problem in programs.add_stored(&setup.plans().map_err(|e| e.message)?) {
        eprintln!("nurture serve: {problem}");
    }
    if config.migrate {
        let done = migrate::migrate_all(&mut *setup, &programs, clock.now(), config.seed)?;
        eprintln!(
            "nurture serve: --migrate: {} running journeys moved to the deployed versions, {} left on their own (a hazard of the migration map; GET /v1/customers/ID says which)",
            done.moved, done.stayed
        );
    }
    let shared = Arc::new(Shared {
        programs: RwLock::new(programs),
        clock,
        metrics: metrics::Metrics::default(),
        seed: config.seed,
        outbox: deliver::Signal::default(),
    });
    let workers = config.workers.unwrap_or(match config.store {
        Location::Sqlite(_) => 1,
        Location::Postgres(_) => 4,
    });
    let (engine, worker_threads) =
        Engine::start(&config.store, workers, Arc::clone(&shared)).map_err(|e| e.message)?;

    let stop = Arc::new(AtomicBool::new(false));
    let mut deliverer = deliver::Deliverer::new(
        &config.store,
        config.deliver.clone(),
        config.policy,
        Arc::clone(&shared),
    )
    .map_err(|e| e.message)?;
    let delivery = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("nurture-delivery".into())
            .spawn(move || deliverer.run(&stop))
            .map_err(|e| format!("cannot start delivery: {e}"))?
    };
    let timers = {
        let stop = Arc::clone(&stop);
        let engine = engine.clone();
        std::thread::Builder::new()
            .name("nurture-timers".into())
            .spawn(move || timer_loop(&engine, &stop))
            .map_err(|e| format!("cannot start the timers: {e}"))?
    };

    let app = Arc::new(App {
        engine,
        shared: Arc::clone(&shared),
        reader: Mutex::new(setup),
        token: config.token.clone(),
        schema: config.schema.clone(),
        max_body: config.max_body,
        body_timeout: config.body_timeout,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the HTTP side: {e}"))?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(config.listen)
            .map_err(|e| format!("cannot listen: {e}"))?;
        let address = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into());
        let mode = match config.clock {
            clock::Mode::System => "system",
            clock::Mode::Manual => "manual",
        };
        eprintln!(
            "nurture serve: listening on http://{address} (store {}, clock {mode}, delivering to {})",
            config.store.shown(),
            config.deliver.shown()
        );
        let router = http::router(Arc::clone(&app));
        http::serve(listener, router, shutdown_signal()).await;
        Ok::<(), String>(())
    });
    eprintln!("nurture serve: stopping");
    stop.store(true, Ordering::SeqCst);
    shared.outbox.wake();
    drop(app);
    drop(runtime);
    let _ = timers.join();
    for worker in worker_threads {
        let _ = worker.join();
    }
    let _ = delivery.join();
    served
}

/// The first 12 hex digits of a digest, as in idempotency keys.
pub fn short(digest: &str) -> &str {
    let hex = digest.trim_start_matches("sha256:");
    hex.get(..12).unwrap_or(hex)
}

/// Fires due timers, batch after batch, and looks again twice a second.
fn timer_loop(engine: &Engine, stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        match engine.due_blocking() {
            // A full batch: more are due now.
            Ok(loaded) if loaded > 0 => continue,
            Ok(_) => {}
            Err(problem) => {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                eprintln!("nurture serve: timers: {problem}");
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
