//! Quantiles of cumulative histograms with the semantics of PromQL's
//! `histogram_quantile`, and the deltas between two scrapes that make the
//! quantiles cover one window instead of everything since start.

/// One histogram as scraped: cumulative buckets `(le, count)` plus `_count`
/// and `_sum`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    pub buckets: Vec<(f64, f64)>,
    pub count: f64,
    pub sum: f64,
}

impl Snapshot {
    /// The observations made between `previous` and `self`. `None`, a
    /// different bucket layout, or any count that went down (the process
    /// restarted and its counters reset) means `self` alone is the window.
    pub fn delta(&self, previous: Option<&Snapshot>) -> Snapshot {
        match previous {
            Some(p) => match bucket_deltas(Some(&p.buckets), &self.buckets) {
                Some(buckets) if self.count >= p.count => Snapshot {
                    buckets,
                    count: self.count - p.count,
                    sum: self.sum - p.sum,
                },
                _ => self.clone(),
            },
            None => self.clone(),
        }
    }

    /// Add another histogram with the same bucket layout (several operations
    /// of one pool). Buckets whose bound `other` lacks are left as they are.
    pub fn add(&mut self, other: &Snapshot) {
        if self.buckets.is_empty() {
            *self = other.clone();
            return;
        }
        for (le, count) in &mut self.buckets {
            if let Some((_, c)) = other.buckets.iter().find(|(l, _)| same_bound(*l, *le)) {
                *count += c;
            }
        }
        self.count += other.count;
        self.sum += other.sum;
    }

    pub fn quantile(&self, q: f64) -> Option<f64> {
        quantile(q, &self.buckets)
    }
}

fn same_bound(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Per-bucket increase from `previous` to `current`, both cumulative.
/// Returns `None` when this is a counter reset (any bucket went down, or the
/// layouts differ), in which case the caller uses `current` alone.
pub fn bucket_deltas(
    previous: Option<&[(f64, f64)]>,
    current: &[(f64, f64)],
) -> Option<Vec<(f64, f64)>> {
    let Some(previous) = previous else {
        return Some(current.to_vec());
    };
    if previous.len() != current.len() {
        return None;
    }
    let mut out = Vec::with_capacity(current.len());
    for (&(le, now), &(ple, before)) in current.iter().zip(previous) {
        if !same_bound(le, ple) || now < before {
            return None;
        }
        out.push((le, now - before));
    }
    Some(out)
}

/// Like [`bucket_deltas`] but never fails: a reset yields `current` itself.
pub fn window_buckets(previous: Option<&[(f64, f64)]>, current: &[(f64, f64)]) -> Vec<(f64, f64)> {
    bucket_deltas(previous, current).unwrap_or_else(|| current.to_vec())
}

/// Increase of a counter; a counter that went down restarted, so its
/// current value is the increase since the restart. Never negative (a
/// hostile exposition may send negative counters).
pub fn counter_delta(previous: Option<f64>, current: f64) -> f64 {
    let d = match previous {
        Some(p) if current >= p => current - p,
        _ => current,
    };
    d.max(0.0)
}

/// The `q`-quantile (0 ≤ q ≤ 1) of a cumulative histogram given as
/// `(upper bound, cumulative count)` pairs, exactly as Prometheus'
/// `histogram_quantile` computes it:
///
/// - buckets are sorted by bound; equal bounds are merged; counts that are
///   not monotonic are raised to the running maximum (scrape races);
/// - the highest bucket must be `+Inf`, and there must be at least two
///   buckets (otherwise there is no upper bound to interpolate to);
/// - the rank `q · total` is located in the first bucket whose cumulative
///   count reaches it, and interpolated linearly between the bucket's lower
///   bound (the previous bound, or 0 for the first bucket) and its upper
///   bound;
/// - a rank in the `+Inf` bucket answers the highest finite bound; a first
///   bucket with a bound ≤ 0 answers that bound.
///
/// Where Prometheus answers NaN (no observations, no `+Inf` bucket, fewer
/// than two buckets, non-finite counts) this answers `None`; a `q` outside
/// [0, 1] or NaN (±Inf/NaN in Prometheus) is `None` too, since the figures
/// only ever ask for p50/p95/p99.
pub fn quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    if buckets.iter().any(|(le, c)| le.is_nan() || !c.is_finite()) {
        return None;
    }
    let mut sorted = buckets.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Merge equal bounds (keep the larger count) and enforce monotonicity.
    let mut b: Vec<(f64, f64)> = Vec::with_capacity(sorted.len());
    for (le, c) in sorted {
        match b.last_mut() {
            Some(last) if last.0 == le => last.1 = last.1.max(c),
            Some(last) => {
                let c = c.max(last.1);
                b.push((le, c));
            }
            None => b.push((le, c)),
        }
    }
    if b.len() < 2 || b[b.len() - 1].0 != f64::INFINITY {
        return None;
    }
    let total = b[b.len() - 1].1;
    if total <= 0.0 {
        return None;
    }
    let mut rank = q * total;
    let i = b
        .iter()
        .position(|&(_, c)| c >= rank)
        .unwrap_or(b.len() - 1);
    if i == b.len() - 1 {
        return Some(b[b.len() - 2].0);
    }
    if i == 0 && b[0].0 <= 0.0 {
        return Some(b[0].0);
    }
    let (mut start, end, mut count) = (0.0, b[i].0, b[i].1);
    if i > 0 {
        start = b[i - 1].0;
        count -= b[i - 1].1;
        rank -= b[i - 1].1;
    }
    if count <= 0.0 {
        // Only reachable with rank 0 at an empty bucket: its lower bound.
        return Some(start);
    }
    Some(start + (end - start) * (rank / count))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn interpolates_inside_the_bucket() {
        // 10 in (0, 1], 10 in (1, 2], 0 in (2, 4], 0 above.
        let h = [(1.0, 10.0), (2.0, 20.0), (4.0, 20.0), (INF, 20.0)];
        // rank 10 → end of the first bucket.
        assert!(close(quantile(0.5, &h), 1.0));
        // rank 15 → half-way through (1, 2].
        assert!(close(quantile(0.75, &h), 1.5));
        // rank 19 → 1 + 9/10.
        assert!(close(quantile(0.95, &h), 1.9));
        // rank 2 → 0 + 1 · 2/10 (first bucket's lower bound is 0).
        assert!(close(quantile(0.1, &h), 0.2));
        assert!(close(quantile(1.0, &h), 2.0));
    }

    #[test]
    fn prometheus_documentation_style_example() {
        // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, 100 ≤ 1.
        let h = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (INF, 100.0)];
        assert!(close(quantile(0.5, &h), 0.1));
        // rank 95 → 0.5 + 0.5 · 5/10.
        assert!(close(quantile(0.95, &h), 0.75));
        // rank 99 → 0.5 + 0.5 · 9/10.
        assert!(close(quantile(0.99, &h), 0.95));
    }

    #[test]
    fn all_in_first_bucket() {
        let h = [(0.002, 100.0), (0.005, 100.0), (INF, 100.0)];
        assert!(close(quantile(0.5, &h), 0.001));
        assert!(close(quantile(0.95, &h), 0.0019));
        assert!(close(quantile(0.99, &h), 0.00198));
    }

    #[test]
    fn all_in_inf_answers_the_highest_finite_bound() {
        let h = [(0.5, 0.0), (10.0, 0.0), (INF, 7.0)];
        assert!(close(quantile(0.5, &h), 10.0));
        assert!(close(quantile(0.99, &h), 10.0));
    }

    #[test]
    fn empty_and_degenerate() {
        assert_eq!(quantile(0.5, &[]), None);
        // No observations.
        assert_eq!(quantile(0.5, &[(1.0, 0.0), (INF, 0.0)]), None);
        // A single bucket (even +Inf): nothing to interpolate to.
        assert_eq!(quantile(0.5, &[(INF, 5.0)]), None);
        assert_eq!(quantile(0.5, &[(1.0, 5.0)]), None);
        // No +Inf bucket.
        assert_eq!(quantile(0.5, &[(1.0, 5.0), (2.0, 6.0)]), None);
        // q out of range, NaN counts.
        assert_eq!(quantile(1.5, &[(1.0, 5.0), (INF, 5.0)]), None);
        assert_eq!(quantile(f64::NAN, &[(1.0, 5.0), (INF, 5.0)]), None);
        assert_eq!(quantile(0.5, &[(1.0, f64::NAN), (INF, 5.0)]), None);
    }

    #[test]
    fn unsorted_duplicate_and_non_monotonic_buckets() {
        let h = [(INF, 20.0), (2.0, 20.0), (1.0, 10.0), (1.0, 8.0)];
        assert!(close(quantile(0.75, &h), 1.5));
        // 2.0 reports fewer than 1.0: raised to 10, so (1, 2] is empty and
        // rank 15 falls in +Inf.
        let h = [(1.0, 10.0), (2.0, 9.0), (INF, 20.0)];
        assert!(close(quantile(0.75, &h), 2.0));
    }

    #[test]
    fn negative_first_bound() {
        let h = [(-1.0, 5.0), (0.0, 10.0), (INF, 10.0)];
        assert!(close(quantile(0.2, &h), -1.0));
        assert!(close(quantile(0.75, &h), -0.5));
    }

    #[test]
    fn deltas_and_counter_reset() {
        let before = [(1.0, 10.0), (2.0, 15.0), (INF, 16.0)];
        let after = [(1.0, 12.0), (2.0, 25.0), (INF, 26.0)];
        assert_eq!(
            bucket_deltas(Some(&before), &after),
            Some(vec![(1.0, 2.0), (2.0, 10.0), (INF, 10.0)])
        );
        // The process restarted: fewer observations than before.
        let restarted = [(1.0, 1.0), (2.0, 3.0), (INF, 3.0)];
        assert_eq!(bucket_deltas(Some(&before), &restarted), None);
        assert_eq!(
            window_buckets(Some(&before), &restarted),
            restarted.to_vec()
        );
        // A different layout is not comparable either.
        assert_eq!(bucket_deltas(Some(&before[1..]), &after), None);
        assert_eq!(bucket_deltas(None, &after), Some(after.to_vec()));

        assert_eq!(counter_delta(Some(10.0), 15.0), 5.0);
        assert_eq!(counter_delta(Some(10.0), 4.0), 4.0);
        assert_eq!(counter_delta(None, 4.0), 4.0);
        assert_eq!(counter_delta(None, -4.0), 0.0);

        let s0 = Snapshot {
            buckets: before.to_vec(),
            count: 16.0,
            sum: 20.0,
        };
        let s1 = Snapshot {
            buckets: after.to_vec(),
            count: 26.0,
            sum: 35.0,
        };
        let d = s1.delta(Some(&s0));
        assert_eq!(d.count, 10.0);
        assert_eq!(d.sum, 15.0);
        // Window (cumulative 1:2, 2:10, Inf:10), p50: rank 5 falls in
        // (1, 2] holding 8, 3 into it → 1 + 1 · 3/8.
        assert!(close(d.quantile(0.5), 1.375));
        let s2 = Snapshot {
            buckets: restarted.to_vec(),
            count: 3.0,
            sum: 4.0,
        };
        assert_eq!(s2.delta(Some(&s1)), s2);
    }

    proptest::proptest! {
        #[test]
        fn quantile_is_monotonic_and_bounded(
            raw in proptest::collection::vec((0.0f64..100.0, 0u32..50), 0..8),
            inf in 0u32..50,
        ) {
            // Cumulative counts over ascending bounds, then +Inf.
            let mut bounds: Vec<f64> = raw.iter().map(|(le, _)| *le).collect();
            bounds.sort_by(f64::total_cmp);
            let mut total = 0.0;
            let mut h: Vec<(f64, f64)> = bounds
                .iter()
                .zip(&raw)
                .map(|(le, (_, n))| {
                    total += f64::from(*n);
                    (*le, total)
                })
                .collect();
            h.push((INF, total + f64::from(inf)));
            let highest = bounds.last().copied().unwrap_or(0.0);
            let mut last = f64::NEG_INFINITY;
            for q in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0] {
                if let Some(v) = quantile(q, &h) {
                    proptest::prop_assert!(v >= last - 1e-9, "q {} gave {} after {}", q, v, last);
                    proptest::prop_assert!(v >= 0.0 && v <= highest + 1e-9);
                    last = v;
                }
            }
        }
    }

    #[test]
    fn adding_histograms() {
        let mut a = Snapshot::default();
        let x = Snapshot {
            buckets: vec![(1.0, 1.0), (INF, 2.0)],
            count: 2.0,
            sum: 1.5,
        };
        a.add(&x);
        a.add(&x);
        assert_eq!(a.buckets, vec![(1.0, 2.0), (INF, 4.0)]);
        assert_eq!(a.count, 4.0);
        assert_eq!(a.sum, 3.0);
    }
}
