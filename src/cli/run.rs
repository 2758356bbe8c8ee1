//! `run`, `check` and `regions`.

use std::path::{Path, PathBuf};

use super::{
    out_dir, usage, BudgetArgs, GalleryImportArgs, GenerateArgs, ImportArgs, MergeArgs, Outcome,
    RunArgs, Runner, SimArgs,
};
use crate::analysis::budget::{self, Assessment};
use crate::analysis::headline::Headline;
use crate::catalog::{import, Regions};
use crate::error::Error;
use crate::montecarlo::Results;
use crate::report;
use crate::scenario::{Override, Scenario};
use crate::shard::{self, Shard};

pub(super) fn run(args: RunArgs) -> Result<Outcome, Error> {
    check_gate_args(&args.budget)?;
    if let Some(shard) = args.shard {
        return run_shard(&args, shard);
    }
    let runner = Runner::new(&args.sim)?;
    let (scenario, stem) = runner.load(args.scenario.as_deref(), &args.sim)?;
    let staging = out_dir(&args.sim, &stem)?;
    runner.expect_runs(u64::from(scenario.runs));
    let results = runner.simulate(&scenario);
    runner.finish();
    // The files are rendered in parallel too, on the same threads.
    runner.install(|| {
        write_run(
            &scenario,
            &results,
            &args.budget,
            staging,
            args.sim.quiet,
            args.sim.verbose,
        )
    })
}

/// Writes every file of a run (and its report) into `staging`'s folder: shared by `run` and
/// `merge`.
fn write_run(
    scenario: &Scenario,
    results: &Results,
    budget_args: &BudgetArgs,
    staging: report::Staging,
    quiet: bool,
    verbose: bool,
) -> Result<Outcome, Error> {
    let budget = budget_args.budget();
    let assessment = (!budget.is_empty()).then(|| budget::assess(results, &budget));
    let headline = Headline::of(results);
    let report = |verbose| {
        let mut doc = report::view::run(scenario, results, &headline, verbose);
        if let Some(a) = &assessment {
            doc.extend(report::view::budget(scenario, a));
        }
        doc
    };
    let files = report::render(scenario, results, &headline, &budget, &staging, |files| {
        files.push(report::csv::prices_used_file(&[(
            scenario.name.clone(),
            scenario,
            results,
        )])?);
        if let Some(a) = &assessment {
            files.push(report::csv::budget_file(&[(
                scenario.name.clone(),
                scenario,
                a,
            )])?);
        }
        // The HTML report lists everything.
        let html = report::html::report(scenario, results, &headline, files, &report(true));
        files.push(html);
        Ok(())
    })?;
    let written = staging.commit(&files)?;
    let stdout = match quiet {
        true => String::new(),
        false => report(verbose).text() + &report::view::wrote(&written),
    };
    Ok(gate(
        stdout,
        budget_args,
        assessment.iter().map(|a| (scenario.name.as_str(), a)),
    ))
}

/// `run --shard K/N`: simulates the shard's block of runs into one partial file in `--out`.
fn run_shard(args: &RunArgs, shard: Shard) -> Result<Outcome, Error> {
    let Some(dir) = &args.sim.out else {
        return Err(usage(
            "--shard",
            "needs --out DIR: the folder (often shared by all shards) that receives the partial file",
        ));
    };
    let runner = Runner::new(&args.sim)?;
    let (scenario, _) = runner.load(args.scenario.as_deref(), &args.sim)?;
    // Checked before the simulation, so that a bad --out costs nothing.
    report::output::check_writable_folder(dir, "--out")?;
    let range = shard.runs(scenario.runs);
    runner.expect_runs(u64::from(range.end - range.start));
    let accumulator = runner.simulate_runs(&scenario, range);
    runner.finish();
    // The text and catalog exactly as validated (not read again: they could have changed).
    let body = shard::Body {
        scenario_text: scenario.text.clone(),
        catalog: scenario.catalog.as_deref().cloned(),
        budget: shard::BudgetOptions {
            monthly: args.budget.budget_monthly,
            total: args.budget.budget_total,
            fail_over: args.budget.fail_over,
        },
        accumulator,
    };
    let label = args
        .scenario
        .as_deref()
        .map_or(crate::scenario::DEFAULT_SCENARIO_NAME.to_string(), |p| {
            p.display().to_string()
        });
    let bytes = shard::encode(shard, &label, scenario.seed, scenario.runs, &body);
    let path = dir.join(shard.file_name());
    report::write_atomic(&path, &bytes)?;
    Ok(Outcome::text(if args.sim.quiet {
        String::new()
    } else {
        format!(
            "shard {shard}: {} -> {}\n",
            shard.describe(scenario.runs),
            path.display()
        )
    }))
}

/// `merge`: checks the partials and writes exactly the files of one `run`. The partials are
/// read one at a time (see [`shard::merge`]); the scenario is validated again from their text
/// and catalog, and no file but the outputs is written.
pub(super) fn merge(args: MergeArgs) -> Result<Outcome, Error> {
    let out = report::Staging::new(&args.out)?;
    let files = shard::collect(&args.partials)?;
    let merged = shard::merge(&files)?;
    let budget_args = BudgetArgs {
        budget_monthly: merged.budget.monthly,
        budget_total: merged.budget.total,
        fail_over: merged.budget.fail_over,
    };
    write_run(
        &merged.scenario,
        &merged.results,
        &budget_args,
        out,
        args.quiet,
        args.verbose,
    )
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

pub(super) fn check(
    path: &Path,
    set: Vec<Override>,
    prices: Option<PathBuf>,
    verbose: bool,
) -> Result<String, Error> {
    let sim = SimArgs {
        quiet: true,
        set,
        prices,
        ..SimArgs::default()
    };
    // The work check sees the scenario's own runs; the status shown needs the detailed run
    // alone.
    let runner = Runner::new(&sim)?;
    let (scenario, _) = runner.load(Some(path), &sim)?;
    runner.expect_runs(1);
    let results = runner.simulate_runs(&scenario, 0..1).finish(&scenario);
    Ok(report::view::check(&scenario, &results, verbose).text())
}

pub(super) fn regions(geography: Option<&str>) -> Result<String, Error> {
    let catalog = Regions::bundled();
    let resolved = match geography {
        Some(g) => Some(catalog.geography_named(g).ok_or_else(|| {
            let mut names: Vec<&str> = catalog.iter().map(|(_, r)| r.geography.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            usage(
                "GEOGRAPHY",
                format!(
                    "unknown geography `{g}`; known: {} (and us, eu, uk)",
                    names.join(", ")
                ),
            )
        })?),
        None => None,
    };
    Ok(report::view::regions(catalog, resolved.as_deref()).text())
}

pub(super) fn import_prices(args: ImportArgs) -> Result<String, Error> {
    let options = import::Options {
        include_zero: args.include_zero,
    };
    // One page in memory at a time: each is read, folded into the import and dropped.
    let mut importer = import::Importer::new(Regions::bundled(), options);
    for path in &args.pages {
        let text = crate::error::read_input_named(path, "read the page")?;
        importer.add_page(&path.display().to_string(), &text)?;
    }
    let imported = importer.finish()?;
    if imported.catalog.rows.is_empty() {
        let mut message = "no price the simulator needs was found in these pages (see README, \"Refreshing prices\")".to_string();
        if !imported.rejected.is_empty() {
            message.push_str("; the items of needed meters were all rejected:");
            for rejection in imported.rejected.iter().take(20) {
                message.push_str("\n  - ");
                message.push_str(rejection);
            }
            if imported.rejected.len() > 20 {
                let more = imported.rejected.len() - 20;
                message.push_str(&format!("\n  - ... and {more} more"));
            }
        }
        return Err(usage("PAGES", message));
    }
    report::output::write_new_file(
        &args.out,
        &imported.catalog.to_csv(),
        &args.pages,
        args.force,
        "--out",
    )?;
    Ok(report::view::imported(&imported, &args.out))
}

pub(super) fn import_gallery(args: GalleryImportArgs) -> Result<String, Error> {
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = crate::error::read_input_named(path, "read the file")?;
        files.push((path.display().to_string(), text));
    }
    let regions = Regions::bundled();
    let inventory = crate::inventory::read(&files, regions)?;
    drop(files);
    let options = crate::inventory::ImportOptions {
        name: None,
        start: args.start,
        months: Some(args.months),
        used_gb: args.used_gb,
    };
    let written = inventory.to_scenario_toml(regions, &options)?;
    // What is written runs as is: validated before it is written.
    let out = args.out.display().to_string();
    let scenario = Scenario::parse(&written.text, &out)?;
    report::output::write_new_file(
        &args.out,
        written.text.as_bytes(),
        &args.files,
        args.force,
        "--out",
    )?;
    Ok(report::view::gallery_imported(&scenario, &written, &out))
}

pub(super) fn generate(args: GenerateArgs) -> Result<String, Error> {
    let spec = crate::generate::FleetSpec {
        labs: args.labs,
        geographies: args.geographies,
        months: args.months,
        runs: args.runs,
        seed: args.seed,
    };
    let text = crate::generate::fleet(&spec).map_err(|e| usage("--geographies", e))?;
    // Never write a file that `run` would reject: validate it and estimate its work first.
    let scenario = crate::scenario::Scenario::parse(&text, "generated fleet")?;
    crate::work::check("run", &[&scenario], 1, crate::scenario::Work::MAX_EVENTS).map_err(
        |e| {
            usage(
                "--labs",
                format!("the generated fleet would be refused by run: {e}; generate fewer --labs, --months or --runs"),
            )
        },
    )?;
    match &args.out {
        None => Ok(text),
        Some(path) => {
            report::output::write_new_file(path, text.as_bytes(), &[], args.force, "--out")?;
            Ok(format!("Wrote {} ({} labs)\n", path.display(), spec.labs))
        }
    }
}
