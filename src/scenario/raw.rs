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
    #[serde(default)]
    pub version: Vec<RawVersion>,
}

/// `[[version]]`: a version of an image that exists at `start`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersion {
    pub image: String,
    pub name: String,
    pub published: Value,
    pub used_gb: Value,
    pub targets: toml::Table,
    pub storage: Option<Value>,
    pub exclude_from_latest: Option<bool>,
    pub end_of_life: Option<Value>,
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
    /// Whose eligibility rules apply to its images.
    pub fn consumer(self) -> crate::rules::Consumer {
        use crate::rules::Consumer;
        match self {
            AccountKind::LabAccount | AccountKind::LabPlan => Consumer::LabServices,
            AccountKind::DevBox => Consumer::DevBox,
            AccountKind::Avd => Consumer::Avd,
            AccountKind::DevtestLab | AccountKind::Vmss => Consumer::Other,
        }
    }

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
    pub account: Option<String>,
    pub gallery: Option<String>,
    pub replicas: Option<Value>,
    pub storage: Option<Value>,
    pub os_disk_gb: f64,
    pub used_gb: Value,
    pub data_disks: Option<i64>,
    pub os_state: Option<RawOsState>,
    pub generation: Option<i64>,
    pub security_type: Option<crate::rules::SecurityType>,
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

/// The pieces of a large file after its first piece: arrays of tables only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTail {
    #[serde(default)]
    gallery: Vec<RawGallery>,
    #[serde(default)]
    account: Vec<RawAccount>,
    #[serde(default)]
    image: Vec<RawImage>,
    #[serde(default)]
    lab: Vec<RawLab>,
    #[serde(default)]
    deployment: Vec<RawDeployment>,
    #[serde(default)]
    version: Vec<RawVersion>,
}

/// The arrays of tables, whose headers may start a piece.
const ARRAYS: [&str; 6] = [
    "gallery",
    "account",
    "image",
    "lab",
    "deployment",
    "version",
];

/// The tables.
const TABLES: [&str; 3] = ["scenario", "prices", "rules"];

/// Pieces of at least this many bytes: smaller ones cost more to start than they save.
const MIN_PIECE: usize = 64 * 1024;

/// Parses scenario text. A large file (a fleet of thousands of labs) is split into pieces at
/// its `[[image]]`, `[[lab]]`, ... headers, parsed in parallel, when the pieces are sure to mean
/// what the whole means (see `pieces`); if any piece fails, the whole is parsed, so errors
/// and their lines are always those of the whole file.
pub fn parse(text: &str) -> Result<RawScenario, toml::de::Error> {
    let pieces = pieces(text, 2 * rayon::current_num_threads(), MIN_PIECE);
    parse_in(text, &pieces).map_or_else(|| toml::from_str(text), Ok)
}

/// [`parse`] of `text` split at `pieces` (byte offsets where pieces start after the first);
/// None when a piece does not parse.
fn parse_in(text: &str, starts: &[usize]) -> Option<RawScenario> {
    use rayon::prelude::*;
    let (&first, _) = starts.split_first()?;
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let tails: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let (head, tails) = rayon::join(
        || toml::from_str::<RawScenario>(&text[..first]).ok(),
        || {
            tails
                .par_iter()
                .map(|&(start, end)| toml::from_str::<RawTail>(&text[start..end]).ok())
                .collect::<Option<Vec<_>>>()
        },
    );
    let mut raw = head?;
    for tail in tails? {
        raw.gallery.extend(tail.gallery);
        raw.account.extend(tail.account);
        raw.image.extend(tail.image);
        raw.lab.extend(tail.lab);
        raw.deployment.extend(tail.deployment);
        raw.version.extend(tail.version);
    }
    Some(raw)
}

/// Where to split `text` into about `wanted` pieces of at least `min_piece` bytes: the byte
/// offsets of the `[[image]]`, `[[lab]]`, ... header lines that start the second and later
/// pieces; none when it should be parsed whole.
///
/// Such a line is always a header (a value cannot be a bare word) unless the file has
/// multi-line strings: then it is not split. Each later piece starts a new table, whose keys
/// and sub-tables all lie in that piece; anything else in a later piece (`[scenario]`, a
/// sub-table of an earlier piece's last image) does not parse as a piece, and the whole is
/// parsed instead. A top-level `image = [...]` would be extended by later pieces' `[[image]]`
/// where the whole refuses it: top-level keys come before the first header, and there any
/// line that may define one of these arrays means no split.
fn pieces(text: &str, wanted: usize, min_piece: usize) -> Vec<usize> {
    let wanted = wanted.min(text.len() / min_piece.max(1));
    if wanted < 2 || text.contains("\"\"\"") || text.contains("'''") {
        return Vec::new();
    }
    let header = |line: &str| {
        let name = line.trim();
        if let Some(name) = name.strip_prefix("[[").and_then(|n| n.strip_suffix("]]")) {
            ARRAYS.contains(&name).then_some(true)
        } else {
            let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'));
            name.is_some_and(|n| TABLES.contains(&n)).then_some(false)
        }
    };
    let defines_array = |line: &str| {
        let key = line.trim_start().trim_start_matches(['"', '\'']);
        ARRAYS.iter().any(|a| key.starts_with(a))
    };
    let size = text.len() / wanted;
    let mut starts: Vec<usize> = Vec::new();
    let mut top_level = true;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        match header(line) {
            Some(splits) => {
                top_level = false;
                if splits && at >= starts.last().map_or(0, |&s| s) + size {
                    starts.push(at);
                }
            }
            None if top_level && defines_array(line) => return Vec::new(),
            None => {}
        }
        at += line.len();
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario with `n` images and `n` labs, tables interleaved (image, lab, image, lab...),
    /// and another gallery and account every 50 images, as `generate` writes them.
    fn fleet(n: usize) -> String {
        let mut text = String::from(
            "[scenario]\nname = \"f\"\nstart = \"2026-09-01\"\nmonths = 3\n\n\
             [[gallery]]\nname = \"g\"\nregion = \"eastus\"\n\n\
             [[account]]\nname = \"a\"\ngallery = \"g\"\nregion = \"eastus\"\nkind = \"lab_plan\"\n",
        );
        for i in 0..n {
            if i % 50 == 49 {
                text.push_str(&format!(
                    "\n[[gallery]]\nname = \"g{i}\"\nregion = \"westus\"\n\n\
                     [[account]]\nname = \"a{i}\"\ngallery = \"g{i}\"\nregion = \"westus\"\nkind = \"lab_plan\"\n"
                ));
            }
            text.push_str(&format!(
                "\n[[image]]\nname = \"img{i}\"\naccount = \"a\"\nos_disk_gb = 127\n\
                 used_gb = {{ dist = \"pert\", min = 20, mode = {m}, max = 60 }}\n\
                 [image.exports]\nper_month = {i}\n\
                 \n  [[lab]]\nname = \"lab{i}\"\naccount = \"a\"\nimage = \"img{i}\"\nregion = \"eastus\"\ncount = {c}\n",
                m = 20 + i % 40,
                c = 1 + i % 7,
            ));
        }
        text
    }

    /// Every split of a text parses to what the whole parses to (Debug shows every value).
    fn same_split_or_whole(text: &str, wanted: usize, min_piece: usize) -> Vec<usize> {
        let starts = pieces(text, wanted, min_piece);
        let whole = toml::from_str::<RawScenario>(text).map(|r| format!("{r:?}"));
        let split = parse_in(text, &starts).map(|r| format!("{r:?}"));
        match (&whole, &split) {
            (Ok(w), Some(s)) => assert_eq!(w, s),
            // A split that fails is parsed whole: only the whole decides.
            (_, None) => {}
            (Err(e), Some(_)) => panic!("split at {starts:?} accepted what the whole refuses: {e}"),
        }
        starts
    }

    #[test]
    fn a_fleet_split_into_pieces_parses_as_the_whole() {
        let text = fleet(300);
        for wanted in [2, 3, 4, 7, 64, 1000] {
            let starts = same_split_or_whole(&text, wanted, 1);
            // About `wanted` pieces: a piece ends at the first header past its share.
            let n = starts.len() + 1;
            assert!(
                n <= wanted && n > wanted.min(612) * 9 / 10,
                "{n} of {wanted} pieces"
            );
            assert!(parse_in(&text, &starts).is_some(), "{wanted} pieces parse");
            for &s in &starts {
                let line = text[s..].lines().next().unwrap().trim();
                assert!(ARRAYS.iter().any(|a| line == format!("[[{a}]]")), "{line}");
            }
        }
        // Small files are parsed whole.
        assert!(pieces(&fleet(3), 4, MIN_PIECE).is_empty());
        assert_eq!(pieces(&text, 1, 1), Vec::<usize>::new());
    }

    #[test]
    fn pieces_never_accept_what_the_whole_refuses_nor_change_its_meaning() {
        let fleet = fleet(40);
        let cases = [
            // A top-level inline array extended by headers: an error read whole.
            fleet.replacen("[scenario]", "image = [{ name = \"x\", account = \"a\", os_disk_gb = 1, used_gb = 1 }]\n[scenario]", 1),
            fleet.replacen("[scenario]", "lab = []\n[scenario]", 1),
            fleet.replacen("[scenario]", "\"account\" = []\n[scenario]", 1),
            // A table defined twice, the second time in a later piece.
            format!("{fleet}\n[scenario]\nname = \"again\"\n"),
            // A sub-table of the last image, after a lab header: valid, and not in the piece.
            format!("{fleet}\n[[lab]]\nname = \"late\"\naccount = \"a\"\nimage = \"img1\"\nregion = \"eastus\"\n[image.export_hours]\ndist = \"uniform\"\nmin = 1\nmax = 9\n"),
            format!("{fleet}\n[[lab]]\nname = \"late\"\naccount = \"a\"\nimage = \"img1\"\nregion = \"eastus\"\n[[image.moves]]\non = \"2026-10-01\"\naccount = \"a\"\n"),
            // Other tables after the split.
            format!("{fleet}\n[[deployment]]\nname = \"d\"\nimage = \"img1\"\nregion = \"eastus\"\nvms = 1\nat = \"2026-10-01\"\n"),
            format!("{fleet}\n[rules]\nmax_os_disk_gb = 256\n"),
            // A header line inside a multi-line string.
            fleet.replacen("name = \"f\"", "name = \"\"\"f\n[[image]]\n\"\"\"", 1),
            // A header with spaces, a comment, CRLF line ends.
            fleet.replace("[[lab]]", "[[ lab ]] # spaced"),
            fleet.replace('\n', "\r\n"),
        ];
        for text in &cases {
            for wanted in [2, 5, 80] {
                same_split_or_whole(text, wanted, 1);
            }
        }
        // Split and parsed in pieces: a deployment, headers not split at, CRLF lines.
        for text in [&cases[6], &cases[9], &cases[10]] {
            assert!(parse_in(text, &pieces(text, 5, 1)).is_some());
        }
        // Not split: multi-line strings.
        assert!(pieces(&cases[8], 5, 1).is_empty());
        // Not split: a top-level key that may define an array of tables.
        for text in &cases[..3] {
            assert!(pieces(text, 5, 1).is_empty());
            assert!(parse(text).is_err());
        }
        // The late sub-table belongs to the last image, split or not.
        let raw = parse(&cases[4]).unwrap();
        assert_eq!(raw.image.len(), 40);
        assert!(format!("{:?}", raw.image[39]).contains("uniform"));
    }
}
