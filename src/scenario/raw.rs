//! The serde mirror of a scenario file: structure and key names only, unknown keys rejected.
//! Values that take several shapes (distributions, dates, number-or-table) stay as
//! `toml::Value` here and are checked with precise messages in `scenario::validate`.
//! Key meanings are documented in README.md ("Scenario files") and the contract.
#![allow(missing_docs)]

use serde::Deserialize;

pub use crate::catalog::prices::{StorageBilling, StorageType};
use toml::Value;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub prices: RawPrices,
    #[serde(default)]
    pub rules: RawRules,
    #[serde(default)]
    pub gallery: Vec<RawGallery>,
    #[serde(default)]
    pub account: Vec<RawAccount>,
    #[serde(default)]
    pub image: Vec<RawImage>,
    #[serde(default)]
    pub lab: Vec<RawLab>,
    #[serde(default)]
    pub deployment: Vec<RawDeployment>,
}

/// `[[deployment]]`: a wave of VM creations from an image in one region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeployment {
    pub name: String,
    pub image: String,
    pub region: String,
    pub vms: i64,
    pub at: Value,
    pub create_minutes: Option<Value>,
    pub target_minutes: Option<Value>,
}

/// `[scenario]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: String,
    pub start: Value,
    pub months: i64,
    pub seed: Option<i64>,
    pub runs: Option<i64>,
    pub currency: Option<String>,
    pub storage_billing: Option<StorageBilling>,
    pub billing_months: Option<crate::calendar::BillingMonths>,
}

/// `[prices]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawPrices {
    pub catalog: Option<String>,
    pub snapshot_gb_month: Option<Value>,
    pub premium_snapshot_gb_month: Option<Value>,
    pub managed_disk_month: Option<toml::Table>,
    pub egress_intra_continent_gb: Option<Value>,
    pub egress_inter_continent_gb: Option<Value>,
}

/// `[rules]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub max_os_disk_gb: Option<f64>,
    pub vms_per_replica: Option<i64>,
    pub lab_services_retirement: Option<Value>,
}

/// `[[gallery]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGallery {
    pub name: String,
    pub region: String,
    pub storage: Option<StorageType>,
    pub replicas: Option<Value>,
    pub keep_versions: Option<i64>,
    #[serde(default)]
    pub retarget: Vec<RawRetarget>,
    pub delete_on: Option<Value>,
}

/// `retarget = [{ on = DATE, regions = [...] }]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetarget {
    pub on: Value,
    pub regions: Vec<String>,
}

/// `moves = [{ on = DATE, account = NAME }]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMove {
    pub on: Value,
    pub account: String,
}

/// `[[account]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub name: String,
    pub gallery: String,
    pub region: String,
    pub kind: Option<AccountKind>,
    pub replicate_to: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    pub from: Option<Value>,
    pub until: Option<Value>,
}

/// What consumes a gallery's images, and so where versions are replicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// Classic lab account.
    #[default]
    LabAccount,
    /// Newer lab plan.
    LabPlan,
    /// Azure DevTest Labs: home region plus the regions of its labs.
    DevtestLab,
    /// Microsoft Dev Box: the regions of its network connections (`regions`).
    DevBox,
    /// Azure Virtual Desktop host pools: home plus `replicate_to`.
    Avd,
    /// Virtual machine scale sets: home plus `replicate_to`.
    Vmss,
}

impl AccountKind {
    /// Name as in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            AccountKind::LabAccount => "lab_account",
            AccountKind::LabPlan => "lab_plan",
            AccountKind::DevtestLab => "devtest_lab",
            AccountKind::DevBox => "dev_box",
            AccountKind::Avd => "avd",
            AccountKind::Vmss => "vmss",
        }
    }

    /// Whether it is an Azure Lab Services account, which ends at the retirement date.
    pub fn is_lab_services(self) -> bool {
        matches!(self, AccountKind::LabAccount | AccountKind::LabPlan)
    }
}

/// `[[image]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImage {
    pub name: String,
    pub account: String,
    pub os_disk_gb: f64,
    pub used_gb: Value,
    pub data_disks: Option<i64>,
    pub os_state: Option<RawOsState>,
    pub generation: Option<i64>,
    pub exports: Option<Value>,
    pub export_hours: Option<Value>,
    pub replication_hours: Option<Value>,
    #[serde(default)]
    pub moves: Vec<RawMove>,
    pub delete_on: Option<Value>,
}

/// `os_state` as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawOsState {
    Specialized,
    Generalized,
}

/// `[[lab]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLab {
    pub name: String,
    pub account: String,
    pub image: String,
    pub region: String,
    pub count: Option<i64>,
    pub students: Option<i64>,
    pub create: Option<Value>,
}
