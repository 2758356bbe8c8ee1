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

/// An order-independent sum of `f64` values, for merging Monte Carlo results exactly.
///
/// Each addend is rounded once to a multiple of 2^-40 (about 9.1e-13) and the multiples are
/// added as integers, so the sum is the same whatever the order or grouping of the additions:
/// runs absorbed on different threads, shards or machines and merged in any order give the
/// same bits. Non-finite addends are kept aside and poison the result (a NaN is never hidden).
/// Magnitudes up to 2^86 (about 7.7e25) are exact; validation bounds every cost far below.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExactSum {
    units: i128,
    /// Set when an addend was NaN or infinite, or the sum left the representable range.
    poisoned: bool,
}

const EXACT_SCALE: f64 = (1u64 << 40) as f64;
const EXACT_LIMIT: f64 = 7.7e25;

impl ExactSum {
    /// Adds `x`.
    pub fn add(&mut self, x: f64) {
        if !(x.abs() < EXACT_LIMIT) {
            self.poisoned = true;
            return;
        }
        let scaled = x * EXACT_SCALE;
        // Rounded half away from zero. Below 2^62 through i64, whose conversion is one
        // instruction (i128's and `round` are library calls, and this runs for every month
        // of every replica): a value in the last ulp below a half may round up, which is a
        // different but as deterministic a rounding.
        let units = if scaled.abs() < 4.6e18 {
            (scaled + 0.5f64.copysign(scaled)) as i64 as i128
        } else {
            scaled.round() as i128
        };
        match self.units.checked_add(units) {
            Some(units) => self.units = units,
            None => self.poisoned = true,
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &ExactSum) {
        self.poisoned |= other.poisoned;
        match self.units.checked_add(other.units) {
            Some(units) => self.units = units,
            None => self.poisoned = true,
        }
    }

    /// Takes away a sum added with [`ExactSum::merge`]: integer units, so adding and taking
    /// away parts in any order leaves the same bits as adding only the remaining ones.
    pub fn unmerge(&mut self, other: &ExactSum) {
        self.poisoned |= other.poisoned;
        match self.units.checked_sub(other.units) {
            Some(units) => self.units = units,
            None => self.poisoned = true,
        }
    }

    /// The sum (NaN when poisoned).
    pub fn value(&self) -> f64 {
        if self.poisoned {
            f64::NAN
        } else {
            // The same rounding of the same integer: through i64 when it fits (one
            // instruction; i128's conversion is a library call, and pricing reads every sum).
            // `black_box` keeps the optimiser from folding both arms into the library call.
            let units = match i64::try_from(self.units) {
                Ok(small) => std::hint::black_box(small) as f64,
                Err(_) => self.units as f64,
            };
            units / EXACT_SCALE
        }
    }
}

/// FNV-1a, 64 bit: a stable, portable hash (names random streams, checks partial files).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
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
    fn exact_sums_do_not_depend_on_order() {
        let xs: Vec<f64> = (1..2000).map(|k| 1.0 / f64::from(k) * 1e3).collect();
        let mut forward = ExactSum::default();
        xs.iter().for_each(|&x| forward.add(x));
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        xs.iter().rev().step_by(2).for_each(|&x| a.add(x));
        xs.iter().rev().skip(1).step_by(2).for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(forward, b);
        assert!((forward.value() - xs.iter().sum::<f64>()).abs() < 1e-8);
        let mut bad = ExactSum::default();
        bad.add(f64::NAN);
        bad.add(1.0);
        assert!(bad.value().is_nan());
    }

    #[test]
    fn single_run_has_zero_spread() {
        let s = Summary::of(&[3.0]);
        assert_eq!((s.sd, s.p5, s.p95), (0.0, 3.0, 3.0));
    }
}
