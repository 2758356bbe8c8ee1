//! Eligibility rules per consumer (domain.md section 2, docs/azure-limits-research.md): pure
//! functions of an image's facts and of who consumes it.
//!
//! - Azure Lab Services lists only images with an OS disk under 128 GB and no data disks
//!   ("Images with more than 128 GB of disk space or multiple disks will not be shown",
//!   learn.microsoft.com/azure/lab-services/how-to-use-shared-image-gallery); both
//!   generalized and specialized images are accepted, and it exports only specialized ones.
//! - Microsoft Dev Box: "Generation 2", "Generalized VM image", "The image definition must have
//!   trusted launch enabled as the security type"
//!   (learn.microsoft.com/azure/dev-box/how-to-configure-azure-compute-gallery).
//! - Azure Virtual Desktop session hosts: a generalized image. Microsoft's documented path
//!   (learn.microsoft.com/azure/virtual-desktop/custom-image-templates: "Azure Image Builder
//!   also takes care of generalizing the image with sysprep") produces one; no page read states
//!   it as a requirement in so many words (see the research note).
//! - DevTest Labs and scale sets: no rule modelled (both accept either OS state).
//!
//! An image a consumer cannot use is still stored, replicated and billed.

use std::fmt;

/// Whether the image was generalized before capture (exports from labs are specialized).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsState {
    /// Exported from a lab template VM.
    Specialized,
    /// Typically uploaded outside Lab Services.
    Generalized,
}

impl OsState {
    /// Name as in the scenario file and CSVs.
    pub fn name(self) -> &'static str {
        match self {
            OsState::Specialized => "specialized",
            OsState::Generalized => "generalized",
        }
    }
}

/// The image definition's security type, as Azure names it (`securityType` feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityType {
    /// No Trusted Launch (`Standard`, the default before API 2025-03-03).
    #[default]
    Standard,
    /// `TrustedLaunch`.
    TrustedLaunch,
    /// `TrustedLaunchSupported`: VMs with or without Trusted Launch.
    TrustedLaunchSupported,
    /// `ConfidentialVM`.
    #[serde(rename = "confidential_vm")]
    ConfidentialVm,
    /// `ConfidentialVMSupported`.
    #[serde(rename = "confidential_vm_supported")]
    ConfidentialVmSupported,
    /// `TrustedLaunchAndConfidentialVmSupported`.
    TrustedLaunchAndConfidentialVmSupported,
}

impl SecurityType {
    /// Name as in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            SecurityType::Standard => "standard",
            SecurityType::TrustedLaunch => "trusted_launch",
            SecurityType::TrustedLaunchSupported => "trusted_launch_supported",
            SecurityType::ConfidentialVm => "confidential_vm",
            SecurityType::ConfidentialVmSupported => "confidential_vm_supported",
            SecurityType::TrustedLaunchAndConfidentialVmSupported => {
                "trusted_launch_and_confidential_vm_supported"
            }
        }
    }

    /// Whether VMs can be created from it with Trusted Launch enabled.
    pub fn trusted_launch(self) -> bool {
        matches!(
            self,
            SecurityType::TrustedLaunch
                | SecurityType::TrustedLaunchSupported
                | SecurityType::TrustedLaunchAndConfidentialVmSupported
        )
    }
}

/// Who consumes an image; each has its own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Consumer {
    /// Azure Lab Services (lab accounts and lab plans).
    LabServices,
    /// Microsoft Dev Box.
    DevBox,
    /// Azure Virtual Desktop host pools.
    Avd,
    /// DevTest Labs, scale sets: no rule modelled.
    Other,
}

impl Consumer {
    /// Name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Consumer::LabServices => "Lab Services",
            Consumer::DevBox => "Dev Box",
            Consumer::Avd => "Azure Virtual Desktop",
            Consumer::Other => "other consumers",
        }
    }
}

/// The facts about an image definition that the rules look at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageFacts {
    /// Provisioned OS disk size in GB.
    pub os_disk_gb: f64,
    /// Number of data disks.
    pub data_disks: u32,
    /// Specialized or generalized: both are accepted.
    pub os_state: OsState,
    /// Hyper-V generation, 1 or 2.
    pub generation: u8,
    /// Security type of the definition.
    pub security: SecurityType,
}

/// Why labs cannot use an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// The OS disk is larger than the limit.
    #[allow(missing_docs)]
    OsDiskOverLimit { os_disk_gb: f64, limit_gb: f64 },
    /// The image has data disks; labs only list single-disk images.
    #[allow(missing_docs)]
    DataDisks { count: u32 },
    /// A specialized image for a consumer that needs a generalized one (Dev Box, AVD).
    #[allow(missing_docs)]
    NotGeneralized { consumer: Consumer },
    /// Dev Box needs a Generation 2 image.
    NotGeneration2,
    /// Dev Box needs Trusted Launch as the definition's security type.
    #[allow(missing_docs)]
    NoTrustedLaunch { security: SecurityType },
}

impl Reason {
    /// Stable code for CSVs.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::OsDiskOverLimit { .. } => "os_disk_over_limit",
            Reason::DataDisks { .. } => "has_data_disks",
            Reason::NotGeneralized {
                consumer: Consumer::DevBox,
            } => "dev_box_needs_generalized",
            Reason::NotGeneralized { .. } => "avd_needs_generalized",
            Reason::NotGeneration2 => "dev_box_needs_generation_2",
            Reason::NoTrustedLaunch { .. } => "dev_box_needs_trusted_launch",
        }
    }

    /// The consumer whose rule it is.
    pub fn consumer(&self) -> Consumer {
        match self {
            Reason::OsDiskOverLimit { .. } | Reason::DataDisks { .. } => Consumer::LabServices,
            Reason::NotGeneralized { consumer } => *consumer,
            Reason::NotGeneration2 | Reason::NoTrustedLaunch { .. } => Consumer::DevBox,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::OsDiskOverLimit {
                os_disk_gb,
                limit_gb,
            } => write!(
                f,
                "OS disk of {os_disk_gb} GB is over the {limit_gb} GB limit: labs do not list it"
            ),
            Reason::DataDisks { count } => write!(
                f,
                "{count} data disk(s): labs only list images with a single (OS) disk"
            ),
            Reason::NotGeneralized { consumer } => write!(
                f,
                "specialized image: {} needs a generalized one (sysprep /generalize; Lab Services exports are specialized)",
                consumer.name()
            ),
            Reason::NotGeneration2 => write!(f, "generation 1 image: Dev Box needs generation 2"),
            Reason::NoTrustedLaunch { security } => write!(
                f,
                "security type {}: Dev Box needs Trusted Launch (trusted_launch or trusted_launch_supported)",
                security.name()
            ),
        }
    }
}

/// Something to check although the image is eligible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Warning {
    /// The OS disk is exactly at the limit, which the documentation words inconsistently.
    #[allow(missing_docs)]
    OsDiskAtLimit { limit_gb: f64 },
    /// Generation 2: import guides ask for generation 1 and Gen2 support is undocumented.
    Generation2,
}

impl Warning {
    /// Stable code for CSVs.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::OsDiskAtLimit { .. } => "os_disk_at_limit",
            Warning::Generation2 => "generation_2",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::OsDiskAtLimit { limit_gb } => write!(
                f,
                "OS disk is exactly {limit_gb} GB: Microsoft's pages say \"less than\", \"not greater than\" and \"up to\" {limit_gb} GB; counted as eligible, verify before relying on it"
            ),
            Warning::Generation2 => write!(
                f,
                "generation 2 image: lab import guides ask for generation 1 and Gen2/Trusted Launch support is not documented"
            ),
        }
    }
}

/// The verdict on one image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Eligibility {
    /// Every rule the image breaks; empty when eligible.
    pub reasons: Vec<Reason>,
    /// Cautions that do not make it ineligible.
    pub warnings: Vec<Warning>,
}

impl Eligibility {
    /// True when every consumer of the image can use it.
    pub fn eligible(&self) -> bool {
        self.reasons.is_empty()
    }

    /// True when `consumer` can use the image.
    pub fn usable_by(&self, consumer: Consumer) -> bool {
        self.reasons.iter().all(|r| r.consumer() != consumer)
    }

    /// The rules it breaks, in words, `; `-separated (empty when eligible).
    pub fn why(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(|r| r.to_string()).collect();
        reasons.join("; ")
    }
}

/// Applies the rules of each of `consumers` (the Lab Services ones with the given OS-disk
/// limit, 128 GB by default). An image nobody consumes breaks no rule.
pub fn evaluate(image: &ImageFacts, max_os_disk_gb: f64, consumers: &[Consumer]) -> Eligibility {
    let mut verdict = Eligibility::default();
    if consumers.contains(&Consumer::LabServices) {
        lab_services(image, max_os_disk_gb, &mut verdict);
    }
    if consumers.contains(&Consumer::DevBox) {
        if image.os_state != OsState::Generalized {
            verdict.reasons.push(Reason::NotGeneralized {
                consumer: Consumer::DevBox,
            });
        }
        if image.generation != 2 {
            verdict.reasons.push(Reason::NotGeneration2);
        }
        if !image.security.trusted_launch() {
            verdict.reasons.push(Reason::NoTrustedLaunch {
                security: image.security,
            });
        }
    }
    if consumers.contains(&Consumer::Avd) && image.os_state != OsState::Generalized {
        verdict.reasons.push(Reason::NotGeneralized {
            consumer: Consumer::Avd,
        });
    }
    verdict
}

/// Lab Services: OS disk under the limit, no data disks; Gen2 is a caution.
fn lab_services(image: &ImageFacts, max_os_disk_gb: f64, verdict: &mut Eligibility) {
    if image.os_disk_gb > max_os_disk_gb {
        verdict.reasons.push(Reason::OsDiskOverLimit {
            os_disk_gb: image.os_disk_gb,
            limit_gb: max_os_disk_gb,
        });
    } else if image.os_disk_gb == max_os_disk_gb {
        verdict.warnings.push(Warning::OsDiskAtLimit {
            limit_gb: max_os_disk_gb,
        });
    }
    if image.data_disks > 0 {
        verdict.reasons.push(Reason::DataDisks {
            count: image.data_disks,
        });
    }
    if image.generation == 2 {
        verdict.warnings.push(Warning::Generation2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(os_disk_gb: f64, data_disks: u32, generation: u8) -> ImageFacts {
        ImageFacts {
            os_disk_gb,
            data_disks,
            os_state: OsState::Specialized,
            generation,
            security: SecurityType::Standard,
        }
    }

    const LABS: &[Consumer] = &[Consumer::LabServices];

    #[test]
    fn rule_table() {
        // (os disk, data disks, generation) -> (eligible, reason codes, warning codes)
        type Case = (
            (f64, u32, u8),
            bool,
            &'static [&'static str],
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            ((127.0, 0, 1), true, &[], &[]),
            ((128.0, 0, 1), true, &[], &["os_disk_at_limit"]),
            ((128.5, 0, 1), false, &["os_disk_over_limit"], &[]),
            ((256.0, 0, 1), false, &["os_disk_over_limit"], &[]),
            ((64.0, 1, 1), false, &["has_data_disks"], &[]),
            (
                (256.0, 2, 2),
                false,
                &["os_disk_over_limit", "has_data_disks"],
                &["generation_2"],
            ),
            ((64.0, 0, 2), true, &[], &["generation_2"]),
        ];
        for &((os, data, generation), eligible, reasons, warnings) in cases {
            let v = evaluate(&facts(os, data, generation), 128.0, LABS);
            assert_eq!(v.eligible(), eligible, "{os} {data} {generation}");
            let codes: Vec<_> = v.reasons.iter().map(Reason::code).collect();
            assert_eq!(codes, reasons);
            let codes: Vec<_> = v.warnings.iter().map(Warning::code).collect();
            assert_eq!(codes, warnings);
        }
    }

    #[test]
    fn generalized_images_are_accepted_and_limit_is_configurable() {
        let mut f = facts(200.0, 0, 1);
        f.os_state = OsState::Generalized;
        assert!(evaluate(&f, 256.0, LABS).eligible());
        assert!(!evaluate(&f, 128.0, LABS).eligible());
    }

    #[test]
    fn successors_have_rules_of_their_own() {
        let lab_export = facts(127.0, 0, 1);
        let codes = |f: &ImageFacts, consumers: &[Consumer]| -> Vec<&'static str> {
            let v = evaluate(f, 128.0, consumers);
            v.reasons.iter().map(Reason::code).collect()
        };
        // A lab export (specialized, Gen1, Standard) moved to AVD and Dev Box.
        assert_eq!(
            codes(&lab_export, &[Consumer::Avd]),
            ["avd_needs_generalized"]
        );
        assert_eq!(
            codes(&lab_export, &[Consumer::DevBox]),
            [
                "dev_box_needs_generalized",
                "dev_box_needs_generation_2",
                "dev_box_needs_trusted_launch"
            ]
        );
        // DevTest Labs and scale sets: no rule; nobody consumes it: no rule.
        assert!(codes(&facts(500.0, 3, 1), &[Consumer::Other]).is_empty());
        assert!(codes(&facts(500.0, 3, 1), &[]).is_empty());
        // A Dev Box image: generalized, Gen2, Trusted Launch supported.
        let dev_box = ImageFacts {
            os_state: OsState::Generalized,
            generation: 2,
            security: SecurityType::TrustedLaunchSupported,
            ..facts(256.0, 0, 2)
        };
        assert!(codes(&dev_box, &[Consumer::DevBox, Consumer::Avd]).is_empty());
        // Its 256 GB disk keeps it from labs only: usable by Dev Box, not by Lab Services.
        let v = evaluate(&dev_box, 128.0, &[Consumer::LabServices, Consumer::DevBox]);
        assert!(!v.eligible());
        assert!(v.usable_by(Consumer::DevBox));
        assert!(!v.usable_by(Consumer::LabServices));
    }
}
