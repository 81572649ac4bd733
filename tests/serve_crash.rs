//! Crash test: the protocol of tests/serve_replay.rs against one store,
//! with the server killed by SIGKILL at random points (during a request or
//! between two) and started again each time; the client sends again what
//! was not acknowledged. Delivered actions, by key: none missing, none with
//! other content than replay's (some may come twice: delivery is at least
//! once).

mod serve_support;

use serve_support::{Dice, Server, compare, expected, protocol, root, send, succeeded};
use std::time::{Duration, Instant};

#[test]
fn killed_at_random_points_and_restarted_it_still_delivers_exactly_replays_actions() {
    let expected = expected();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(11);
    let mut dice = Dice(seed | 1);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let programs = root().join("programs");
    let args = [
        programs.to_str().unwrap_or_default(),
        "--clock",
        "manual",
        "--store",
        "sqlite:state.db",
    ];
    let mut server = Server::start(dir.path(), &args);
    let mut delivered: Vec<String> = Vec::new();
    let mut kills = 0;
    let steps = protocol(seed);
    let deadline = Instant::now() + Duration::from_secs(600);
    // Kill points: about one step in eight, at least five in the run.
    let mut kill_at: std::collections::BTreeSet<usize> =
        (0..steps.len()).filter(|_| dice.below(8) == 0).collect();
    while kill_at.len() < 5 {
        kill_at.insert(dice.below(steps.len() as u64) as usize);
    }
    for (index, step) in steps.iter().enumerate() {
        let mut tries = 0;
        loop {
            assert!(
                Instant::now() < deadline,
                "seed {seed}: the run took over 600 s"
            );
            tries += 1;
            assert!(tries < 50, "seed {seed}: step {index} never succeeded");
            let kill = tries == 1 && kill_at.contains(&index);
            let pid = server.pid();
            // A killer that strikes 0-30 ms into the request, or a little
            // before it is sent.
            let killer = kill.then(|| {
                let wait = dice.below(30);
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(wait));
                    let _ = std::process::Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                })
            });
            let url = |path: &str| server.url(path);
            let answer = send(&url, step);
            if let Some(killer) = killer {
                let _ = killer.join();
            }
            let acknowledged = matches!(&answer, Ok((status, _)) if succeeded(step, *status));
            if kill || !server.alive() {
                kills += 1;
                server.kill();
                delivered.extend(server.stdout.lock().map(|l| l.clone()).unwrap_or_default());
                server = Server::start(dir.path(), &args);
                if acknowledged {
                    break;
                }
                continue;
            }
            match answer {
                Ok((status, body)) if succeeded(step, status) => {
                    let _ = body;
                    break;
                }
                Ok((status, body)) => panic!("seed {seed}: {step:?}: {status} {body}"),
                Err(error) => panic!("seed {seed}: {step:?}: {error}\n{}", server.log()),
            }
        }
    }
    server.wait_delivered(120);
    server.kill();
    delivered.extend(server.stdout.lock().map(|l| l.clone()).unwrap_or_default());
    assert!(kills >= 5, "seed {seed}: only {kills} kills");
    if let Err(problems) = compare(&expected, &delivered) {
        panic!("seed {seed}, {kills} kills: {problems}");
    }
}
