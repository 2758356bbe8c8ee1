#!/usr/bin/env bash
# Renders report.html in headless Chromium (Debian's package) to a PNG screenshot and an A4
# PDF, and checks both were produced. Skipped, with a message, when Chromium is not installed
# (CI runs it when it is). Usage: tests/browser/render-report.sh [DIR]
# Without DIR: the report of every command (run, merge, compare, sweep, tornado, advise,
# reconcile), each
# in a new folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
    echo "render-report: skipped (no chromium; apt-get install chromium to run it)"
    exit 0
fi
if [ -z "${1:-}" ]; then
    g() { cargo run --release --quiet -- "$@" --quiet 2>/dev/null; }
    root=$(mktemp -d /tmp/gallerysim-report.XXXXXX)
    g run scenarios/question-migration.toml --out "$root/run"
    g run scenarios/question-migration.toml --shard 1/2 --out "$root/parts"
    g run scenarios/question-migration.toml --shard 2/2 --out "$root/parts"
    g merge "$root"/parts/* --out "$root/merge"
    g compare scenarios/question-lab-account.toml scenarios/question-lab-plan.toml --runs 50 \
        --out "$root/compare"
    g sweep scenarios/question-retention.toml --param gallery.campus.keep_versions \
        --values 1,2,3,0 --runs 20 --out "$root/sweep"
    g tornado scenarios/question-migration.toml --runs 20 --out "$root/tornado"
    g advise scenarios/question-replicas.toml --target-minutes 30 --runs 20 --out "$root/advise"
    g reconcile tests/fixtures/bill/scenario.toml --bill tests/fixtures/bill/ea-actual-2026q1.csv \
        --out "$root/reconcile"
    for command in run merge compare sweep tornado advise reconcile; do
        "$0" "$root/$command"
    done
    exit 0
fi
dir=$1
[ -f "$dir/report.html" ] || { echo "render-report: no $dir/report.html" >&2; exit 1; }
profile=$(mktemp -d)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$profile")
"$chrome" "${flags[@]}" --window-size=1280,2400 --screenshot="$dir/report.png" \
    "file://$(realpath "$dir/report.html")" >/dev/null 2>&1
"$chrome" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$dir/report.pdf" \
    "file://$(realpath "$dir/report.html")" >/dev/null 2>&1
rm -rf "$profile"
for f in report.png report.pdf; do
    [ -s "$dir/$f" ] || { echo "render-report: $f was not produced" >&2; exit 1; }
done
head -c 4 "$dir/report.pdf" | grep -q '%PDF' || { echo "render-report: not a PDF" >&2; exit 1; }
echo "render-report: $dir/report.png and $dir/report.pdf"
