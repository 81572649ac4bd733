//! A throwaway PostgreSQL cluster for a test binary: `initdb` in a
//! temporary folder (as the `postgres` user when run as root, since initdb
//! refuses root), started on a free loopback port, stopped when dropped.
//! Each test makes its own database. Without the binaries, the tests say
//! why they are skipped.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Cluster {
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or(54329)
}

impl Cluster {
    /// A running cluster, or `None` (said on stderr) when PostgreSQL is
    /// not installed here.
    pub fn start() -> Option<Cluster> {
        let bin = PathBuf::from(BIN);
        if !bin.join("initdb").exists() || !bin.join("pg_ctl").exists() {
            eprintln!(
                "SKIPPED: the PostgreSQL tests need PostgreSQL 15 binaries in {BIN} (apt-get install postgresql-15)"
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let as_postgres = is_root();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "chown the cluster folder"
            );
        }
        let cluster = Cluster {
            port: free_port(),
            dir,
            as_postgres,
        };
        let data = cluster.dir.path().join("data");
        let initdb = cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-A",
                "trust",
                "-U",
                "nurture",
                "--no-sync",
            ],
        );
        assert!(initdb.0, "initdb failed: {}", initdb.1);
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200",
            cluster.port,
            cluster.dir.path().display()
        );
        let start = cluster.run(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-w",
                "-t",
                "60",
                "-l",
                &cluster.dir.path().join("log").display().to_string(),
                "-o",
                &options,
                "start",
            ],
        );
        assert!(start.0, "pg_ctl start failed: {}", start.1);
        Some(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) -> (bool, String) {
        let path = format!("{BIN}/{tool}");
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", &path]);
            command
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run a PostgreSQL tool");
        (
            output.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    }

    /// A new database, and its URL for `--store`.
    pub fn database(&self, name: &str) -> String {
        let admin = format!("postgres://nurture@127.0.0.1:{}/postgres", self.port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match postgres::Client::connect(&admin, postgres::NoTls) {
                Ok(mut client) => {
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
                    client
                        .batch_execute(&format!("CREATE DATABASE {name}"))
                        .expect("create a database");
                    break;
                }
                Err(error) => {
                    assert!(
                        Instant::now() < deadline,
                        "PostgreSQL did not answer: {error}"
                    );
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
        format!("postgres://nurture@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let _ = self.run(
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "-w", "-t", "30", "stop"],
        );
    }
}
