//! One test suite for every `Store` backend: the same calls, the same
//! expected answers, for SQLite and PostgreSQL alike.

use nurture::run::{Customer, Journey};
use nurture::serve::store::{
    Ask, Attempt, CustomerRow, DeliveryState, EventRow, JourneyRow, OutboxRow, Store, StoredPlan,
};

fn plan(program: &str, version: &str) -> StoredPlan {
    StoredPlan {
        program: program.into(),
        version: version.into(),
        plan: "{}".into(),
        deployed_at: 100,
    }
}

fn customer(id: &str, next_timer: Option<i64>) -> CustomerRow {
    CustomerRow {
        id: id.into(),
        record: Customer {
            id: id.into(),
            score: 7,
            ..Customer::default()
        },
        until: Some(1000),
        next_timer,
        // Kept beside the record, for the schema's caps across programs.
        sends: vec![(900, "email".into()), (950, "sms".into())],
    }
}

fn journey(program: &str, timer: Option<i64>) -> JourneyRow {
    JourneyRow {
        program: program.into(),
        version: "v1".into(),
        start: false,
        journey: Journey::default(),
        view: None,
        until: 1000,
        timer,
    }
}

fn action(customer: &str, key: &str) -> OutboxRow {
    OutboxRow {
        seq: 0,
        customer: customer.into(),
        key: key.into(),
        program: "p".into(),
        version: "v1".into(),
        at: 1000,
        kind: "send".into(),
        body: format!("{{\"key\":\"{key}\"}}"),
        state: DeliveryState::Pending,
        tries: 0,
        next_try: 0,
        error: None,
    }
}

fn ask(ids: &[&str], events: &[(&str, &str)]) -> Ask {
    Ask::Customers {
        ids: ids.iter().map(|s| s.to_string()).collect(),
        events: events
            .iter()
            .map(|(c, e)| (c.to_string(), e.to_string()))
            .collect(),
    }
}

/// Runs every check on a fresh store; `other` opens a second connection
/// to the same store, and `concurrent` says whether the backend lets two
/// units of work run at once (PostgreSQL) or one waits (SQLite).
pub fn suite(store: &mut dyn Store, other: &mut dyn FnMut() -> Box<dyn Store>, concurrent: bool) {
    // -- plans and meta ----------------------------------------------------
    assert!(store.deploy(&plan("p", "v1"), Some(500)).expect("deploy"));
    assert!(
        !store
            .deploy(&plan("p", "v1"), Some(500))
            .expect("deploy again")
    );
    assert_eq!(store.plans().expect("plans"), vec![plan("p", "v1")]);
    assert_eq!(store.meta("clock").expect("meta"), None);
    store.set_meta("clock", "42").expect("set meta");
    store.set_meta("clock", "43").expect("set meta again");
    assert_eq!(store.meta("clock").expect("meta").as_deref(), Some("43"));

    // -- a unit of work writes, and the next one reads it back ---------------
    let (loaded, _) = store
        .work(&ask(&["c1", "c2"], &[]), &mut |batch| {
            assert!(batch.customers.is_empty(), "nothing stored yet");
            batch.write.customers.push(customer("c1", Some(2000)));
            batch.write.customers.push(customer("c2", Some(1500)));
            batch
                .write
                .journeys
                .push(("c1".into(), journey("p", Some(2000))));
            batch.write.journeys.push(("c1".into(), journey("q", None)));
            batch
                .write
                .journeys
                .push(("c2".into(), journey("p", Some(1500))));
            batch.write.events.push(EventRow {
                customer: "c1".into(),
                id: "e1".into(),
                at: 900,
                name: "click".into(),
                body: "{}".into(),
                received_at: 1,
                late: false,
            });
            batch.write.outbox.push(action("c1", "k1"));
            batch.write.outbox.push(action("c2", "k2"));
            batch.write.outbox.push(action("c1", "k3"));
            Ok(())
        })
        .expect("first work");
    assert_eq!(loaded, 0);
    store
        .work(
            &ask(&["c1", "c3"], &[("c1", "e1"), ("c1", "e2"), ("c2", "e1")]),
            &mut |batch| {
                assert_eq!(batch.customers.len(), 1, "c3 does not exist");
                let c1 = &batch.customers["c1"];
                assert_eq!(c1.row, customer("c1", Some(2000)));
                let programs: Vec<&str> = c1.journeys.iter().map(|j| j.program.as_str()).collect();
                assert_eq!(programs, ["p", "q"]);
                assert_eq!(c1.journeys[0], journey("p", Some(2000)));
                // Event ids are the customer's: c2 has no e1.
                assert_eq!(batch.known_events.len(), 1);
                assert!(batch.known_events.contains(&("c1".into(), "e1".into())));
                batch.write.forget.push(("c1".into(), "q".into()));
                Ok(())
            },
        )
        .expect("second work");

    // -- a unit of work that fails leaves nothing ---------------------------
    let failed = store.work(&ask(&["c9"], &[]), &mut |batch| {
        batch.write.customers.push(customer("c9", None));
        Err("changed my mind".into())
    });
    assert!(failed.is_err());
    let view = store.customer("c1").expect("read c1").expect("c1 exists");
    assert_eq!(view.loaded.journeys.len(), 1, "q was forgotten");
    let keys: Vec<&str> = view.outbox.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["k1", "k3"], "the customer's actions in order");
    assert!(
        store.customer("c9").expect("read c9").is_none(),
        "rolled back"
    );

    // -- due timers: earliest first, a limit, the horizon --------------------
    let (loaded, horizon) = store
        .work(
            &Ask::Due {
                up_to: 5000,
                limit: 1,
            },
            &mut |batch| {
                let ids: Vec<&String> = batch.customers.keys().collect();
                assert_eq!(ids, ["c2"], "the earliest timer first");
                Ok(())
            },
        )
        .expect("due");
    assert_eq!(
        (loaded, horizon),
        (1, 5000),
        "a batch, full or not, takes its customers up to the time asked for"
    );
    let (loaded, horizon) = store
        .work(
            &Ask::Due {
                up_to: 1800,
                limit: 10,
            },
            &mut |batch| {
                batch.write.customers.push(customer("c2", None));
                Ok(())
            },
        )
        .expect("due");
    assert_eq!((loaded, horizon), (1, 1800));
    assert_eq!(store.next_timer().expect("next timer"), Some(2000));

    // -- a new version gives every customer not running a first look --------
    assert!(store.deploy(&plan("p", "v2"), None).expect("deploy v2"));
    let view = store.customer("c2").expect("read c2").expect("c2");
    let p = view
        .loaded
        .journeys
        .iter()
        .find(|j| j.program == "p")
        .expect("p");
    assert!(p.start && p.timer.is_none(), "waits for the clock: {p:?}");
    assert_eq!(store.schedule_starts(3000).expect("starts"), 2);
    let view = store.customer("c2").expect("read c2").expect("c2");
    assert_eq!(view.loaded.row.next_timer, Some(3000));
    assert_eq!(view.loaded.journeys[0].timer, Some(3000));

    // -- delivery: in order, outcomes kept, retries wait, the dead stay ------
    let mut seen = Vec::new();
    let count = store
        .deliver(10, 2, &mut |rows| {
            seen.extend(rows.iter().map(|r| r.key.clone()));
            rows.iter()
                .map(|row| Attempt {
                    customer: row.customer.clone(),
                    key: row.key.clone(),
                    state: if row.key == "k1" {
                        DeliveryState::Delivered
                    } else {
                        DeliveryState::Pending
                    },
                    tries: 1,
                    next_try: 50,
                    error: (row.key != "k1").then(|| "refused".to_string()),
                })
                .collect()
        })
        .expect("deliver");
    assert_eq!(count, 2);
    assert_eq!(seen, ["k1", "k2"], "outbox order");
    assert_eq!(store.next_delivery().expect("next"), Some(0), "k3 is due");
    let mut later = Vec::new();
    store
        .deliver(10, 10, &mut |rows| {
            later.extend(rows.iter().map(|r| r.key.clone()));
            rows.iter()
                .map(|row| Attempt {
                    customer: row.customer.clone(),
                    key: row.key.clone(),
                    state: DeliveryState::Dead,
                    tries: 5,
                    next_try: 10,
                    error: Some("gone".into()),
                })
                .collect()
        })
        .expect("deliver again");
    assert_eq!(later, ["k3"], "k2 waits for its retry at 50");
    assert_eq!(store.next_delivery().expect("next"), Some(50));
    let counts = store.counts(1600).expect("counts");
    assert_eq!(counts.customers, 2);
    assert_eq!(
        counts.outbox,
        vec![("pending".to_string(), 1), ("dead".to_string(), 1)]
    );
    assert_eq!(counts.timers_due, 0);
    let view = store.customer("c1").expect("c1").expect("c1");
    let k3 = view.outbox.iter().find(|o| o.key == "k3").expect("k3");
    assert_eq!(
        (k3.state, k3.error.as_deref()),
        (DeliveryState::Dead, Some("gone"))
    );

    // -- two connections ----------------------------------------------------
    let mut second = other();
    assert_eq!(second.meta("clock").expect("meta").as_deref(), Some("43"));
    if concurrent {
        // While one unit holds c1 and c2, a due batch elsewhere skips them
        // rather than wait, and a delivery elsewhere skips what is claimed.
        store
            .work(
                &Ask::Due {
                    up_to: 9999,
                    limit: 10,
                },
                &mut |batch| {
                    assert_eq!(batch.customers.len(), 2);
                    let (loaded, _) = second
                        .work(
                            &Ask::Due {
                                up_to: 9999,
                                limit: 10,
                            },
                            &mut |_| Ok(()),
                        )
                        .expect("due elsewhere");
                    assert_eq!(loaded, 0, "locked customers are skipped");
                    Ok(())
                },
            )
            .expect("due here");
        store
            .deliver(100, 10, &mut |rows| {
                assert_eq!(rows.len(), 1);
                let elsewhere = second
                    .deliver(100, 10, &mut |_| Vec::new())
                    .expect("deliver elsewhere");
                assert_eq!(elsewhere, 0, "a claimed action is skipped");
                Vec::new()
            })
            .expect("deliver here");
    }
}
