//! The one integration test binary: topic modules over a shared harness.

mod analysis;
mod bad_input;
mod charts;
mod commands;
mod deployments;
mod determinism;
mod edges;
mod existing;
mod golden;
mod harness;
mod incremental;
mod inputs;
mod invariants;
mod lifecycle;
mod meters;
mod model;
mod prices;
mod reconcile;
mod report_model;
mod shards;
mod trust;
mod trust_catalog;
mod trust_shards;
mod worked_examples;
