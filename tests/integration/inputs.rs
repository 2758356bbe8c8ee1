//! Inputs as one value (issue 25): a scenario is built by a pure function of its inputs (the
//! texts read at the edge) and the overrides; `--runs` and `--seed` are checked as the keys
//! they replace, and an error names the flag.

use std::path::PathBuf;
use std::sync::Arc;

use gallerysim::scenario::{
    CatalogText, InputFile, Inputs, Overrides, Scenario, DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME,
};

use crate::harness::{gallerysim, EXACT};

const NAMING_A_CATALOG: &str = r#"[scenario]
name = "named catalog"
start = "2026-09-01"
months = 1
runs = 4

[prices]
catalog = "prices.csv"

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "img"
account = "plan"
os_disk_gb = 127
used_gb = 40
export_hours = 0
"#;

const CATALOG: &str = "region,item,price,unit,currency,meter_name,effective_date,product_name\neastus,snapshot_gb_month,0.07,GB-month,USD,m,2026-01-01,p\n";

#[test]
fn a_scenario_is_built_from_its_inputs_without_reading_a_file() {
    // Neither the scenario nor the catalog exists on disk: the texts are the inputs.
    let folder = PathBuf::from("/nonexistent-gallerysim-folder");
    let path = folder.join("prices.csv");
    let inputs = Inputs {
        files: vec![InputFile {
            path: path.clone(),
            read: Ok(Arc::new(CatalogText {
                label: path.display().to_string(),
                text: CATALOG.to_string(),
            })),
        }],
        ..Inputs::text(
            &folder.join("s.toml").display().to_string(),
            NAMING_A_CATALOG,
        )
    };
    let scenario = Scenario::build(&inputs, &Overrides::default()).unwrap();
    let catalog = scenario.catalog.as_deref().expect("the named catalog");
    assert_eq!(catalog.label, path.display().to_string());
    assert_eq!(catalog.text, CATALOG);
    assert_eq!((scenario.runs, scenario.seed), (4, 0));
    // 40 GB at the catalog's 0.07 per GB-month for one month.
    let results = gallerysim::montecarlo::simulate(&scenario, &|| {});
    crate::harness::assert_close(results.runs[0].totals.total_cost, 2.8, EXACT, "total");

    // The same text without the file read: refused at the key, not read behind our back.
    let alone = Inputs::text("/nonexistent-gallerysim-folder/s.toml", NAMING_A_CATALOG);
    let e = Scenario::build(&alone, &Overrides::default()).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("prices.catalog"), "{e}");
    assert_eq!(e.line, Some(8), "{e}");
    assert!(e.message.contains("was not given"), "{e}");
}

#[test]
fn runs_and_seed_overrides_replace_the_keys_before_validation() {
    let inputs = Inputs::text(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO);
    let overrides = Overrides {
        runs: Some(7),
        seed: Some(11),
        ..Overrides::default()
    };
    let scenario = Scenario::build(&inputs, &overrides).unwrap();
    assert_eq!((scenario.runs, scenario.seed), (7, 11));
    // The text shown and recorded in partials is the file's, after --set only.
    assert_eq!(scenario.text, DEFAULT_SCENARIO);

    for (overrides, flag, message) in [
        (
            Overrides {
                runs: Some(0),
                ..Overrides::default()
            },
            "--runs",
            "must be 1..=1000000 (got 0)",
        ),
        (
            Overrides {
                runs: Some(1_000_001),
                ..Overrides::default()
            },
            "--runs",
            "must be 1..=1000000 (got 1000001)",
        ),
        (
            Overrides {
                seed: Some(u64::MAX),
                ..Overrides::default()
            },
            "--seed",
            "must be at most 9223372036854775807",
        ),
    ] {
        let e = Scenario::build(&inputs, &overrides).unwrap_err();
        assert_eq!(e.key.as_deref(), Some(flag), "{e}");
        assert_eq!(e.file, "command line", "{e}");
        assert!(e.message.contains(message), "{e}");
    }
}

#[test]
fn runs_and_seed_out_of_range_are_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value, message) in [
        ("--runs", "0", "must be 1..=1000000 (got 0)"),
        ("--runs", "1000001", "must be 1..=1000000 (got 1000001)"),
        ("--seed", "18446744073709551615", "must be at most"),
    ] {
        let out = gallerysim(dir.path(), &["run", flag, value, "--out", "out"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {stderr}");
        let expected = format!("command line: key `{flag}`: {message}");
        assert!(stderr.contains(&expected), "{flag} {value}: {stderr}");
        assert!(!dir.path().join("out").exists());
    }
}
