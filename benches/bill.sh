#!/bin/sh
# Time and peak memory of reading a 1,000,000-row bill (issue 28), each in a process of its
# own under /usr/bin/time -v, in one sitting: the baseline (the csv crate parsing every
# record), the reconcile reader alone, and the whole `gallerysim reconcile` command.
# Run from the repository root: sh benches/bill.sh (about a minute after the build).
set -eu
cargo build --release --quiet
cargo bench --bench bill --no-run --quiet 2>/dev/null || cargo bench --bench bill --no-run
BENCH=$(ls -t target/release/deps/bill-* | grep -v '\.d$' | head -1)
DIR=target/bill-bench
FILE=$DIR/bill-1m.csv
mkdir -p "$DIR"
[ -f "$FILE" ] || "$BENCH" gen "$FILE" 1000000
ls -l "$FILE"
measure() {
    label=$1; shift
    /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.txt" || { cat "$DIR/time.txt"; exit 1; }
    wall=$(grep 'Elapsed (wall clock)' "$DIR/time.txt" | sed 's/.*: //')
    rss=$(grep 'Maximum resident set size' "$DIR/time.txt" | sed 's/.*: //')
    printf '%-34s wall %s  peak RSS %s KB\n' "$label" "$wall" "$rss"
}
for i in 1 2 3; do
    measure "baseline: csv records" "$BENCH" csv "$FILE"
    measure "reconcile reader" "$BENCH" bill "$FILE"
    rm -rf "$DIR/out"
    measure "gallerysim reconcile (whole)" target/release/gallerysim reconcile \
        tests/fixtures/bill/scenario.toml --bill "$FILE" --out "$DIR/out" --quiet
done
