//! Reading a bill of 1,000,000 rows (issue 28): `gallerysim reconcile`'s reader against a
//! baseline that only parses the same CSV with the `csv` crate (every record, no field looked
//! at), in one sitting. Not a criterion benchmark: one pass over 700 MB is the measurement, and
//! peak memory needs a process of its own (`benches/bill.sh` runs each mode under
//! `/usr/bin/time -v`).
//!
//! - `cargo bench --bench bill`: writes `target/bill-bench/bill-1m.csv` once (EA cost details,
//!   the fixture bill's rows in its real 55-column shape: half of them gallery rows spread over
//!   100 versions, half other resources), then times the baseline and the reader, best of 3.
//! - `cargo bench --bench bill -- gen FILE ROWS`, `-- csv FILE`, `-- bill FILE`: one step each.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gallerysim::bill::{Bill, Selection};
use gallerysim::scenario::Scenario;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scenario() -> Scenario {
    Scenario::load(&repo().join("tests/fixtures/bill/scenario.toml")).expect("fixture scenario")
}

/// Writes `rows` data rows: gallery rows of the fixture (versions 1.0.0 to 1.0.99) alternating
/// with its rows of other resources.
fn generate(path: &Path, rows: usize) {
    let fixture = repo().join("tests/fixtures/bill/ea-actual-2026q1.csv");
    let mut reader = csv::Reader::from_path(fixture).expect("fixture bill");
    let header = reader.headers().expect("header").clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let id = header
        .iter()
        .position(|h| h == "ResourceId")
        .expect("ResourceId");
    let (gallery, other): (Vec<_>, Vec<_>) = records
        .into_iter()
        .partition(|r| r[id].contains("/galleries/"));
    let file = std::fs::File::create(path).expect("bench file");
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(file));
    out.write_record(&header).expect("write");
    for i in 0..rows {
        if i % 2 == 1 {
            out.write_record(&other[i / 2 % other.len()])
                .expect("write");
            continue;
        }
        let n = i / 2;
        let row = &gallery[n % gallery.len()];
        let version = format!("/versions/1.0.{}", n / gallery.len() % 100);
        let fields: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, f)| match c == id {
                true => f.replace("/versions/1.0.0", &version),
                false => f.to_string(),
            })
            .collect();
        out.write_record(&fields).expect("write");
    }
    out.flush().expect("flush");
}

/// The baseline: every record parsed, nothing else. Returns the records read.
fn plain_csv(path: &Path) -> u64 {
    let file = std::fs::File::open(path).expect("bench file");
    let mut reader = csv::Reader::from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader.read_record(&mut record).expect("csv") {
        rows += 1;
    }
    rows
}

/// The reader of `reconcile`: selected rows checked and summed. Returns the rows read.
fn bill(scenario: &Scenario, path: &Path) -> u64 {
    let bill = Bill::read(scenario, &[path], &Selection::default()).expect("bill");
    bill.files[0].rows
}

fn best_of_3(what: &str, mut f: impl FnMut() -> u64) -> f64 {
    let mut best = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..3 {
        let start = Instant::now();
        rows = std::hint::black_box(f());
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{what:<28} {rows} rows in {best:.3} s ({:.2} M rows/s)",
        rows as f64 / best / 1e6
    );
    best
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["gen", file, rows] => generate(Path::new(file), rows.parse().expect("rows")),
        ["csv", file] => println!("{} rows", plain_csv(Path::new(file))),
        ["bill", file] => println!("{} rows", bill(&scenario(), Path::new(file))),
        [] => {
            let dir = repo().join("target/bill-bench");
            std::fs::create_dir_all(&dir).expect("bench folder");
            let path = dir.join("bill-1m.csv");
            if !path.exists() {
                generate(&path, 1_000_000);
            }
            let scenario = scenario();
            let base = best_of_3("baseline: csv records", || plain_csv(&path));
            let ours = best_of_3("reconcile reader", || bill(&scenario, &path));
            println!("reader / baseline: {:.2}x", ours / base);
        }
        other => {
            let _ = writeln!(
                std::io::stderr(),
                "usage: bill [gen FILE ROWS | csv FILE | bill FILE] (got {other:?})"
            );
            std::process::exit(2);
        }
    }
}
