//! Issue 30: analyses that reuse a base scenario's runs give what full simulations give, bit
//! for bit, on every bundled scenario and a generated fleet; which images a variant
//! re-simulates is decided by their fingerprints.

use gallerysim::analysis::incremental::{self, Full, Reuse, Reusing};
use gallerysim::analysis::sensitivity::{self, Grouping};
use gallerysim::generate::{fleet, FleetSpec};
use gallerysim::montecarlo::{self, Results};
use gallerysim::scenario::{Dist, Scenario};

use crate::harness::{bin, bundled_paths, gallerysim, scenario};

/// Everything a reused run's results hold (all but the version copies), as text: floats
/// print as the shortest text that reads back to the same bits.
fn figures(r: &Results) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        r.runs,
        r.monthly_totals,
        r.monthly_mean,
        r.image_cost_mean,
        r.monthly_ineligible_mean,
        r.input_means,
        r.labs,
        r.waves,
        r.deployment_minutes,
        r.deployment_unserved,
        r.events,
        r.prices_used
    )
}

/// A bundled scenario with few runs (the comparisons simulate it many times).
fn bundled_small() -> Vec<(String, Scenario)> {
    bundled_paths()
        .into_iter()
        .map(|p| {
            let mut s = Scenario::load(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            s.runs = s.runs.min(6);
            (p.display().to_string(), s)
        })
        .collect()
}

/// A generated fleet of `labs` labs over 6 months, 4 runs.
fn small_fleet(labs: u32) -> Scenario {
    let text = fleet(&FleetSpec {
        labs,
        geographies: vec!["us".to_string(), "europe".to_string()],
        months: 6,
        runs: 4,
        seed: 3,
    })
    .unwrap();
    scenario(&text)
}

/// Variants of `s` that change one image, one gallery, a lab, or something global.
fn variants(s: &Scenario) -> Vec<(&'static str, Scenario)> {
    let mut out = Vec::new();
    let mut v = s.clone();
    v.images[0].used_gb = Dist::Const(v.images[0].used_gb.quantile(0.9) + 7.0);
    out.push(("used_gb of the first image", v));
    let last = s.images.len() - 1;
    let mut v = s.clone();
    v.images[last].replication_hours = Dist::Const(5.5);
    out.push(("replication_hours of the last image", v));
    let mut v = s.clone();
    v.galleries[0].keep_versions = v.galleries[0].keep_versions % 3 + 1;
    out.push(("keep_versions of the first gallery", v));
    if !s.labs.is_empty() {
        let mut v = s.clone();
        v.labs[0].create += 86_400 * 3;
        out.push(("the first lab created later", v));
    }
    let mut v = s.clone();
    v.seed += 1;
    out.push(("another seed", v));
    out
}

#[test]
fn every_variant_with_reuse_is_a_full_simulation_bit_for_bit() {
    let mut cases = bundled_small();
    cases.push(("generated fleet".to_string(), small_fleet(120)));
    for (name, base) in cases {
        let mut reuse = Reuse::new(&base);
        let kept = reuse.simulate_base(&|| {});
        assert_eq!(
            figures(&kept),
            figures(&montecarlo::simulate(&base, &|| {})),
            "{name}: the kept base"
        );
        for (what, variant) in variants(&base) {
            let reused = reuse.simulate(&variant, &|| {});
            let full = montecarlo::simulate(&variant, &|| {});
            assert_eq!(figures(&reused), figures(&full), "{name}: {what}");
        }
        // The base is intact after its variants.
        let again = reuse.simulate(&base, &|| {});
        assert_eq!(figures(&again), figures(&kept), "{name}: the base again");
    }
}

#[test]
fn every_tornado_with_reuse_is_the_full_tornado() {
    let mut cases = bundled_small();
    cases.push(("generated fleet".to_string(), small_fleet(60)));
    for (name, s) in cases {
        let original = montecarlo::simulate(&s, &|| {});
        for grouping in [Grouping::PerImage, Grouping::ByKind] {
            let reused = sensitivity::tornado(&s, &original, grouping, |m| Reusing::new(m, &|| {}));
            let full = sensitivity::tornado(&s, &original, grouping, |m| Full::new(m, &|| {}));
            assert_eq!(
                format!("{reused:?}"),
                format!("{full:?}"),
                "{name}: {grouping:?}"
            );
        }
    }
}

#[test]
fn a_sweep_of_one_image_reuses_the_base_and_gives_every_value_bit_for_bit() {
    let base = small_fleet(120);
    let values: Vec<Scenario> = [20.0, 35.0, 50.0]
        .iter()
        .map(|gb| {
            let mut v = base.clone();
            v.images[3].used_gb = Dist::Const(*gb);
            v
        })
        .collect();
    let refs: Vec<&Scenario> = values.iter().collect();
    let (reuse, simulations) = incremental::plan_variants(&base, &refs);
    assert!(reuse.is_some(), "one image of many: reused");
    assert_eq!(simulations, 2, "the base, and one small image six times");
    let reused = incremental::simulate_variants(reuse, &refs, &|| {});
    let whole = incremental::simulate_variants(None, &refs, &|| {});
    for (r, w) in reused.iter().zip(&whole) {
        assert_eq!(figures(r), figures(w));
    }
    // A value that changes every image is simulated whole, and so is the sweep.
    let mut global = base.clone();
    global
        .images
        .iter_mut()
        .for_each(|i| i.used_gb = Dist::Const(40.0));
    let (reuse, simulations) = incremental::plan_variants(&base, &[&values[0], &global]);
    assert!(reuse.is_none());
    assert_eq!(simulations, 2, "one per value");
}

#[test]
fn a_changed_used_size_re_simulates_exactly_that_image() {
    let base = small_fleet(80);
    let reuse = Reuse::new(&base);
    assert_eq!(reuse.changed_images(&base), Some(vec![]));
    let mut v = base.clone();
    v.images[3].used_gb = Dist::Const(12.5);
    assert_eq!(reuse.changed_images(&v), Some(vec![3]));
    // Prices are applied after the simulation: they never force one.
    let mut v = base.clone();
    v.prices = Scenario::bundled_default().prices;
    v.images[5].export_hours = Dist::Const(1.0);
    assert_eq!(reuse.changed_images(&v), Some(vec![5]));
    // A gallery's setting re-simulates the images stored in it, and only those.
    let mut v = base.clone();
    v.galleries[1].keep_versions += 1;
    let in_gallery: Vec<usize> = (0..base.images.len())
        .filter(|&i| {
            let im = &base.images[i];
            im.gallery == 1
                || im.periods.iter().any(|p| p.gallery == 1)
                || im.targets.iter().any(|&(_, c)| base.cells[c].gallery == 1)
        })
        .collect();
    assert!(!in_gallery.is_empty());
    assert_eq!(reuse.changed_images(&v), Some(in_gallery));
    // A lab's change re-simulates its image.
    let mut v = base.clone();
    v.labs[7].count += 1;
    assert_eq!(reuse.changed_images(&v), Some(vec![base.labs[7].image]));
}

/// A change to a scenario.
type Edit = Box<dyn Fn(&mut Scenario)>;

#[test]
fn a_global_change_falls_back_to_a_full_simulation() {
    let base = small_fleet(80);
    let reuse = Reuse::new(&base);
    let globals: Vec<(&str, Edit)> = vec![
        ("seed", Box::new(|s| s.seed += 1)),
        ("runs", Box::new(|s| s.runs += 1)),
        ("months", Box::new(|s| s.months -= 1)),
        ("vms_per_replica", Box::new(|s| s.vms_per_replica += 1)),
        ("max_os_disk_gb", Box::new(|s| s.max_os_disk_gb += 1.0)),
        ("a lab fewer", Box::new(|s| drop(s.labs.pop()))),
    ];
    for (what, change) in globals {
        let mut v = base.clone();
        change(&mut v);
        assert_eq!(reuse.changed_images(&v), None, "{what}");
    }
    // Every image changed: cheaper in full.
    let mut v = base.clone();
    for image in &mut v.images {
        image.used_gb = Dist::Const(10.0);
    }
    assert_eq!(reuse.changed_images(&v), None, "every image");
    assert!(incremental::share(&base, &[0]) < 0.1);
}

#[test]
fn compare_and_tornado_on_the_command_line_reuse_and_count_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    let generated = bin()
        .args([
            "generate", "--labs", "100", "--runs", "3", "--months", "3", "--out",
        ])
        .arg(&fleet)
        .output()
        .unwrap();
    assert!(generated.status.success());
    let tornado = |args: &[&str], out: &str| {
        let mut all = vec!["tornado", "fleet.toml", "--out", out, "-q"];
        all.extend(args);
        let o = gallerysim(dir.path(), &all);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        crate::harness::read_csv(&dir.path().join(out).join("sensitivity.csv"))
    };
    // 27 images with uncertain inputs: grouped by kind unless asked for every image's.
    let grouped = tornado(&[], "grouped");
    assert_eq!(grouped.len(), 4, "{grouped:?}");
    assert!(grouped.iter().all(|r| r["input"].starts_with("image.*.")));
    let each = tornado(&["--per-image"], "each");
    assert!(each.len() > 4 * 20, "{}", each.len());
    assert!(each.iter().all(|r| !r["input"].starts_with("image.*.")));
    // The work estimate counts what reuse leaves (one simulation is about 2.2e4 events): 302 simulations of variants are about 15
    // of the whole fleet (2 in full, 12 variants of each image, each image once more).
    let o = gallerysim(
        dir.path(),
        &[
            "tornado",
            "fleet.toml",
            "--per-image",
            "--max-events",
            "30000",
            "--out",
            "x",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("15 simulations of 3 runs"), "{err}");
    let o = gallerysim(
        dir.path(),
        &[
            "compare",
            "fleet.toml",
            "--variant",
            "big:image.inst0000-img00.used_gb=90",
            "--max-events",
            "30000",
            "--out",
            "y",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 simulations of 3 runs"), "{err}");
    // A sweep of one image's size: the base and that image, not one fleet per value.
    let sweep = |max_events: &str, out: &str| {
        gallerysim(
            dir.path(),
            &[
                "sweep",
                "fleet.toml",
                "--param",
                "image.inst0000-img00.used_gb",
                "--values",
                "20,40,60,80",
                "--max-events",
                max_events,
                "--out",
                out,
                "-q",
            ],
        )
    };
    let err = String::from_utf8_lossy(&sweep("30000", "z").stderr).to_string();
    assert!(err.contains("2 simulations of 3 runs"), "{err}");
    let o = sweep("1e9", "z");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = crate::harness::read_csv(&dir.path().join("z").join("sweep.csv"));
    assert_eq!(rows.len(), 4);
}
