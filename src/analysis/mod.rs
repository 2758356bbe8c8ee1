//! Questions asked of simulation results: budgets, comparisons and sensitivity. Pure
//! functions of [`crate::montecarlo::Results`]; the reports turn their rows into files.

pub mod advise;
pub mod budget;
pub mod compare;
pub mod headline;
pub mod incremental;
pub mod metrics;
pub mod sensitivity;

/// Fraction of `values` strictly greater than `threshold` (0 for no values).
pub fn share_above(values: impl IntoIterator<Item = f64>, threshold: f64) -> f64 {
    let (mut above, mut n) = (0usize, 0usize);
    for v in values {
        n += 1;
        if v > threshold {
            above += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        above as f64 / n as f64
    }
}

/// Type-7 percentile of unsorted values.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    crate::stats::percentile(&sorted, p)
}
