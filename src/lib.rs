//! # gallerysim
//!
//! A planning simulator for what an Azure Lab Services image gallery (Azure Compute Gallery)
//! costs: exports of lab templates into image versions, replication of every version across
//! regions, retention, and the storage and egress they are billed for.
//!
//! ## Data flow
//!
//! ```text
//! scenario.toml, catalog --scenario::Inputs::read (read once, at the edge)--> Inputs
//!     Inputs + Overrides (--set, --runs, --seed) --Scenario::build (pure)--> Scenario
//!         (scenario::raw: RawScenario, serde mirror; scenario::validate: typed, resolved)
//!     Scenario --model::simulate_run (parts of a run in parallel)--> RunOutput (usage, never money)
//!     RunOutput --pricing::Pricer--> PricedRun --montecarlo::Accumulator (exact sums)--> Results
//!     Results --analysis (headline, budget, compare, sweep, tornado, advise)--> figures
//!     figures --report::view--> report::doc::Doc --> terminal text, report.html; report::csv, charts
//! ```
//!
//! - [`engine`] is domain-free: integer time, events ordered by (time, sequence), lazy
//!   cancellation. It knows nothing about galleries.
//! - [`model`] gives events their meaning (export requested, version created, copy completed)
//!   and measures [`model::Usage`]: quantities per billing month and usage line, per
//!   [`model::Component`]. [`pricing`] multiplies them by a price book afterwards.
//! - [`work`] refuses absurd work before it starts, from the estimate of each simulation.
//! - [`rules`] (eligibility) and the [`catalog`] price book are pure data and functions.
//! - [`report`] only prints what [`analysis`] computed from [`montecarlo::Results`]; it never
//!   reaches into the model.
//! - `docs/architecture.md` is the one-page design, with a walkthrough of adding a component.
//!
//! ## Determinism
//!
//! Every random draw comes from a ChaCha8 stream keyed by (run seed, image, purpose); run
//! seeds derive from the master seed by SplitMix64. Runs execute in parallel and are
//! accumulated with exact sums ([`stats::ExactSum`]) and per-run figures ordered by run
//! number, so the same scenario and seed give byte-identical outputs at any thread count,
//! any split of the runs and any split of a run.
//!
//! ## Example
//!
//! ```
//! use gallerysim::scenario::Scenario;
//!
//! let text = r#"
//! [scenario]
//! name = "one image, one region"
//! start = "2026-09-01"
//! months = 1
//!
//! [[gallery]]
//! name = "g"
//! region = "westeurope"
//!
//! [[account]]
//! name = "plan"
//! gallery = "g"
//! region = "westeurope"
//! kind = "lab_plan"
//!
//! [[image]]
//! name = "img"
//! account = "plan"
//! os_disk_gb = 127
//! used_gb = 40
//! export_hours = 0
//! "#;
//! let scenario = Scenario::parse(text, "example.toml").unwrap();
//! let results = gallerysim::montecarlo::simulate(&scenario, &|| {});
//! // 40 GB x $0.05 per GB-month for one full month.
//! assert!((results.runs[0].totals.total_cost - 2.0).abs() < 1e-9);
//! ```

#![warn(missing_docs)]
#![allow(clippy::neg_cmp_op_on_partial_ord)] // `!(x > 0.0)` is deliberate: it rejects NaN too.

pub mod analysis;
pub mod bill;
pub mod calendar;
pub mod catalog;
pub mod cli;
pub mod engine;
pub mod error;
pub mod generate;
pub mod inventory;
pub mod model;
pub mod montecarlo;
pub mod pricing;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod work;
