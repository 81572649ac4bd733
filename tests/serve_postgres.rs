//! `nurture serve` on PostgreSQL: three processes share one database and
//! the work; one is killed (SIGKILL) half-way and not started again; the
//! others take its customers over. What all of them delivered, by key, is
//! exactly replay's actions (the protocol of tests/serve_replay.rs, its
//! requests sent to the processes in turn). Skipped, saying so, where no
//! PostgreSQL is installed.

mod serve_support;

use serve_support::postgres::Cluster;
use serve_support::{Server, compare, expected, protocol, root, send, succeeded};
use std::time::{Duration, Instant};

#[test]
fn three_processes_one_killed_deliver_exactly_replays_actions() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let url = cluster.database("three");
    let expected = expected();
    let programs = root().join("programs");
    let args = [
        programs.to_str().unwrap_or_default(),
        "--clock",
        "manual",
        "--store",
        url.as_str(),
    ];
    let dirs: Vec<tempfile::TempDir> = (0..3)
        .map(|_| tempfile::tempdir().expect("a temporary folder"))
        .collect();
    let mut servers: Vec<Server> = dirs
        .iter()
        .map(|dir| Server::start(dir.path(), &args))
        .collect();
    let mut alive = [true; 3];
    let steps = protocol(5);
    let kill_at = steps.len() / 2;
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut turn = 0;
    for (index, step) in steps.iter().enumerate() {
        // Half-way, server 1 gets the step and is killed 2 ms into it.
        if index == kill_at {
            let pid = servers[1].pid();
            let killer = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(2));
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            });
            let server = &servers[1];
            let url = |path: &str| server.url(path);
            let answer = send(&url, step);
            let _ = killer.join();
            servers[1].kill();
            alive[1] = false;
            if matches!(answer, Ok((status, _)) if succeeded(step, status)) {
                continue;
            }
        }
        let mut tries = 0;
        loop {
            assert!(Instant::now() < deadline, "the run took over 600 s");
            tries += 1;
            assert!(tries < 20, "step {index} never succeeded");
            turn = (turn + 1) % 3;
            if !alive[turn] {
                continue;
            }
            let server = &servers[turn];
            let url = |path: &str| server.url(path);
            match send(&url, step) {
                Ok((status, _)) if succeeded(step, status) => break,
                Ok((status, body)) => panic!("{step:?} at server {turn}: {status} {body}"),
                Err(error) => panic!("{step:?} at server {turn}: {error}\n{}", server.log()),
            }
        }
    }
    servers[0].wait_delivered(120);
    let mut delivered = Vec::new();
    for server in &mut servers {
        server.kill();
        delivered.extend(server.stdout.lock().map(|l| l.clone()).unwrap_or_default());
    }
    // The work was shared.
    let counts: Vec<usize> = servers
        .iter()
        .map(|s| s.stdout.lock().map(|l| l.len()).unwrap_or(0))
        .collect();
    assert!(counts.iter().filter(|&&n| n > 0).count() >= 2, "{counts:?}");
    if let Err(problems) = compare(&expected, &delivered) {
        panic!("{problems}\n{}", servers[0].log());
    }
}
