//! `run`, `check` and `regions`.

use std::path::Path;

use super::{load, out_dir, usage, BudgetArgs, Outcome, RunArgs, Runner, SimArgs};
use crate::analysis::budget::{self, Assessment};
use crate::catalog::Regions;
use crate::error::Error;
use crate::report;
use crate::scenario::Override;

pub(super) fn run(args: RunArgs) -> Result<Outcome, Error> {
    let budget = args.budget.budget();
    check_gate_args(&args.budget)?;
    let (scenario, stem) = load(args.scenario.as_deref(), &args.sim)?;
    let out = out_dir(&args.sim, &stem)?;
    let runner = Runner::new(&args.sim, u64::from(scenario.runs))?;
    let results = runner.simulate(&scenario);
    runner.finish();

    let assessment = (!budget.is_empty()).then(|| budget::assess(&results, &budget));
    let mut files = report::render(&scenario, &results, &budget)?;
    if let Some(a) = &assessment {
        files.push(report::csv::budget_file(&[(
            scenario.name.clone(),
            &scenario,
            a,
        )])?);
    }
    let written = report::write_all(&out, &files)?;
    let mut stdout = String::new();
    if !args.sim.quiet {
        stdout = report::terminal::render(&scenario, &results, &written);
        if let Some(a) = &assessment {
            stdout.push_str(&report::terminal::budget(&scenario, a));
        }
    }
    Ok(gate(
        stdout,
        &args.budget,
        assessment.iter().map(|a| (scenario.name.as_str(), a)),
    ))
}

/// `--fail-over` needs a budget to test.
pub(super) fn check_gate_args(args: &BudgetArgs) -> Result<(), Error> {
    if args.fail_over.is_some() && args.budget().is_empty() {
        return Err(usage(
            "--fail-over",
            "needs --budget-monthly or --budget-total to test against",
        ));
    }
    Ok(())
}

/// Applies the `--fail-over` gate: exit code 3 when any scenario's probability of exceeding
/// its budget is above the threshold.
pub(super) fn gate<'a>(
    stdout: String,
    args: &BudgetArgs,
    assessments: impl Iterator<Item = (&'a str, &'a Assessment)>,
) -> Outcome {
    let mut outcome = Outcome::text(stdout);
    let Some(threshold) = args.fail_over else {
        return outcome;
    };
    for (name, a) in assessments {
        if a.p_exceed > threshold {
            outcome.code = 3;
            outcome.stderr.push_str(&format!(
                "budget gate failed: {name} exceeds its budget with probability {:.3}, above --fail-over {threshold}\n",
                a.p_exceed
            ));
        }
    }
    outcome
}

pub(super) fn check(path: &Path, set: &[Override]) -> Result<String, Error> {
    let sim = SimArgs {
        runs: Some(1),
        quiet: true,
        set: set.to_vec(),
        ..SimArgs::default()
    };
    let (scenario, _) = load(Some(path), &sim)?;
    let runner = Runner::new(&sim, 1)?;
    let results = runner.simulate(&scenario);
    Ok(report::terminal::check(&scenario, &results))
}

pub(super) fn regions(geography: Option<&str>) -> Result<String, Error> {
    let catalog = Regions::bundled();
    if let Some(g) = geography {
        if !catalog
            .iter()
            .any(|(_, r)| r.geography.eq_ignore_ascii_case(g))
        {
            let mut names: Vec<&str> = catalog.iter().map(|(_, r)| r.geography.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            return Err(usage(
                "GEOGRAPHY",
                format!("unknown geography `{g}`; known: {}", names.join(", ")),
            ));
        }
    }
    Ok(report::terminal::regions(catalog, geography))
}
