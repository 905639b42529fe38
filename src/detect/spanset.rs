//! A set of byte spans that answers "does this range overlap one of them?" in logarithmic
//! time: what the passes that add findings beside others ask for every candidate (a cell can
//! hold thousands of findings).

/// Spans sorted by start, each with the largest end up to it.
#[derive(Debug, Default)]
pub(crate) struct SpanSet {
    spans: Vec<(usize, usize)>,
}

impl SpanSet {
    /// The set of `spans` (any order, overlapping or not).
    pub(crate) fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> SpanSet {
        let mut spans: Vec<(usize, usize)> = spans.into_iter().collect();
        spans.sort_unstable();
        let mut reach = 0;
        for s in spans.iter_mut() {
            reach = reach.max(s.1);
            s.1 = reach;
        }
        SpanSet { spans }
    }

    /// Whether `a..b` overlaps a span of the set.
    pub(crate) fn overlaps(&self, a: usize, b: usize) -> bool {
        let k = self.spans.partition_point(|s| s.0 < b);
        k > 0 && self.spans[k - 1].1 > a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Law: the set answers as a scan of every span does.
    #[test]
    fn overlaps_agree_with_a_scan() {
        let mut x = 7u64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n) as usize
        };
        for _ in 0..200 {
            let spans: Vec<(usize, usize)> = (0..next(12))
                .map(|_| {
                    let s = next(100);
                    (s, s + 1 + next(20))
                })
                .collect();
            let set = SpanSet::new(spans.iter().copied());
            for _ in 0..50 {
                let a = next(130);
                let b = a + 1 + next(15);
                let scan = spans.iter().any(|&(s, e)| s < b && a < e);
                assert_eq!(set.overlaps(a, b), scan, "{spans:?} {a}..{b}");
            }
        }
    }
}
