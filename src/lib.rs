//! # gallerysim
//!
//! A planning simulator for what an Azure Lab Services image gallery (Azure Compute Gallery)
//! costs: exports of lab templates into image versions, replication of every version across
//! regions, retention, and the storage and egress they are billed for.
//!
//! ## Data flow
//!
//! ```text
//! scenario.toml --scenario::raw--> RawScenario --scenario::validate--> Scenario
//!        Scenario --montecarlo (rayon, one model::simulate_run per run)--> RunOutput per run
//!        RunOutputs --reduced in run order--> montecarlo::Results
//!        Results --report::csv / report::terminal--> files and text
//! ```
//!
//! - [`engine`] is domain-free: integer time, events ordered by (time, sequence), lazy
//!   cancellation. It knows nothing about galleries.
//! - [`model`] gives events their meaning (export requested, version created, copy completed)
//!   and records quantities and costs into a [`model::Ledger`] by billing month and
//!   (gallery, region), integrating storage between events.
//! - [`rules`] (eligibility) and the [`catalog`] price book are pure data and functions.
//! - [`report`] only consumes [`montecarlo::Results`]; it never reaches into the model.
//!
//! ## Determinism
//!
//! Every random draw comes from a ChaCha8 stream keyed by (run seed, image, purpose); run
//! seeds derive from the master seed by SplitMix64. Runs execute in parallel but are reduced
//! serially in run order, so the same scenario and seed give byte-identical outputs at any
//! thread count.
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
