#!/usr/bin/env bash
# The README's pictures come from the current build: monthly_cost.png and
# cost_distribution.png of the bundled default scenario, and report.png (question-migration's
# report.html in headless Chromium, only where Chromium is installed).
#
#   docs/screenshots.sh           regenerate them into docs/
#   docs/screenshots.sh --check   fail when docs/ holds other pictures than this build draws
#                                 (CI runs this; the charts are deterministic, byte for byte)
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --release --quiet -- run --out "$work/default" --quiet
stale=()
for chart in monthly_cost cost_distribution; do
    if $check; then
        cmp -s "$work/default/$chart.png" "docs/$chart.png" || stale+=("docs/$chart.png")
    else
        cp "$work/default/$chart.png" "docs/$chart.png"
    fi
done
if ! $check; then
    if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
        cargo run --release --quiet -- run scenarios/question-migration.toml \
            --out "$work/migration" --quiet
        tests/browser/render-report.sh "$work/migration" >/dev/null
        cp "$work/migration/report.png" docs/report.png
    else
        echo "screenshots: docs/report.png kept (no chromium to render report.html)"
    fi
    echo "screenshots: docs/ regenerated"
    exit 0
fi
if [ ${#stale[@]} -gt 0 ]; then
    echo "screenshots: ${stale[*]} differ from what this build draws; run docs/screenshots.sh" >&2
    exit 1
fi
echo "screenshots: docs/ charts are current (report.png is checked only by eye: it needs Chromium)"
