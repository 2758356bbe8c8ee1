//! Sensitivity: which uncertain input drives cost. A tornado moves each uncertain input from
//! its P10 to its P90 with every other input at its median; the rank (Spearman) correlation
//! of each input's per-run mean draw with the run's total cost complements it, and the share
//! of the total's variance the inputs explain says how much the tornado leaves out.
//!
//! Uncertain inputs are the distribution-valued `used_gb`, `export_hours` and
//! `replication_hours`, and the number of exports of an image exported `per_month` (Poisson
//! arrivals): its P10 and P90 are those of the count over the horizon, as a rate per month; at
//! a fixed value the image is exported that many times, evenly spaced from the start.

use statrs::distribution::{DiscreteCDF, Poisson};

use crate::calendar::{hours_to_ticks, HOURS_PER_MONTH};
use crate::montecarlo::Results;
use crate::scenario::{Dist, Exports, Image, InputField, Scenario};
use crate::stats::Summary;

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A distribution-valued field, drawn per version or copy.
    Draw(InputField),
    /// The number of exports of an image exported `per_month`.
    ExportCount,
}

/// An uncertain input of the scenario, or one kind of input of every image that has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Image indices: one, or every image with this kind of input (grouped).
    pub images: Vec<usize>,
    /// Which input.
    pub kind: InputKind,
    /// Dotted name, e.g. `image.cs101.used_gb` (usable with `--set`); grouped:
    /// `image.*.used_gb`.
    pub name: String,
}

/// How a tornado lists its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One input per image and kind.
    PerImage,
    /// One input per kind (all images' used sizes together, all export rates...): each moves
    /// every image's input to its own P10 or P90 at once.
    ByKind,
}

/// Above this many images with uncertain inputs a tornado groups its inputs by kind, unless
/// asked for every image's (`tornado --per-image`): a fleet's hundreds of bars are unreadable
/// and each costs three simulations.
pub const GROUP_ABOVE_IMAGES: usize = 20;

impl Grouping {
    /// By kind when more than [`GROUP_ABOVE_IMAGES`] images have uncertain inputs.
    pub fn default_for(scenario: &Scenario) -> Grouping {
        let uncertain = inputs(scenario, Grouping::PerImage)
            .iter()
            .map(|i| i.images[0])
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        match uncertain > GROUP_ABOVE_IMAGES {
            true => Grouping::ByKind,
            false => Grouping::PerImage,
        }
    }
}

/// Every uncertain input of `scenario`, in file order (grouped: by kind, in the order of an
/// image's inputs).
pub fn inputs(scenario: &Scenario, grouping: Grouping) -> Vec<Input> {
    let mut found = Vec::new();
    for (i, image) in scenario.images.iter().enumerate() {
        if let Exports::PerMonth(_) = image.exports {
            found.push(Input {
                images: vec![i],
                kind: InputKind::ExportCount,
                name: format!("image.{}.exports.per_month", image.name),
            });
        }
        for field in InputField::ALL {
            if !image.input(field).is_const() {
                found.push(Input {
                    images: vec![i],
                    kind: InputKind::Draw(field),
                    name: format!("image.{}.{}", image.name, field.key()),
                });
            }
        }
    }
    if grouping == Grouping::PerImage {
        return found;
    }
    let kinds = std::iter::once(InputKind::ExportCount).chain(InputField::ALL.map(InputKind::Draw));
    kinds
        .filter_map(|kind| {
            let images: Vec<usize> = found
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.images[0])
                .collect();
            let key = match kind {
                InputKind::ExportCount => "exports.per_month",
                InputKind::Draw(field) => field.key(),
            };
            (!images.is_empty()).then(|| Input {
                images,
                kind,
                name: format!("image.*.{key}"),
            })
        })
        .collect()
}

impl Input {
    /// The `p` quantile of the input of `image` (exports: as exports per month).
    fn quantile(&self, scenario: &Scenario, image: usize, p: f64) -> f64 {
        let image = &scenario.images[image];
        match (self.kind, &image.exports) {
            (InputKind::Draw(field), _) => image.input(field).quantile(p),
            (InputKind::ExportCount, Exports::PerMonth(rate)) => {
                let months = f64::from(scenario.months);
                let count = Poisson::new(rate * months).map_or(0, |poisson| poisson.inverse_cdf(p));
                count as f64 / months
            }
            (InputKind::ExportCount, _) => unreachable!("only per_month exports are inputs"),
        }
    }

    /// The input's `p` quantile: the image's, or the mean of the grouped images'.
    fn value(&self, scenario: &Scenario, p: f64) -> f64 {
        let sum: f64 = self
            .images
            .iter()
            .map(|&i| self.quantile(scenario, i, p))
            .sum();
        sum / self.images.len().max(1) as f64
    }

    /// The images of `medians` with the input fixed at each image's own `p` quantile in
    /// `original` (None: given back its uncertainty from `original`).
    fn edits(
        &self,
        medians: &Scenario,
        original: &Scenario,
        p: Option<f64>,
    ) -> Vec<(usize, Image)> {
        let months = f64::from(medians.months);
        self.images
            .iter()
            .map(|&i| {
                let mut image = medians.images[i].clone();
                let from = &original.images[i];
                match (p, self.kind) {
                    (None, InputKind::Draw(field)) => {
                        *image.input_mut(field) = from.input(field).clone()
                    }
                    (None, InputKind::ExportCount) => image.exports = from.exports.clone(),
                    (Some(p), kind) => fix(&mut image, kind, self.quantile(original, i, p), months),
                }
                (i, image)
            })
            .collect()
    }
}

/// Fixes `kind` of `image` at `value` over a horizon of `months`.
fn fix(image: &mut Image, kind: InputKind, value: f64, months: f64) {
    match kind {
        InputKind::Draw(field) => *image.input_mut(field) = Dist::Const(value),
        InputKind::ExportCount => {
            let count = (value * months).round();
            image.exports = if count < 1.0 {
                Exports::At(Vec::new())
            } else {
                // `count` exports evenly spaced over the horizon, the first at the start.
                Exports::Every(hours_to_ticks(HOURS_PER_MONTH as f64 * months / count))
            };
        }
    }
}

/// Simulations of variants of one base scenario (same seed and runs: common random numbers),
/// read as the total cost of each run, in run order.
pub trait Variants {
    /// The totals of the base.
    fn base(&mut self) -> Vec<f64>;
    /// The totals of the base with each `(image, value)` in place of that image.
    fn with_images(&mut self, edits: Vec<(usize, Image)>) -> Vec<f64>;
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
    /// Share of the total's variance over runs with only this input uncertain (the others at
    /// their medians): its first-order share (None when the total does not vary).
    pub variance_share: Option<f64>,
}

impl TornadoRow {
    /// `total_high - total_low`.
    pub fn swing(&self) -> f64 {
        self.total_high - self.total_low
    }
}

/// The tornado of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Mean total cost with every input at its median.
    pub base: f64,
    /// One row per input, biggest absolute swing first.
    pub rows: Vec<TornadoRow>,
    /// Standard deviation of the total over runs, as the scenario is.
    pub sd: f64,
    /// Standard deviation of the total over runs with every input at its median: what the
    /// listed inputs leave unexplained.
    pub sd_at_medians: f64,
}

impl Tornado {
    /// Share of the total's variance that the listed inputs explain:
    /// `1 - var(at medians) / var(as is)`; None when the total does not vary.
    pub fn explained(&self) -> Option<f64> {
        (self.sd > 0.0).then(|| 1.0 - (self.sd_at_medians / self.sd).powi(2))
    }
}

/// The tornado of `scenario` (three simulations per input and two more) listing its inputs
/// as `grouping` says. `variants` makes the simulator of variants of the scenario at its
/// medians (same seed and runs each time, so the comparison uses common random numbers);
/// `original` are the results of the unmodified scenario.
pub fn tornado<V: Variants>(
    scenario: &Scenario,
    original: &Results,
    grouping: Grouping,
    variants: impl FnOnce(&Scenario) -> V,
) -> Tornado {
    let found = inputs(scenario, grouping);
    let mut medians = scenario.clone();
    for input in &found {
        for (i, image) in input.edits(&medians, scenario, Some(0.5)) {
            medians.images[i] = image;
        }
    }
    let mean = |totals: &[f64]| totals.iter().sum::<f64>() / totals.len().max(1) as f64;
    let mut variants = variants(&medians);
    let at_medians = variants.base();
    let base = mean(&at_medians);
    let sd_at_medians = Summary::of(&at_medians).sd;
    let totals: Vec<f64> = original.runs.iter().map(|r| r.totals.total_cost).collect();
    let sd = Summary::of(&totals).sd;
    let mut rows: Vec<TornadoRow> = found
        .into_iter()
        .map(|input| {
            let (low, high) = (input.value(scenario, 0.1), input.value(scenario, 0.9));
            let mut at = |p: Option<f64>| variants.with_images(input.edits(&medians, scenario, p));
            let total_low = mean(&at(Some(0.1)));
            let total_high = mean(&at(Some(0.9)));
            let alone = Summary::of(&at(None)).sd;
            // The per-run draws of a field (summed over grouped images); the export count is
            // not recorded per run.
            let rank_correlation = match input.kind {
                InputKind::Draw(field) => {
                    let draws: Vec<f64> = original
                        .input_means
                        .iter()
                        .map(|run| {
                            let drawn = input.images.iter().map(|&i| run[i][field as usize]);
                            drawn
                                .filter(|x| !x.is_nan())
                                .reduce(|a, b| a + b)
                                .unwrap_or(f64::NAN)
                        })
                        .collect();
                    spearman(&draws, &totals)
                }
                InputKind::ExportCount => None,
            };
            TornadoRow {
                total_low,
                total_high,
                rank_correlation,
                variance_share: (sd > 0.0).then(|| (alone / sd).powi(2)),
                low,
                high,
                input,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.swing().abs().total_cmp(&a.swing().abs()));
    Tornado {
        base,
        rows,
        sd,
        sd_at_medians,
    }
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
