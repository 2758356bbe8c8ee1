//! Eligibility rules for lab use (domain.md section 2): pure functions of an image's facts.
//!
//! An ineligible image is still stored, replicated and billed; it is only unusable by labs.

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
}

impl Reason {
    /// Stable code for CSVs.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::OsDiskOverLimit { .. } => "os_disk_over_limit",
            Reason::DataDisks { .. } => "has_data_disks",
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
    /// True when labs can use the image.
    pub fn eligible(&self) -> bool {
        self.reasons.is_empty()
    }

    /// The rules it breaks, in words, `; `-separated (empty when eligible).
    pub fn why(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(|r| r.to_string()).collect();
        reasons.join("; ")
    }
}

/// Applies the rules with the given OS-disk limit (128 GB by default).
pub fn evaluate(image: &ImageFacts, max_os_disk_gb: f64) -> Eligibility {
    let mut verdict = Eligibility::default();
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
    verdict
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
        }
    }

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
            let v = evaluate(&facts(os, data, generation), 128.0);
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
        assert!(evaluate(&f, 256.0).eligible());
        assert!(!evaluate(&f, 128.0).eligible());
    }
}
