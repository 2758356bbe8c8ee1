//! Summary statistics over Monte Carlo runs.
//!
//! Percentiles use linear interpolation between closest ranks (Hyndman and Fan type 7, the
//! definition of Excel's `PERCENTILE.INC` and numpy's default): for sorted values
//! `x[0..n]`, `P(p) = x[h] + (h - floor h) (x[floor h + 1] - x[floor h])` with
//! `h = (n - 1) p`. The standard deviation is the sample one (divisor `n - 1`; 0 for one run).

/// The columns of `summary.csv` for one metric.
#[allow(missing_docs)] // the column names of summary.csv
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub mean: f64,
    pub sd: f64,
    pub p5: f64,
    pub p50: f64,
    pub p80: f64,
    pub p90: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises `values` (any order; empty gives zeros).
    pub fn of(values: &[f64]) -> Summary {
        if values.is_empty() {
            return Summary::default();
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as f64;
        let mean = sorted.iter().sum::<f64>() / n;
        let sd = if sorted.len() > 1 {
            (sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Summary {
            mean,
            sd,
            p5: percentile(&sorted, 0.05),
            p50: percentile(&sorted, 0.50),
            p80: percentile(&sorted, 0.80),
            p90: percentile(&sorted, 0.90),
            p95: percentile(&sorted, 0.95),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// Type-7 percentile of ascending `sorted` values, `p` in `[0, 1]`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_percentiles_match_excel() {
        // Excel: PERCENTILE.INC({1,2,3,4,5,6,7,8,9,10}, 0.8) = 8.2; 0.05 -> 1.45; 0.5 -> 5.5.
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = Summary::of(&xs);
        assert!((s.p80 - 8.2).abs() < 1e-12);
        assert!((s.p5 - 1.45).abs() < 1e-12);
        assert!((s.p50 - 5.5).abs() < 1e-12);
        assert!((s.p95 - 9.55).abs() < 1e-12);
        assert_eq!((s.min, s.max, s.mean), (1.0, 10.0, 5.5));
        // Sample sd of 1..=10 = sqrt(82.5 / 9).
        assert!((s.sd - (82.5f64 / 9.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn single_run_has_zero_spread() {
        let s = Summary::of(&[3.0]);
        assert_eq!((s.sd, s.p5, s.p95), (0.0, 3.0, 3.0));
    }
}
