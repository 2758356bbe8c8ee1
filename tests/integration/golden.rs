//! Golden CSVs for every bundled scenario at its own seed. Regenerate after an intended
//! change with `GALLERYSIM_BLESS=1 cargo test --release golden` and review the diff.

use gallerysim::report;
use gallerysim::scenario::Scenario;

use crate::harness::*;

#[test]
fn every_bundled_scenario_matches_its_golden_csvs() {
    let bless = std::env::var_os("GALLERYSIM_BLESS").is_some();
    let scenarios = bundled_paths();
    assert!(scenarios.len() >= 7, "bundled scenarios missing");
    let mut mismatches = Vec::new();
    for path in scenarios {
        let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let results = simulate(&sc);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = repo().join("tests/golden").join(&stem);
        for file in report::csv::render_all(
            &sc,
            &results,
            &gallerysim::analysis::headline::Headline::of(&results),
        )
        .unwrap()
        {
            let golden = dir.join(&file.name);
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&golden, &file.bytes).unwrap();
            } else if std::fs::read(&golden).ok().as_deref() != Some(file.bytes.as_slice()) {
                mismatches.push(format!("{stem}/{}", file.name));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "outputs differ from tests/golden (bless with GALLERYSIM_BLESS=1 if intended): {mismatches:?}"
    );
}

#[test]
fn the_bundled_default_is_the_embedded_one() {
    let on_disk = std::fs::read_to_string(bundled("default.toml")).unwrap();
    assert_eq!(on_disk, gallerysim::scenario::DEFAULT_SCENARIO);
}
