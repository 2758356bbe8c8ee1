//! Sensitivity: which uncertain input drives cost. A tornado moves each distribution-valued
//! input from its P10 to its P90 with every other input at its median; the rank (Spearman)
//! correlation of each input's per-run mean draw with the run's total cost complements it.

use crate::montecarlo::Results;
use crate::scenario::{Dist, InputField, Scenario};

/// A distribution-valued input of the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Image index.
    pub image: usize,
    /// Which input.
    pub field: InputField,
    /// Dotted name, e.g. `image.cs101.used_gb` (usable with `--set`).
    pub name: String,
}

/// Every input of `scenario` that is a distribution, in file order.
pub fn inputs(scenario: &Scenario) -> Vec<Input> {
    let mut found = Vec::new();
    for (i, image) in scenario.images.iter().enumerate() {
        for field in InputField::ALL {
            if !image.input(field).is_const() {
                found.push(Input {
                    image: i,
                    field,
                    name: format!("image.{}.{}", image.name, field.key()),
                });
            }
        }
    }
    found
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// The input.
    pub input: Input,
    /// Its P10.
    pub low: f64,
    /// Its P90.
    pub high: f64,
    /// Mean total cost with the input at P10 (others at their medians).
    pub total_low: f64,
    /// Mean total cost with the input at P90.
    pub total_high: f64,
    /// Spearman correlation of the input's per-run mean draw with total cost, in the
    /// unmodified scenario (None when either does not vary).
    pub rank_correlation: Option<f64>,
}

impl TornadoRow {
    /// `total_high - total_low`.
    pub fn swing(&self) -> f64 {
        self.total_high - self.total_low
    }
}

/// The tornado: the mean total with every input at its median, and one row per input,
/// biggest absolute swing first. `simulate` runs a scenario (same seed and runs each time,
/// so the comparison uses common random numbers); `original` are the results of the
/// unmodified scenario.
pub fn tornado(
    scenario: &Scenario,
    original: &Results,
    simulate: impl Fn(&Scenario) -> Results,
) -> (f64, Vec<TornadoRow>) {
    let found = inputs(scenario);
    let mut medians = scenario.clone();
    for input in &found {
        let dist = medians.images[input.image].input_mut(input.field);
        *dist = Dist::Const(dist.quantile(0.5));
    }
    let mean_total = |results: &Results| {
        results
            .runs
            .iter()
            .map(|r| r.totals.total_cost)
            .sum::<f64>()
            / results.runs.len().max(1) as f64
    };
    let base = mean_total(&simulate(&medians));
    let totals: Vec<f64> = original.runs.iter().map(|r| r.totals.total_cost).collect();
    let mut rows: Vec<TornadoRow> = found
        .into_iter()
        .map(|input| {
            let dist = scenario.images[input.image].input(input.field);
            let (low, high) = (dist.quantile(0.1), dist.quantile(0.9));
            let at = |value: f64| {
                let mut s = medians.clone();
                *s.images[input.image].input_mut(input.field) = Dist::Const(value);
                mean_total(&simulate(&s))
            };
            let draws: Vec<f64> = original
                .input_means
                .iter()
                .map(|run| run[input.image][input.field as usize])
                .collect();
            TornadoRow {
                total_low: at(low),
                total_high: at(high),
                rank_correlation: spearman(&draws, &totals),
                low,
                high,
                input,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.swing().abs().total_cmp(&a.swing().abs()));
    (base, rows)
}

/// Spearman rank correlation over the pairs where `x` is not NaN; None when either side is
/// constant or fewer than 3 pairs remain.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, _)| !a.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    if xs.len() < 3 {
        return None;
    }
    pearson(&ranks(&xs), &ranks(&ys))
}

/// Ranks from 1, ties given their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[order[k]] = average;
        }
        i = j + 1;
    }
    ranks
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_by_hand() {
        // Monotone but not linear: rank correlation 1.
        assert_eq!(
            spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 8.0, 27.0, 64.0]),
            Some(1.0)
        );
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), Some(-1.0));
        // x = 1,2,3,4,5 vs y ranks 2,1,4,3,5: d^2 = 1+1+1+1+0 = 4; rho = 1 - 6*4/(5*24) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[20.0, 10.0, 40.0, 30.0, 50.0]).unwrap();
        assert!((rho - 0.8).abs() < 1e-12);
        assert_eq!(
            spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]),
            None,
            "constant input"
        );
        assert_eq!(
            spearman(&[f64::NAN, 1.0, 2.0, 3.0], &[9.0, 1.0, 2.0, 3.0]),
            Some(1.0)
        );
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 30.0]), vec![1.5, 3.0, 1.5, 4.0]);
    }
}
