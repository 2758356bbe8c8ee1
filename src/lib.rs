#![allow(clippy::neg_cmp_op_on_partial_ord)] // `!(x > 0.0)` is deliberate: it rejects NaN too.
//! gallerysim placeholder
pub mod calendar;
pub mod catalog;
pub mod cli;
pub mod engine;
pub mod error;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod stats;
