//! Stage serve: work on a batch of customers cut into one run of
//! neighbours per core. Each customer's work is their own (catching up
//! their timers, reading their stored JSON), so a big batch uses every
//! core while the thread that owns the store's connection waits; the
//! answers come back in the items' order, as one thread would have made
//! them.

/// Items below which a batch is worked on one thread (starting more would
/// cost more than it saves).
const PARALLEL_FROM: usize = 128;

/// `work` on `items` cut into one run of neighbours per core, the answers
/// in the items' order (an error for a part whose thread failed).
pub fn in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    work: impl Fn(Vec<T>) -> R + Sync,
) -> Vec<Result<R, String>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < PARALLEL_FROM {
        return vec![Ok(work(items))];
    }
    let size = items.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let part: Vec<T> = items.by_ref().take(size).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        // A part's thread failing is a bug in nurture: the unit of work
        // fails and is rolled back, and the service goes on.
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| "a thread working on a batch of customers failed".to_string())
            })
            .collect()
    })
}
