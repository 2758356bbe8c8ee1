use super::*;

fn file(name: &str, text: &str) -> OutputFile {
    OutputFile {
        name: name.to_string(),
        bytes: text.as_bytes().to_vec(),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_marker_listing_a_users_file_does_not_make_it_ours() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.docx"), "t").unwrap();
    write_marker(&out, &["thesis.docx"]).unwrap();
    let err = Staging::new(&out).err().expect("refused").to_string();
    assert!(err.contains("thesis.docx"), "{err}");
}

#[test]
fn out_paths_are_normalised_and_links_and_dot_dot_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    Staging::new(&out.join(".")).unwrap().commit(&[]).unwrap();
    assert!(out.join(MARKER).is_file());
    #[cfg(unix)]
    {
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&out, &link).unwrap();
        let err = Staging::new(&root.path().join("link/")).err().unwrap();
        assert!(err.to_string().contains("symbolic link"), "{err}");
    }
    let err = Staging::new(&out.join("..")).err().unwrap();
    assert!(err.to_string().contains("not a folder of its own"), "{err}");
    // A parent that is a file: exit 2 naming --out, not an I/O error.
    std::fs::write(root.path().join("file"), "x").unwrap();
    let err = Staging::new(&root.path().join("file/out")).err().unwrap();
    assert_eq!(err.exit_code(), 2, "{err}");
}

#[test]
fn a_folder_with_a_results_file_and_foreign_files_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let docs = root.path().join("docs");
    std::fs::create_dir_all(docs.join("photos")).unwrap();
    std::fs::write(docs.join("thesis.docx"), "t").unwrap();
    std::fs::write(docs.join("summary.csv"), "a,b").unwrap();
    let err = Staging::new(&docs).err().expect("refused").to_string();
    assert!(
        err.contains("photos/") && err.contains("thesis.docx"),
        "{err}"
    );
    assert!(err.contains("no .gallerysim-output marker"), "{err}");
    // Even with our marker, entries it does not list are foreign.
    write_marker(&docs, &["summary.csv"]).unwrap();
    let err = Staging::new(&docs).err().expect("refused").to_string();
    assert!(err.contains("photos/, thesis.docx"), "{err}");
    assert!(!err.contains("summary.csv"), "{err}");
    assert!(docs.join("thesis.docx").is_file() && docs.join("photos").is_dir());
    assert_eq!(names(root.path()), ["docs"], "no staging folder left");
}

#[test]
fn our_own_folder_is_replaced_whole_and_lists_its_files() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let staging = Staging::new(&out).unwrap();
    staging
        .commit(&[file("summary.csv", "1"), file("budget.csv", "2")])
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join(MARKER)).unwrap(),
        "written by gallerysim\nsummary.csv\nbudget.csv\n"
    );
    let staging = Staging::new(&out).unwrap();
    staging.commit(&[file("summary.csv", "3")]).unwrap();
    assert_eq!(names(&out), [MARKER, "summary.csv"]);
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        "3"
    );
    assert_eq!(names(root.path()), ["out"]);
    // A folder of an earlier version (a marker listing nothing) is still ours.
    std::fs::write(out.join(MARKER), "written by gallerysim\n").unwrap();
    std::fs::write(out.join("monthly_cost.png"), "png").unwrap();
    Staging::new(&out).unwrap().commit(&[]).unwrap();
    assert_eq!(names(&out), [MARKER]);
}

#[test]
fn without_an_atomic_exchange_two_renames_replace_the_folder() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    Staging::new(&out)
        .unwrap()
        .commit(&[file("old.csv", "old")])
        .unwrap();
    let staging = Staging::new(&out).unwrap();
    staging.put(&[file("new.csv", "new")]).unwrap();
    write_marker(staging.staging.path(), &["new.csv"]).unwrap();
    let unsupported = |_: &Path, _: &Path| Err(std::io::Error::from_raw_os_error(22));
    swap_in(staging.staging, &out, unsupported).unwrap();
    assert_eq!(names(&out), [MARKER, "new.csv"]);
    assert_eq!(
        names(root.path()),
        ["out"],
        "the previous content is removed"
    );
}

#[test]
fn stale_staging_names_are_recognised() {
    let here = format!(".gallerysim-4242@{}-aB3dE9", host());
    assert_eq!(stale_pid(&here), Some(4242));
    assert_eq!(stale_pid(&format!("{here}-previous")), None);
    assert_eq!(stale_pid(".gallerysim-4242@another-node-aB3dE9"), None);
    assert_eq!(stale_pid(".gallerysim-output"), None);
    assert_eq!(stale_pid(".gallerysim-12-notours!"), None);
}

#[test]
fn a_stale_staging_folder_is_swept_a_live_one_kept() {
    let root = tempfile::tempdir().unwrap();
    // Process ids above the kernel's maximum (2^22) never exist.
    let dead = root
        .path()
        .join(format!(".gallerysim-99999999@{}-abcdef", host()));
    std::fs::create_dir(&dead).unwrap();
    write_marker(&dead, &[]).unwrap();
    let live = root.path().join(format!("{}abcdef", private_prefix()));
    std::fs::create_dir(&live).unwrap();
    write_marker(&live, &[]).unwrap();
    let user = root
        .path()
        .join(format!(".gallerysim-99999999@{}-userss", host()));
    std::fs::create_dir(&user).unwrap(); // no marker: not ours
    Staging::new(&root.path().join("out"))
        .unwrap()
        .commit(&[])
        .unwrap();
    assert!(!dead.exists() && live.exists() && user.exists());
}

#[test]
fn single_files_never_replace_an_input_and_others_only_with_force() {
    let root = tempfile::tempdir().unwrap();
    let page = root.path().join("pg.json");
    std::fs::write(&page, "{}").unwrap();
    let inputs = [page.clone()];
    let err = write_new_file(&page, b"x", &inputs, true, "--out").unwrap_err();
    assert!(err.to_string().contains("is also an input"), "{err}");
    assert_eq!(std::fs::read_to_string(&page).unwrap(), "{}");
    let out = root.path().join("prices.csv");
    write_new_file(&out, b"1", &inputs, false, "--out").unwrap();
    let err = write_new_file(&out, b"2", &inputs, false, "--out").unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    write_new_file(&out, b"3", &inputs, true, "--out").unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "3");
}
