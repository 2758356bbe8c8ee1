//! `reconcile`: the forecast checked against Cost Management exports, and the occupied sizes
//! calibrated from them.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{check_work, out_dir, usage, Outcome, Runner, SimArgs};
use crate::bill::{self, calibrate::scenario_replicas, Bill, Selection};
use crate::error::Error;
use crate::report;

/// Arguments of `gallerysim reconcile`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Output folder. Default: `output/reconcile-<scenario file stem>/`")))]
pub struct ReconcileArgs {
    /// Scenario file (with `billing_months = "calendar"`).
    pub scenario: PathBuf,
    /// Cost Management exports (CSV): EA/MCA actual or amortized cost details, or FOCUS.
    #[arg(long, value_name = "EXPORT", required = true, num_args = 1..)]
    pub bill: Vec<PathBuf>,
    /// Select the gallery's rows by this text in their resource id (case-insensitive;
    /// repeatable; replaces the default `/galleries/`).
    #[arg(long, value_name = "TEXT")]
    pub select_resource: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
}

pub(super) fn reconcile(args: ReconcileArgs) -> Result<Outcome, Error> {
    if let Some(empty) = args.select_resource.iter().find(|p| p.trim().is_empty()) {
        return Err(usage(
            "--select-resource",
            format!("`{empty}` would select every row; give a part of the gallery's resource ids, e.g. /galleries/"),
        ));
    }
    let runner = Runner::new(&args.sim)?;
    let (scenario, stem) = runner.load(Some(&args.scenario), &args.sim)?;
    if scenario.calendar.is_730h() {
        return Err(usage(
            "SCENARIO",
            "a bill is cut into calendar months: set `billing_months = \"calendar\"` in [scenario] (or --set scenario.billing_months=calendar) so the simulation's months are the bill's",
        ));
    }
    check_work("reconcile", &[&scenario], 1, &args.sim)?;
    let out = out_dir(&args.sim, &format!("reconcile-{stem}"))?;
    let selection = Selection::new(&args.select_resource);
    let paths: Vec<&Path> = args.bill.iter().map(PathBuf::as_path).collect();
    // The bills are read (and refused) before anything is simulated.
    let bill = runner.install(|| Bill::read(&scenario, &paths, &selection))?;
    runner.expect_runs(u64::from(scenario.runs));
    let (results, simulated) =
        runner.install(|| bill::simulate(&scenario, &|| runner.progress.tick()));
    runner.finish();
    let comparison = bill::compare(&scenario, &bill, &simulated);
    let calibration = bill::calibrate(
        &bill.version_uses(&scenario),
        &scenario.regions,
        scenario_replicas(&scenario),
    );
    let mut files = bill::output::files(&scenario, &comparison, &calibration)?;
    let doc = |verbose| {
        bill::output::doc(
            &scenario,
            &bill,
            &selection,
            &comparison,
            &calibration,
            verbose,
        )
    };
    let name = scenario.name.clone();
    files.push(report::html::analysis(
        &format!("{name}: reconciled with the bill"),
        &doc(true),
        &files,
        &[("Scenario".to_string(), &scenario)],
        &[(name, &scenario, &results)],
    ));
    let written = out.commit(&files)?;
    Ok(Outcome::text(match args.sim.quiet {
        true => String::new(),
        false => doc(args.sim.verbose).text() + &report::view::wrote(&written),
    }))
}
