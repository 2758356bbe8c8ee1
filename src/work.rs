//! The work check: absurd work is refused before it starts, with the estimate and how to
//! lower it. The estimate of one simulation is [`Scenario::work`]; this module counts the
//! simulations each command makes (a comparison or a tornado reuses runs, re-simulating only
//! the images that change) and sets the total against the limit.

use std::collections::BTreeSet;

use crate::analysis::{incremental, sensitivity};
use crate::scenario::{Scenario, Work};

/// Why a command's work is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkError {
    /// One run of `scenario` makes more version copies than `versions.csv` can list.
    #[error("{scenario}: one run makes about {copies:.2e} version copies, more than the {:.0e} that versions.csv can list; lower scenario.months or the export frequency", Work::MAX_DETAILED_COPIES)]
    Copies {
        /// The scenario's name.
        scenario: String,
        /// Estimated copies of its detailed run.
        copies: f64,
    },
    /// The command's engine events exceed the limit.
    #[error("{scenario}: `{command}` is about {events:.2e} engine events ({shape}), more than the limit of {limit:.2e}; {lower} scenario.months, the export frequency (a larger every_days, a smaller per_month), the deployment waves (fewer VMs or dates) or retarget entries, or raise the limit with --max-events")]
    Events {
        /// The first scenario's name.
        scenario: String,
        /// The command.
        command: &'static str,
        /// Estimated engine events.
        events: f64,
        /// How they add up, e.g. `100 runs x 1.2e6 per run`.
        shape: String,
        /// The limit.
        limit: f64,
        /// What the command can lower first.
        lower: &'static str,
    },
}

impl WorkError {
    /// The input to blame: the scenario, or the `--max-events` limit.
    pub fn key(&self) -> &'static str {
        match self {
            WorkError::Copies { .. } => "scenario",
            WorkError::Events { .. } => "--max-events",
        }
    }
}

/// Refuses a `command` that simulates each of `scenarios` `simulations` times (compare,
/// sweep and tornado simulate many times; a sweep of prices once) above `limit` engine
/// events, or a scenario whose detailed run makes more copies than `versions.csv` can list.
pub fn check(
    command: &'static str,
    scenarios: &[&Scenario],
    simulations: u64,
    limit: f64,
) -> Result<(), WorkError> {
    let works: Vec<Work> = scenarios.iter().map(|s| s.work()).collect();
    for (scenario, work) in scenarios.iter().zip(&works) {
        if work.detailed_copies > Work::MAX_DETAILED_COPIES {
            return Err(WorkError::Copies {
                scenario: scenario.name.clone(),
                copies: work.detailed_copies,
            });
        }
    }
    let per_simulation: f64 = works.iter().map(|w| w.events).sum();
    let events = per_simulation * simulations as f64;
    // Not `events <= limit`: an estimate that is not a number is not refused.
    if !(events > limit) {
        return Ok(());
    }
    let first = scenarios[0];
    let runs = first.runs;
    let shape = match (command, scenarios.len(), simulations) {
        ("run", 1, 1) => format!(
            "{runs} runs x {:.2e} per run",
            per_simulation / f64::from(runs)
        ),
        (_, 1, n) => format!(
            "{n} simulations of {runs} runs x {:.2e} per run",
            per_simulation / f64::from(runs)
        ),
        (_, k, n) => format!("{k} scenarios x {n} simulation(s), {runs} runs each"),
    };
    let lower = match command {
        "tornado" => "lower --runs, or the number of uncertain inputs (fixed values for used_gb, export and replication hours), or",
        "sweep" => "sweep fewer values, lower --runs, or",
        "compare" => "compare fewer variants, lower --runs, or",
        _ => "lower --runs,",
    };
    Err(WorkError::Events {
        scenario: first.name.clone(),
        command,
        events,
        shape,
        limit,
        lower,
    })
}

/// The work check of a comparison: `changed` holds, for each scenario after the first, the
/// images it changes when its runs can reuse the first's (None: it is simulated in full).
/// Reused, the first is simulated once and each other's changed images twice (the variant,
/// and the first's to take away); otherwise every scenario once.
pub fn check_compare(
    scenarios: &[&Scenario],
    changed: &[Option<Vec<usize>>],
    limit: f64,
) -> Result<(), WorkError> {
    match changed.iter().all(Option::is_some) {
        true => {
            let changed: Vec<Vec<usize>> = changed.iter().flatten().cloned().collect();
            let first = scenarios[0];
            check(
                "compare",
                &[first],
                incremental::simulations_reusing(first, &changed),
                limit,
            )
        }
        false => check("compare", scenarios, 1, limit),
    }
}

/// The work check of a tornado over `inputs`: the scenario as is and at its medians in full;
/// each input's three variants re-simulate only its images, and each image once more for the
/// medians (to take it away); a group of many images, or runs too big to keep, the whole
/// scenario.
pub fn check_tornado(
    scenario: &Scenario,
    inputs: &[sensitivity::Input],
    limit: f64,
) -> Result<(), WorkError> {
    let keep = incremental::can_keep(scenario);
    let (mut reused, mut taken) = (0.0, BTreeSet::new());
    let mut simulations = 2;
    for input in inputs {
        match incremental::share(scenario, &input.images) {
            s if keep && s <= incremental::MAX_CHANGED_SHARE => {
                reused += 3.0 * s;
                taken.extend(input.images.iter().copied());
            }
            _ => simulations += 3,
        }
    }
    let taken: Vec<usize> = taken.into_iter().collect();
    reused += incremental::share(scenario, &taken);
    check(
        "tornado",
        &[scenario],
        simulations + incremental::whole(reused),
        limit,
    )
}
