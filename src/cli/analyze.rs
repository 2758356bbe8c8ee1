//! `compare`, `sweep` and `tornado`: several simulations of related scenarios, all with the
//! first one's seed and runs so that they share random numbers run by run.

use super::run::{check_gate_args, gate};
use super::{
    build, check_work, file_stem, out_dir, usage, work_refused, AdviseArgs, CompareArgs, Outcome,
    Runner, SweepArgs, TornadoArgs,
};
use std::borrow::Cow;

use rayon::prelude::*;

use crate::analysis::{budget, compare as cmp, incremental, sensitivity};
use crate::error::Error;
use crate::montecarlo::Results;
use crate::report;
use crate::scenario::{Inputs, Override, Overrides, Scenario};
use crate::work;

/// Splits `--values` at the commas outside `{ }`, `[ ]` and quotes, so that inline tables
/// and arrays can be swept.
fn sweep_values(given: &[String]) -> Vec<String> {
    let mut values = Vec::new();
    for text in given {
        let (mut depth, mut quote, mut start) = (0i32, None, 0);
        for (i, c) in text.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '{' | '[') => depth += 1,
                (None, '}' | ']') => depth -= 1,
                (None, ',') if depth == 0 => {
                    values.push(text[start..i].trim().to_string());
                    start = i + 1;
                }
                _ => {}
            }
        }
        values.push(text[start..].trim().to_string());
    }
    values
}

/// Parses `NAME:PATH=VALUE` variants, grouping the overrides of each name in order.
fn variants(specs: &[String]) -> Result<Vec<(String, Vec<Override>)>, Error> {
    let mut grouped: Vec<(String, Vec<Override>)> = Vec::new();
    for spec in specs {
        let (name, set) = spec
            .split_once(':')
            .filter(|(n, _)| !n.trim().is_empty())
            .ok_or_else(|| usage("--variant", format!("`{spec}`: expected NAME:PATH=VALUE")))?;
        crate::error::check_name(name)
            .map_err(|e| usage("--variant", format!("a variant name {e}")))?;
        let o = Override::parse(set).map_err(|e| usage("--variant", e))?;
        match grouped.iter_mut().find(|(n, _)| n == name.trim()) {
            Some((_, list)) => list.push(o),
            None => grouped.push((name.trim().to_string(), vec![o])),
        }
    }
    for (name, overrides) in &grouped {
        crate::scenario::overrides::distinct(overrides)
            .map_err(|e| usage("--variant", format!("variant `{name}`: {e}")))?;
    }
    Ok(grouped)
}

/// Most values of one `sweep`.
const MAX_SWEEP_VALUES: usize = 1_000;
/// Most scenarios and variants of one `compare`.
const MAX_COMPARED: usize = 100;

pub(super) fn compare(args: CompareArgs) -> Result<Outcome, Error> {
    check_gate_args(&args.budget)?;
    if args.scenarios.len() + args.variant.len() > MAX_COMPARED {
        return Err(usage(
            "--variant",
            format!("compare takes at most {MAX_COMPARED} scenarios and variants together (each is held in memory and simulated)"),
        ));
    }
    let first_path = &args.scenarios[0];
    let runner = Runner::new(&args.sim)?;
    let overrides = args.sim.overrides();
    let mut scenarios: Vec<(String, Scenario)> = Vec::new();
    // Each file's inputs, read once; a variant's are the first file's (with the catalog it
    // names, if it names another).
    let mut read: Vec<Inputs> = Vec::new();
    for path in &args.scenarios {
        let inputs = args.sim.inputs(Some(path))?;
        let scenario = runner.install(|| build(&inputs, &overrides, &args.sim))?;
        let mut label = file_stem(path);
        let mut n = scenarios.len() + 1;
        while scenarios.iter().any(|(l, _)| *l == label) {
            label = format!("{}-{n}", file_stem(path));
            n += 1;
        }
        scenarios.push((label, scenario));
        read.push(inputs);
    }
    let mut variants_read: Vec<(Cow<Inputs>, Overrides)> = Vec::new();
    for (name, set) in variants(&args.variant)? {
        if scenarios.iter().any(|(l, _)| *l == name) {
            return Err(usage("--variant", format!("`{name}` names two scenarios")));
        }
        let variant = overrides.and_set(set);
        let inputs = read[0].with_named(&variant.set);
        let scenario = runner.install(|| build(&inputs, &variant, &args.sim))?;
        scenarios.push((name, scenario));
        variants_read.push((inputs, variant));
    }
    if scenarios.len() < 2 {
        return Err(usage(
            "SCENARIOS",
            "compare needs at least two scenario files, or one file and a --variant",
        ));
    }
    cmp::comparable(&scenarios).map_err(|e| usage("SCENARIOS", e))?;
    // Common random numbers: every scenario runs with the first one's seed and runs.
    let sources = (read.iter().map(|inputs| (inputs, &overrides)))
        .chain(variants_read.iter().map(|(inputs, o)| (inputs.as_ref(), o)));
    let mut notice = String::new();
    for (i, (inputs, overrides)) in sources.enumerate().skip(1) {
        let (first, own) = (&scenarios[0].1, &scenarios[i].1);
        if let Some(aligned) = runner.install(|| cmp::aligned(first, own, inputs, overrides))? {
            let (seed, runs) = (first.seed, first.runs);
            notice.push_str(&format!(
                "note: {} runs with the first scenario's seed {seed} and {runs} runs, so that all share random numbers\n",
                scenarios[i].0
            ));
            scenarios[i].1 = aligned;
        }
    }
    drop(variants_read);
    drop(read);
    // The first scenario's runs are kept; another that changes a few of its images
    // re-simulates only those (and the same images of the first, to take them away).
    let mut reuse = runner.install(|| incremental::Reuse::new(&scenarios[0].1));
    let planned: Vec<Option<incremental::Planned>> =
        runner.install(|| scenarios[1..].iter().map(|(_, s)| reuse.plan(s)).collect());
    let changed: Vec<Option<Vec<usize>>> = (planned.iter())
        .map(|p| p.as_ref().map(|p| p.images().to_vec()))
        .collect();
    let all: Vec<&Scenario> = scenarios.iter().map(|(_, s)| s).collect();
    let limit = args.sim.max_events()?;
    work::check_compare(&all, &changed, limit).map_err(work_refused)?;
    let out = out_dir(&args.sim, &format!("compare-{}", file_stem(first_path)))?;
    let total_runs = scenarios.iter().map(|(_, s)| u64::from(s.runs)).sum();
    runner.expect_runs(total_runs);
    let progress = || runner.progress.tick();
    let results: Vec<Results> = runner.install(|| {
        let mut results = vec![reuse.simulate_base(&progress)];
        for ((_, s), planned) in scenarios[1..].iter().zip(&planned) {
            results.push(reuse.simulate_planned(s, planned.as_ref(), &progress));
        }
        results
    });
    drop(reuse);
    runner.finish();

    let labelled: Vec<(String, &Results)> = scenarios
        .iter()
        .zip(&results)
        .map(|((label, _), r)| (label.clone(), r))
        .collect();
    let any_deployments = scenarios.iter().any(|(_, s)| !s.deployments.is_empty());
    let metrics = crate::analysis::metrics::metrics("", any_deployments);
    let rows = cmp::compare(&labelled, &metrics);
    let monthly = cmp::compare_monthly(&labelled);
    let first = &scenarios[0].1;
    let mut files = vec![
        report::csv::comparison_file(&rows)?,
        report::csv::comparison_monthly_file(first, &monthly)?,
    ];
    let budget = args.budget.budget();
    files.extend(report::analysis_chart::comparison(
        first, &labelled, &budget,
    )?);
    let priced: Vec<(String, &Scenario, &Results)> = scenarios
        .iter()
        .zip(&results)
        .map(|((l, s), r)| (l.clone(), s, r))
        .collect();
    files.push(report::csv::prices_used_file(&priced)?);
    let assessments: Vec<budget::Assessment> = if budget.is_empty() {
        Vec::new()
    } else {
        results.iter().map(|r| budget::assess(r, &budget)).collect()
    };
    if !assessments.is_empty() {
        let items: Vec<_> = scenarios
            .iter()
            .zip(&assessments)
            .map(|((label, s), a)| (label.clone(), s, a))
            .collect();
        files.push(report::csv::budget_file(&items)?);
    }
    let warnings = cmp::service_warnings(&rows, &scenarios[0].0);
    let mut doc = report::view::comparison(first, &rows);
    for ((_, s), a) in scenarios.iter().zip(&assessments) {
        doc.extend(report::view::budget(s, a));
    }
    let mut page = doc.clone();
    if !warnings.is_empty() {
        // On the page too; the terminal gets them on standard error.
        page.heading("Warnings:");
        for w in &warnings {
            page.item(w.clone());
        }
    }
    let labels: Vec<&str> = scenarios.iter().map(|(l, _)| l.as_str()).collect();
    let stdout = write_analysis(
        out,
        files,
        &format!("{} compared", labels.join(" vs ")),
        &texts(&priced),
        &priced,
        args.sim.quiet,
        (&page, &doc),
    )?;
    let mut outcome = gate(
        stdout,
        &args.budget,
        scenarios
            .iter()
            .map(|(l, _)| l.as_str())
            .zip(assessments.iter()),
    );
    outcome.stderr.insert_str(0, &notice);
    for w in warnings {
        outcome.stderr.push_str(&format!("warning: {w}\n"));
    }
    Ok(outcome)
}

pub(super) fn sweep(args: SweepArgs) -> Result<Outcome, Error> {
    let values = sweep_values(&args.values);
    if matches!(args.param.as_str(), "scenario.runs" | "scenario.seed") {
        return Err(usage(
            "--param",
            "every value of a sweep runs with the scenario's own runs and seed (common random numbers); use --runs or --seed instead",
        ));
    }
    if values.len() > MAX_SWEEP_VALUES {
        return Err(usage(
            "--values",
            format!(
                "{} values: a sweep takes at most {MAX_SWEEP_VALUES} (each is a scenario held in memory and simulated); sweep a coarser grid",
                values.len()
            ),
        ));
    }
    let runner = Runner::new(&args.sim)?;
    let inputs = args.sim.inputs(Some(&args.scenario))?;
    let base = runner.install(|| build(&inputs, &args.sim.overrides(), &args.sim))?;
    let stem = file_stem(&args.scenario);
    // Every value is validated as its own scenario text (errors point at its lines), with
    // the base's runs and seed; the values are independent, so they are validated in
    // parallel, in order.
    let common = args.sim.overrides().with_runs_seed(base.runs, base.seed);
    let variants: Vec<(String, Scenario)> = runner.install(|| {
        values
            .par_iter()
            .map(|value| {
                let o = Override::parse(&format!("{}={}", args.param, value))
                    .map_err(|e| usage("--param", e))?;
                let with = common.and_set([o]);
                let scenario = build(&inputs.with_named(&with.set), &with, &args.sim)?;
                Ok((value.clone(), scenario))
            })
            .collect::<Result<_, Error>>()
    })?;
    // A `[prices]` parameter changes no quantity: simulate once, price once per value. One
    // that changes a few images re-simulates only those, from the base's kept runs.
    let price_only = args.param.starts_with("prices.");
    let scenarios: Vec<&Scenario> = variants.iter().map(|(_, s)| s).collect();
    let (reuse, simulations) = match price_only {
        true => (None, 1),
        false => runner.install(|| incremental::plan_variants(&base, &scenarios)),
    };
    check_work("sweep", &[&base], simulations, &args.sim)?;
    let out = out_dir(&args.sim, &format!("sweep-{stem}"))?;
    let simulated = match price_only {
        true => 1,
        false => scenarios.len() + usize::from(reuse.is_some()),
    };
    runner.expect_runs(u64::from(base.runs) * simulated as u64);
    let results: Vec<Results> = match scenarios.first() {
        Some(first) if price_only => {
            let books: Vec<_> = scenarios.iter().map(|s| s.prices.clone()).collect();
            runner.simulate_priced(first, &books)
        }
        _ => {
            let progress = || runner.progress.tick();
            runner.install(|| incremental::simulate_variants(reuse, &scenarios, &progress))
        }
    };
    runner.finish();
    let results: Vec<(String, Results)> = variants
        .iter()
        .map(|(v, _)| v.clone())
        .zip(results)
        .collect();
    let rows = cmp::sweep_points(&results);
    let mut files = vec![report::csv::sweep_file(&rows)?];
    files.extend(report::analysis_chart::sweep(&base, &args.param, &rows)?);
    let priced: Vec<(String, &Scenario, &Results)> = variants
        .iter()
        .zip(&results)
        .map(|((v, s), (_, r))| (format!("{}={v}", args.param), s, r))
        .collect();
    files.push(report::csv::prices_used_file(&priced)?);
    let doc = report::view::sweep(&base, &args.param, &rows);
    let stdout = write_analysis(
        out,
        files,
        &format!("{}: total cost by {}", base.name, args.param),
        &texts(&priced),
        &priced,
        args.sim.quiet,
        (&doc, &doc),
    )?;
    Ok(Outcome::text(stdout))
}

pub(super) fn tornado(args: TornadoArgs) -> Result<Outcome, Error> {
    let runner = Runner::new(&args.sim)?;
    let (scenario, stem) = runner.load(Some(&args.scenario), &args.sim)?;
    let grouping = match args.per_image {
        true => sensitivity::Grouping::PerImage,
        false => sensitivity::Grouping::default_for(&scenario),
    };
    let inputs = sensitivity::inputs(&scenario, grouping);
    work::check_tornado(&scenario, &inputs, args.sim.max_events()?).map_err(work_refused)?;
    let out = out_dir(&args.sim, &format!("tornado-{stem}"))?;
    runner.expect_runs(u64::from(scenario.runs) * (2 + 3 * inputs.len() as u64));
    let original = runner.simulate(&scenario);
    let progress = || runner.progress.tick();
    let tornado = runner.install(|| {
        sensitivity::tornado(&scenario, &original, grouping, |medians| {
            incremental::Reusing::new(medians, &progress)
        })
    });
    runner.finish();
    let mut files = vec![
        report::csv::sensitivity_file(&tornado.rows)?,
        report::csv::prices_used_file(&[(scenario.name.clone(), &scenario, &original)])?,
    ];
    if !tornado.rows.is_empty() {
        files.extend(report::analysis_chart::tornado(&scenario, &tornado)?);
    }
    let doc = report::view::tornado(&scenario, &tornado);
    let stdout = write_analysis(
        out,
        files,
        &format!("{}: what drives the total cost", scenario.name),
        &[("Scenario".to_string(), &scenario)],
        &[("Scenario".to_string(), &scenario, &original)],
        args.sim.quiet,
        (&doc, &doc),
    )?;
    Ok(Outcome::text(stdout))
}

pub(super) fn advise(args: AdviseArgs) -> Result<Outcome, Error> {
    let target = crate::scenario::values::TARGET_MINUTES
        .check_arg(args.target_minutes)
        .map_err(|e| usage("--target-minutes", e))?;
    if !(args.percentile > 0.0 && args.percentile <= 100.0) {
        return Err(usage(
            "--percentile",
            format!("must be above 0 and at most 100 (got {})", args.percentile),
        ));
    }
    let runner = Runner::new(&args.sim)?;
    let (scenario, stem) = runner.load(Some(&args.scenario), &args.sim)?;
    if scenario.deployments.is_empty() {
        return Err(usage(
            "SCENARIO",
            "the scenario has no [[deployment]]: the advisor sizes replicas for deployment waves",
        ));
    }
    // Now, at most 50, about six bisection steps, and the advised counts.
    let simulations = 10;
    check_work("advise", &[&scenario], simulations, &args.sim)?;
    let out = out_dir(&args.sim, &format!("advise-{stem}"))?;
    runner.expect_runs(u64::from(scenario.runs) * simulations);
    let p = args.percentile / 100.0;
    let advice = crate::analysis::advise::advise(&scenario, target, p, |s| runner.simulate(s));
    runner.finish();
    let mut files = vec![report::csv::advice_file(&scenario, &advice)?];
    files.extend(report::analysis_chart::advice_frontier(
        &scenario, &advice, target, p,
    )?);
    let doc = report::view::advice(&scenario, &advice, target, p);
    let stdout = write_analysis(
        out,
        files,
        &format!("{}: replicas for deployment waves", scenario.name),
        &[("Scenario".to_string(), &scenario)],
        &[],
        args.sim.quiet,
        (&doc, &doc),
    )?;
    Ok(Outcome::text(stdout))
}

/// Writes an analysis command's folder: `files` and a `report.html` titled `title` (the
/// `page` report, the prices the `priced` results used, the `scenarios` behind it). Returns
/// the `terminal` report, naming the files written (empty when `quiet`).
#[allow(clippy::too_many_arguments)]
fn write_analysis(
    staging: report::Staging,
    mut files: Vec<report::OutputFile>,
    title: &str,
    scenarios: &[(String, &Scenario)],
    priced: &[(String, &Scenario, &Results)],
    quiet: bool,
    (page, terminal): (&report::doc::Doc, &report::doc::Doc),
) -> Result<String, Error> {
    files.push(report::html::analysis(
        title, page, &files, scenarios, priced,
    ));
    let written = staging.commit(&files)?;
    Ok(match quiet {
        true => String::new(),
        false => terminal.text() + &report::view::wrote(&written),
    })
}

/// The (label, scenario) pairs of priced results.
fn texts<'a>(priced: &[(String, &'a Scenario, &Results)]) -> Vec<(String, &'a Scenario)> {
    priced.iter().map(|(l, s, _)| (l.clone(), *s)).collect()
}
