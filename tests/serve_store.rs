//! The `Store` trait's one test suite (serve_support/store_suite.rs), run
//! on the embedded SQLite store and on a throwaway PostgreSQL.

mod serve_support;

use nurture::serve::store::{Location, open};
use serve_support::postgres::Cluster;
use serve_support::store_suite::suite;

#[test]
fn the_sqlite_store_passes_the_suite() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let location = Location::Sqlite(dir.path().join("state.db"));
    let mut store = open(&location).expect("open");
    suite(
        store.as_mut(),
        &mut || open(&location).expect("open again"),
        false,
    );
}

#[test]
fn the_postgres_store_passes_the_suite() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let location = Location::Postgres(cluster.database("suite"));
    let mut store = open(&location).expect("open");
    suite(
        store.as_mut(),
        &mut || open(&location).expect("open again"),
        true,
    );
}

#[test]
fn a_store_from_a_newer_nurture_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let location = Location::Sqlite(dir.path().join("state.db"));
    let mut store = open(&location).expect("open");
    store.set_meta("layout", "99").expect("set");
    drop(store);
    let refused = open(&location).err().map(|e| e.message).unwrap_or_default();
    assert!(refused.contains("newer nurture"), "{refused}");
}

#[test]
fn store_locations_are_read_as_written() {
    assert_eq!(
        Location::parse("sqlite:nurture.db"),
        Ok(Location::Sqlite("nurture.db".into()))
    );
    assert!(Location::parse("sqlite:").is_err());
    assert!(Location::parse("mysql://x").is_err());
    let pg = Location::parse("postgres://me:secret@db:5432/n").expect("a postgres URL");
    assert_eq!(
        pg.shown(),
        "postgres://me@db:5432/n",
        "no password in messages"
    );
}
