//! "Did you mean …": the closest known word to a misspelled one.

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a likely typo (a third of the word's length, at least one edit).
/// Words longer than `MAX_LEN` get no suggestion: names that long are no
/// typos, and comparing two of them would cost their lengths multiplied.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const MAX_LEN: usize = 100;
    let length = word.chars().count();
    if length > MAX_LEN {
        return None;
    }
    let limit = (length / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (distance(word, candidate), candidate))
        // Changing every letter of a short word is no typo (`b` for `a`).
        .filter(|(d, _)| *d <= limit && *d < length)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Edit distance over chars, counting a swap of two neighbours as one edit
/// (optimal string alignment), since `sned` for `send` is the typical typo.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_typo() {
        assert_eq!(closest("wakeup", ["wake_up", "welcome"]), Some("wake_up"));
        assert_eq!(closest("retian", ["retain", "referral"]), Some("retain"));
        assert_eq!(closest("sned", ["send", "set"]), Some("send"));
    }

    #[test]
    fn ignores_unrelated_words() {
        assert_eq!(closest("banana", ["wake_up", "welcome"]), None);
        assert_eq!(closest("b", ["a", "c"]), None);
    }
}
