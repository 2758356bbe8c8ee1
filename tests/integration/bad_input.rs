//! Bad input: exit code 2, a message naming the file, line and key, and nothing written.

use crate::harness::*;

const VALID: &str = r#"[scenario]
name = "valid"
start = "2026-09-01"
months = 3

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "acct"
gallery = "g"
region = "eastus"

[[image]]
name = "img"
account = "acct"
os_disk_gb = 127
used_gb = 40

[[lab]]
name = "lab1"
account = "acct"
image = "img"
region = "westus2"
"#;

/// Writes `content`, runs it, and checks exit code 2, that stderr names `file:line` and
/// contains every `expected` fragment, and that the output folder was not created.
#[track_caller]
fn rejects(content: &[u8], line: Option<usize>, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, content).unwrap();
    let out = dir.path().join("out");
    let output = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {stderr}");
    let location = match line {
        Some(line) => format!("bad.toml:{line}:"),
        None => "bad.toml".to_string(),
    };
    assert!(
        stderr.contains(&location),
        "expected {location} in: {stderr}"
    );
    for fragment in expected {
        assert!(
            stderr.contains(fragment),
            "expected {fragment:?} in: {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "nothing may be written");
}

fn edit(from: &str, to: &str) -> Vec<u8> {
    assert!(VALID.contains(from), "{from}");
    VALID.replacen(from, to, 1).into_bytes()
}

#[test]
fn the_valid_base_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, VALID).unwrap();
    bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .success();
}

#[test]
fn unknown_key() {
    rejects(
        &edit(
            "region = \"eastus\"\n\n[[account]]",
            "region = \"eastus\"\ncolour = \"blue\"\n\n[[account]]",
        ),
        Some(9),
        &["key `gallery.g.colour`", "unknown field `colour`"],
    );
}

#[test]
fn missing_reference() {
    rejects(
        &edit(
            "account = \"acct\"\nos_disk_gb",
            "account = \"nope\"\nos_disk_gb",
        ),
        Some(17),
        &[
            "key `image.img.account`",
            "unknown account `nope`",
            "defined: acct",
        ],
    );
}

#[test]
fn unknown_region_with_a_suggestion() {
    rejects(
        &edit("region = \"westus2\"", "region = \"westus9\""),
        Some(25),
        &[
            "key `lab.lab1.region`",
            "unknown region `westus9`",
            "did you mean westus, westus2",
        ],
    );
}

#[test]
fn replicas_over_azures_50_per_region() {
    rejects(
        &edit(
            "region = \"eastus\"\n\n[[account]]",
            "region = \"eastus\"\nreplicas = 51\n\n[[account]]",
        ),
        Some(9),
        &["key `gallery.g.replicas`", "1..=50", "got 51"],
    );
}

/// A lab account copies each version to every region of its geography (9 in the US): 12
/// replicas per region would be 108 replicas of one version, over Azure's 100.
#[test]
fn replicas_over_azures_100_per_version() {
    let text = String::from_utf8(edit(
        "region = \"eastus\"\n\n[[account]]",
        "region = \"eastus\"\nreplicas = 12\n\n[[account]]",
    ))
    .unwrap()
    .replace(
        "gallery = \"g\"\nregion = \"eastus\"\n",
        "gallery = \"g\"\nregion = \"eastus\"\nkind = \"lab_account\"\n",
    );
    rejects(
        text.as_bytes(),
        Some(9),
        &[
            "key `gallery.g.replicas`",
            "would keep 108 replicas over its 9 target regions",
            "at most 100 replicas per image version",
        ],
    );
    // 11 per region (99) is within the limit.
    let ok = text.replace("replicas = 12", "replicas = 11");
    let sc = scenario(&ok);
    assert_eq!(sc.galleries[0].default_replicas, 11);
}

/// A run in EUR without EUR prices names the prices missing and suggests exactly those
/// `[prices]` lines, at the line of `[prices]` (which exists).
#[test]
fn missing_eur_prices_suggest_the_lines_that_are_missing() {
    let text = VALID
        .replace("months = 3\n", "months = 3\ncurrency = \"EUR\"\n")
        .replace("eastus", "westeurope")
        .replace("westus2", "northeurope")
        + "\n[prices]\nsnapshot_gb_month = { francecentral = 0.04 }\n";
    let lines = text.lines().count();
    rejects(
        text.as_bytes(),
        Some(lines - 1),
        &[
            "key `prices`",
            "no EUR price for snapshot_gb_month in westeurope",
            "  snapshot_gb_month = { westeurope = PRICE",
            "  egress_intra_continent_gb = PRICE",
        ],
    );
}

#[test]
fn negative_size() {
    rejects(
        &edit("used_gb = 40", "used_gb = -5"),
        Some(19),
        &["key `image.img.used_gb`", "must be 0 to 2048 GB", "got -5"],
    );
}

#[test]
fn negative_duration_in_a_distribution() {
    rejects(
        &edit(
            "used_gb = 40",
            "used_gb = 40\nreplication_hours = { dist = \"pert\", min = -1, mode = 1, max = 2 }",
        ),
        Some(20),
        &[
            "key `image.img.replication_hours.min`",
            "must be 0 to 8760 hours (got -1)",
        ],
    );
}

#[test]
fn bad_date() {
    rejects(
        &edit("start = \"2026-09-01\"", "start = \"2026-13-01\""),
        Some(3),
        &["key `scenario.start`", "not a valid date"],
    );
}

#[test]
fn lab_outside_its_lab_accounts_geography() {
    rejects(
        &edit("region = \"westus2\"", "region = \"westeurope\""),
        Some(25),
        &[
            "key `lab.lab1.region`",
            "outside lab account `acct`'s geography (United States)",
        ],
    );
}

#[test]
fn horizon_past_600_months() {
    rejects(
        &edit("months = 3", "months = 601"),
        Some(4),
        &["key `scenario.months`", "1..=600"],
    );
}

#[test]
fn toml_syntax_error() {
    rejects(
        &edit("name = \"valid\"", "name = \"valid"),
        Some(2),
        &["string"],
    );
}

#[test]
fn wrong_type_names_the_key() {
    rejects(
        &edit("os_disk_gb = 127", "os_disk_gb = \"big\""),
        Some(18),
        &["key `image.img.os_disk_gb`", "invalid type"],
    );
}

#[test]
fn unknown_distribution() {
    rejects(
        &edit(
            "used_gb = 40",
            "used_gb = { dist = \"gaussian\", mean = 4, sd = 1 }",
        ),
        Some(19),
        &[
            "key `image.img.used_gb.dist`",
            "unknown distribution `gaussian`",
        ],
    );
}

#[test]
fn binary_garbage() {
    let mut bytes = vec![0xff, 0xfe, 0x00, 0x01, 0x9c];
    bytes.extend_from_slice(&[0x80; 64]);
    rejects(&bytes, None, &["not a UTF-8 text file"]);
}

#[test]
fn missing_file_is_exit_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .arg("run")
        .arg(dir.path().join("nope.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.toml"));
}

#[test]
fn bad_command_line_values_are_exit_2() {
    for args in [
        &["run", "--runs", "0"][..],
        &["run", "--threads", "x"],
        &["frobnicate"],
    ] {
        let output = bin().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn mutated_scenarios_give_errors_never_panics() {
    // Deterministic mutations of the default scenario: deleted, duplicated and replaced
    // characters. Every one must fail with an error or validate and simulate, never panic.
    let base = gallerysim::scenario::DEFAULT_SCENARIO.as_bytes().to_vec();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"=[]{}\",.-0123456789aez_\n #";
    for _ in 0..1500 {
        let mut text = base.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % text.len();
            match next() % 3 {
                0 => {
                    text.remove(at);
                }
                1 => text.insert(at, text[at]),
                _ => text[at] = alphabet[(next() as usize) % alphabet.len()],
            }
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        let outcome = std::panic::catch_unwind(|| {
            // Valid ones are simulated too: the model must not panic either.
            if let Ok(mut scenario) = gallerysim::scenario::Scenario::parse(&text, "m.toml") {
                scenario.runs = 1;
                simulate(&scenario);
            }
        });
        assert!(outcome.is_ok(), "panicked on:\n{text}");
    }
}

/// Images are validated in parallel: the error reported is still the first in the file, a
/// duplicate name included, and warnings come in file order.
#[test]
fn the_first_bad_image_in_the_file_is_reported_whatever_the_threads() {
    let fleet = |edit: &dyn Fn(usize) -> String| {
        let mut text = String::from(
            "[scenario]\nname = \"many\"\nstart = \"2026-09-01\"\nmonths = 3\n\n\
             [[gallery]]\nname = \"g\"\nregion = \"eastus\"\n\n\
             [[account]]\nname = \"acct\"\ngallery = \"g\"\nregion = \"eastus\"\n",
        );
        for i in 0..300 {
            text.push_str(&format!(
                "\n[[image]]\nname = \"img{i}\"\naccount = \"acct\"\n{}\n",
                edit(i)
            ));
        }
        text
    };
    let error =
        |text: &str| gallerysim::scenario::Scenario::parse(text, "many.toml").expect_err("refused");
    let disk = |i: usize, bad: &[usize]| {
        let gb = if bad.contains(&i) { -1 } else { 127 };
        format!("os_disk_gb = {gb}\nused_gb = 40")
    };
    let e = error(&fleet(&|i| disk(i, &[150, 30, 290])));
    assert_eq!(e.key.as_deref(), Some("image.img30.os_disk_gb"), "{e}");
    // A name used twice (image 200 named like image 3) before any bad disk.
    let e =
        error(&fleet(&|i| disk(i, &[250, 290])).replace("name = \"img200\"", "name = \"img3\""));
    assert!(e.message.contains("duplicate image name `img3`"), "{e}");
    // 13 lines of header, 6 per image: image 200's name is on line 13 + 1200 + 3.
    assert_eq!(e.line, Some(13 + 200 * 6 + 3), "{e}");
    // Warnings of images 7 and 211 (sizes that may draw past the disk), in that order.
    let warned = |i: usize| match i {
        7 | 211 => {
            "os_disk_gb = 127\nused_gb = { dist = \"lognormal\", mean = 100, sd = 15 }".to_string()
        }
        _ => disk(i, &[]),
    };
    let scenario = gallerysim::scenario::Scenario::parse(&fleet(&warned), "many.toml").unwrap();
    let over: Vec<&str> = scenario
        .warnings
        .iter()
        .filter(|w| w.code == gallerysim::scenario::WarningCode::UsedOverDisk)
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(over.len(), 2, "{over:?}");
    assert!(
        over[0].contains("`img7`") && over[1].contains("`img211`"),
        "{over:?}"
    );
}

#[test]
fn a_bad_input_gets_its_error_alone_and_a_good_one_the_threads_note() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, content: &[u8]| {
        let file = dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let output = bin()
            .arg("run")
            .arg(&file)
            .args(["--threads", "255", "--out"])
            .arg(dir.path().join(format!("out-{name}")))
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run("bad.toml", &edit("os_disk_gb = 127", "os_disk_gb = -1"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("os_disk_gb"), "{stderr}");
    assert!(!stderr.contains("note:"), "the error alone: {stderr}");
    let (code, stderr) = run("ok.toml", VALID.as_bytes());
    assert_eq!(code, Some(0), "{stderr}");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert!(
        stderr.contains(&format!(
            "note: --threads 255 capped to the machine's {cores} cores"
        )),
        "{stderr}"
    );
}
