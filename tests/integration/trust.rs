//! Trust at the edges (issue 24): never delete a user's file, never drop or bend an input.
//! Each test reproduces a defect found by a hostile-input probe.

use std::path::Path;

use crate::harness::*;

/// `H.toml` of the issue: one gallery and one AVD account in eastus, one image.
pub const H: &str = r#"[scenario]
name = "D"
start = "2026-09-01"
months = 3

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "a"
kind = "avd"
gallery = "g"
region = "eastus"

[[image]]
name = "img"
account = "a"
os_disk_gb = 127
used_gb = 50
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[track_caller]
fn refused(output: &std::process::Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected {f:?} in: {stderr}");
    }
}

#[test]
fn out_never_replaces_a_folder_holding_user_files() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("photos")).unwrap();
    write(&docs, "thesis.docx", "t");
    write(&docs, "summary.csv", "a,b");
    let output = bin()
        .args(["run", "--quiet", "--out"])
        .arg(&docs)
        .arg(&h)
        .output()
        .unwrap();
    refused(&output, &["--out", "photos/", "thesis.docx"]);
    assert_eq!(std::fs::read_to_string(docs.join("thesis.docx")).unwrap(), "t");
    assert!(docs.join("photos").is_dir());
    // Nothing of ours is left beside it either.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".gallerysim"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_rerun_replaces_its_own_folder_and_a_file_added_by_hand_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let out = dir.path().join("out");
    let run = || {
        bin()
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .arg(&h)
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    assert!(run().status.success(), "our own folder is replaced");
    write(&out, "notes.txt", "mine");
    refused(&run(), &["notes.txt"]);
    assert!(out.join("notes.txt").is_file());
}

#[test]
fn out_dot_is_refused_before_any_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for out in [".", ".."] {
        let output = bin()
            .current_dir(&work)
            .args(["run", "--quiet", "--out", out])
            .arg(&h)
            .output()
            .unwrap();
        refused(&output, &["current folder"]);
    }
}

#[test]
fn single_output_files_never_overwrite_an_input_or_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("pg.json");
    std::fs::copy(repo().join("tests/fixtures/prices/usd-page-1.json"), &page).unwrap();
    let before = std::fs::read(&page).unwrap();
    for force in [false, true] {
        let mut cmd = bin();
        cmd.args(["prices", "import"]).arg(&page).arg("--out").arg(&page);
        if force {
            cmd.arg("--force");
        }
        refused(&cmd.output().unwrap(), &["is also an input"]);
        assert_eq!(std::fs::read(&page).unwrap(), before);
    }
    let existing = write(dir.path(), "existing.toml", "# my scenario\n");
    let generate = |force: bool| {
        let mut cmd = bin();
        cmd.args(["generate", "--labs", "10", "--out"]).arg(&existing);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    refused(&generate(false), &["--force"]);
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "# my scenario\n"
    );
    assert!(generate(true).status.success());
    assert!(std::fs::read_to_string(&existing)
        .unwrap()
        .contains("[[lab]]"));
}

#[cfg(unix)]
#[test]
fn outputs_get_the_permissions_of_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let bin = assert_cmd::cargo::cargo_bin("gallerysim");
    let script = format!(
        "umask 022 && {b} run --quiet --out out {h} && {b} run --quiet --shard 1/1 --out parts {h}",
        b = bin.display(),
        h = h.display()
    );
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("out")), 0o755);
    assert_eq!(mode(&dir.path().join("out/summary.csv")), 0o644);
    assert_eq!(mode(&dir.path().join("out/report.html")), 0o644);
    assert_eq!(
        mode(&dir.path().join("parts/partial-0001-of-0001.gsp")),
        0o644
    );
}

#[cfg(unix)]
#[test]
fn sigterm_while_writing_leaves_no_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gallerysim"))
        .args(["run", "--quiet", "--runs", "200000", "--threads", "1", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The staging folder is made before the simulation starts.
    let staging = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".gallerysim-"))
    };
    let started = std::time::Instant::now();
    while !staging() {
        assert!(
            started.elapsed().as_secs() < 60,
            "no staging folder appeared"
        );
        assert!(child.try_wait().unwrap().is_none(), "finished too early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!staging(), "a staging folder was left");
    assert!(!out.exists());
}
