//! Lab status (contract "Lab status rules"): a pure function of the scenario and the
//! availability of version copies in one run.

use crate::catalog::RegionId;
use crate::engine::Time;
use crate::scenario::Scenario;

/// Why a lab is or is not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LabStatus {
    /// An eligible version is complete in the lab's region.
    Ready,
    /// The image breaks an eligibility rule.
    IneligibleImage,
    /// No version will ever be copied to the lab's region.
    NotReplicatedToRegion,
    /// No version reached the region before the horizon ended.
    NoVersion,
    /// The lab's account no longer runs labs when it is created (Lab Services retired).
    Retired,
}

impl LabStatus {
    /// Name as in `labs.csv`.
    pub fn name(self) -> &'static str {
        match self {
            LabStatus::Ready => "ready",
            LabStatus::IneligibleImage => "ineligible_image",
            LabStatus::NotReplicatedToRegion => "not_replicated_to_region",
            LabStatus::NoVersion => "no_version",
            LabStatus::Retired => "retired",
        }
    }
}

/// Status of one lab entry.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabOutcome {
    /// Status.
    pub status: LabStatus,
    /// When the lab could start (ready labs only).
    pub ready_at: Option<Time>,
    /// Hours from creation to ready (ready labs only).
    pub wait_hours: Option<f64>,
}

/// Status of every lab of `scenario` whose image is in `images`, in scenario order, from the
/// availability intervals `[available, deleted)` of the version copies at each (image, region)
/// place of one run.
pub fn outcomes<'a>(
    scenario: &Scenario,
    images: std::ops::Range<usize>,
    intervals: impl Fn(usize, RegionId) -> &'a [(u64, u64)],
) -> Vec<LabOutcome> {
    scenario
        .labs
        .iter()
        .filter(|lab| images.contains(&lab.image))
        .map(|lab| {
            let image = &scenario.images[lab.image];
            let not_ready = |status| LabOutcome {
                status,
                ready_at: None,
                wait_hours: None,
            };
            let account = &scenario.accounts[lab.account];
            if account.until.is_some_and(|u| lab.create >= u) {
                return not_ready(LabStatus::Retired);
            }
            if !image
                .eligibility
                .usable_by(crate::rules::Consumer::LabServices)
            {
                return not_ready(LabStatus::IneligibleImage);
            }
            if !image.targets.iter().any(|(r, _)| *r == lab.region) {
                return not_ready(LabStatus::NotReplicatedToRegion);
            }
            let create = lab.create;
            // The first moment, not before `create`, at which a copy is alive in the region.
            let ready = intervals(lab.image, lab.region)
                .iter()
                .filter(|&&(_, deleted)| deleted > create)
                .map(|&(available, _)| available.max(create))
                .min();
            match ready {
                Some(t) => LabOutcome {
                    status: LabStatus::Ready,
                    ready_at: Some(Time(t)),
                    wait_hours: Some(crate::calendar::ticks_to_hours(t - create)),
                },
                None => not_ready(LabStatus::NoVersion),
            }
        })
        .collect()
}
