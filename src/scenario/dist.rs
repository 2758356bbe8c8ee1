//! Uncertain inputs: a constant or a probability distribution, sampled through statrs.

use rand::distr::Distribution as _;
use rand::Rng;
use rand::RngExt as _;
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal, Triangular, Uniform};

/// A value that is a constant or drawn from a distribution on each use. Variant fields are
/// the parameters as written in the scenario, plus the statrs distribution built from them.
#[allow(missing_docs)]
#[derive(Debug, Clone)]
pub enum Dist {
    /// Always this value.
    Const(f64),
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        inner: Triangular,
    },
    /// PERT: a Beta on `[min, max]` with shapes `1 + 4 (mode - min) / (max - min)` and
    /// `1 + 4 (max - mode) / (max - min)`.
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        inner: Beta,
    },
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64, inner: Uniform },
    /// Normal truncated at 0 (sampled by inverting the CDF on the part above 0).
    Normal { mean: f64, sd: f64, inner: Normal },
    /// Log-normal with the given mean and standard deviation of the value itself.
    LogNormal {
        mean: f64,
        sd: f64,
        inner: LogNormal,
    },
}

impl Dist {
    /// Triangular distribution; `min <= mode <= max`, `min < max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        check_range(min, mode, max)?;
        let inner =
            Triangular::new(min, max, mode).map_err(|e| DistError::Library(e.to_string()))?;
        Ok(Dist::Triangular {
            min,
            mode,
            max,
            inner,
        })
    }

    /// PERT distribution; `min <= mode <= max`, `min < max`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        check_range(min, mode, max)?;
        let range = max - min;
        let a = 1.0 + 4.0 * (mode - min) / range;
        let b = 1.0 + 4.0 * (max - mode) / range;
        let inner = Beta::new(a, b).map_err(|e| DistError::Library(e.to_string()))?;
        Ok(Dist::Pert {
            min,
            mode,
            max,
            inner,
        })
    }

    /// Uniform distribution; `min < max`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        if !(min < max) {
            return Err(DistError::Order { min, max });
        }
        let inner = Uniform::new(min, max).map_err(|e| DistError::Library(e.to_string()))?;
        Ok(Dist::Uniform { min, max, inner })
    }

    /// Normal distribution truncated at 0; `mean >= 0`, `sd > 0`.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        if !(sd > 0.0 && mean >= 0.0) {
            return Err(DistError::Normal { mean, sd });
        }
        let inner = Normal::new(mean, sd).map_err(|e| DistError::Library(e.to_string()))?;
        Ok(Dist::Normal { mean, sd, inner })
    }

    /// Log-normal given the mean and sd of the value; `mean > 0`, `sd > 0`.
    pub fn lognormal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        if !(mean > 0.0 && sd > 0.0) {
            return Err(DistError::LogNormal { mean, sd });
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        let inner =
            LogNormal::new(mu, sigma2.sqrt()).map_err(|e| DistError::Library(e.to_string()))?;
        Ok(Dist::LogNormal { mean, sd, inner })
    }

    /// Draws a value. A constant draws nothing from `rng`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Const(v) => *v,
            Dist::Triangular { inner, .. } => inner.sample(rng),
            Dist::Pert {
                min, max, inner, ..
            } => min + (max - min) * inner.sample(rng),
            Dist::Uniform { inner, .. } => inner.sample(rng),
            Dist::Normal { inner, .. } => {
                let below_zero = inner.cdf(0.0);
                let u: f64 = rng.random();
                let p = below_zero + u * (1.0 - below_zero);
                inner.inverse_cdf(p).max(0.0)
            }
            Dist::LogNormal { inner, .. } => inner.sample(rng),
        }
    }

    /// The `p`-quantile (inverse CDF), `p` in `[0, 1]`.
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match self {
            Dist::Const(v) => *v,
            Dist::Triangular { inner, .. } => inner.inverse_cdf(p),
            Dist::Pert {
                min, max, inner, ..
            } => min + (max - min) * inner.inverse_cdf(p),
            Dist::Uniform { inner, .. } => inner.inverse_cdf(p),
            Dist::Normal { inner, .. } => {
                let below_zero = inner.cdf(0.0);
                inner
                    .inverse_cdf(below_zero + p * (1.0 - below_zero))
                    .max(0.0)
            }
            Dist::LogNormal { inner, .. } => inner.inverse_cdf(p),
        }
    }

    /// Expected value (of the truncated normal, too).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Const(v) => *v,
            Dist::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max, .. } => (min + 4.0 * mode + max) / 6.0,
            Dist::Uniform { min, max, .. } => (min + max) / 2.0,
            Dist::Normal { mean, sd, inner } => {
                use statrs::distribution::Continuous;
                // mean + sd phi(a) / (1 - Phi(a)) with a = -mean / sd.
                let tail = 1.0 - inner.cdf(0.0);
                let phi = inner.pdf(0.0) * sd;
                mean + sd * phi / tail.max(f64::MIN_POSITIVE)
            }
            Dist::LogNormal { mean, .. } => *mean,
        }
    }

    /// True for a constant.
    /// The largest value a draw can take (None for normal and lognormal, which are unbounded).
    pub fn support_max(&self) -> Option<f64> {
        match self {
            Dist::Const(v) => Some(*v),
            Dist::Triangular { max, .. } | Dist::Pert { max, .. } | Dist::Uniform { max, .. } => {
                Some(*max)
            }
            Dist::Normal { .. } | Dist::LogNormal { .. } => None,
        }
    }

    /// Whether it is a constant (draws nothing).
    pub fn is_const(&self) -> bool {
        matches!(self, Dist::Const(_))
    }
}

impl std::fmt::Display for Dist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dist::Const(v) => write!(f, "{v}"),
            Dist::Triangular { min, mode, max, .. } => {
                write!(f, "triangular({min}, {mode}, {max})")
            }
            Dist::Pert { min, mode, max, .. } => write!(f, "pert({min}, {mode}, {max})"),
            Dist::Uniform { min, max, .. } => write!(f, "uniform({min}, {max})"),
            Dist::Normal { mean, sd, .. } => write!(f, "normal({mean}, {sd}) truncated at 0"),
            Dist::LogNormal { mean, sd, .. } => write!(f, "lognormal(mean {mean}, sd {sd})"),
        }
    }
}

fn check_range(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    if !(min < max && min <= mode && mode <= max) {
        return Err(DistError::Range { min, mode, max });
    }
    Ok(())
}

/// Parameters no distribution of that family has.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// Triangular or PERT out of order.
    #[error("needs min <= mode <= max and min < max (got min {min}, mode {mode}, max {max})")]
    Range {
        /// Lowest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        max: f64,
    },
    /// Uniform out of order.
    #[error("needs min < max (got min {min}, max {max})")]
    Order {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
    },
    /// Normal with a negative mean or no spread.
    #[error("needs mean >= 0 and sd > 0 (got mean {mean}, sd {sd})")]
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal without a positive mean and spread.
    #[error("needs mean > 0 and sd > 0 (got mean {mean}, sd {sd})")]
    LogNormal {
        /// Mean of the value.
        mean: f64,
        /// Standard deviation of the value.
        sd: f64,
    },
    /// Refused by the statistics library.
    #[error("{0}")]
    Library(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn sample_mean(d: &Dist, n: usize) -> (f64, f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let lo = xs.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        (mean, lo, hi)
    }

    #[test]
    fn samples_stay_in_range_and_match_the_mean() {
        // Standard error of the mean at n = 20,000 is well under 1 % of each range here.
        let cases = [
            (Dist::triangular(10.0, 20.0, 60.0).unwrap(), 10.0, 60.0),
            (Dist::pert(10.0, 20.0, 60.0).unwrap(), 10.0, 60.0),
            (Dist::uniform(1.0, 3.0).unwrap(), 1.0, 3.0),
        ];
        for (d, lo_bound, hi_bound) in cases {
            let (mean, lo, hi) = sample_mean(&d, 20_000);
            assert!(lo >= lo_bound && hi <= hi_bound, "{d}: [{lo}, {hi}]");
            assert!(
                (mean - d.mean()).abs() < 0.01 * (hi_bound - lo_bound),
                "{d}: {mean}"
            );
        }
    }

    #[test]
    fn lognormal_has_the_requested_mean_and_normal_is_truncated() {
        let d = Dist::lognormal(40.0, 10.0).unwrap();
        let (mean, lo, _) = sample_mean(&d, 40_000);
        assert!(lo > 0.0);
        assert!((mean - 40.0).abs() < 0.3, "{mean}");

        let d = Dist::normal(1.0, 2.0).unwrap();
        let (mean, lo, _) = sample_mean(&d, 40_000);
        assert!(lo >= 0.0);
        // Mean of N(1, 2) truncated at 0: 1 + 2 phi(-0.5) / (1 - Phi(-0.5))
        // = 1 + 2 x 0.352065 / 0.691462 = 2.01832.
        assert!((d.mean() - 2.01832).abs() < 1e-4, "{}", d.mean());
        assert!((mean - 2.01832).abs() < 0.05, "{mean}");
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(Dist::triangular(5.0, 1.0, 10.0).is_err());
        assert!(Dist::pert(5.0, 5.0, 5.0).is_err());
        assert!(Dist::uniform(3.0, 1.0).is_err());
        assert!(Dist::normal(1.0, 0.0).is_err());
        assert!(
            Dist::normal(-100.0, 1.0).is_err(),
            "almost all mass below the truncation"
        );
        assert!(Dist::lognormal(-1.0, 1.0).is_err());
    }

    #[test]
    fn quantiles_by_hand() {
        // Uniform(1, 3): P10 = 1.2. Triangular(0, 0, 1): F(x) = 1 - (1 - x)^2, P75 = 0.5.
        assert!((Dist::uniform(1.0, 3.0).unwrap().quantile(0.1) - 1.2).abs() < 1e-9);
        assert!((Dist::triangular(0.0, 0.0, 1.0).unwrap().quantile(0.75) - 0.5).abs() < 1e-6);
        // Lognormal median = exp(mu) = mean / sqrt(1 + cv^2) = 40 / sqrt(1.0625).
        let median = Dist::lognormal(40.0, 10.0).unwrap().quantile(0.5);
        assert!((median - 40.0 / 1.0625f64.sqrt()).abs() < 1e-6, "{median}");
        // Symmetric PERT: the median is the mode.
        assert!((Dist::pert(10.0, 20.0, 30.0).unwrap().quantile(0.5) - 20.0).abs() < 1e-6);
        // Normal(10, 1) is barely truncated: P50 = 10.
        assert!((Dist::normal(10.0, 1.0).unwrap().quantile(0.5) - 10.0).abs() < 1e-6);
        assert_eq!(Dist::Const(4.0).quantile(0.9), 4.0);
    }

    #[test]
    fn constants_draw_nothing() {
        let mut a = ChaCha8Rng::seed_from_u64(1);
        let mut b = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(Dist::Const(3.5).sample(&mut a), 3.5);
        let x: u64 = a.random();
        let y: u64 = b.random();
        assert_eq!(x, y);
    }
}
