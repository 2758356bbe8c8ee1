#!/usr/bin/env bash
# Checks run-shards.sh on this machine: a scenario path with spaces; N=4 and then N=3 into the
# same output (partials of the two runs kept apart); a shard that keeps failing (a wrapper
# exits 1 for it), the message and the resume that runs only that shard; an input error
# (exit 2). Every merged folder must be byte-identical to a single run. Skips (exit 0, with a
# message) where GNU parallel is not installed.
#
#   deploy/parallel/check.sh [SCENARIO]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if ! command -v parallel >/dev/null; then
    echo "SKIP deploy/parallel/check.sh: GNU parallel is not installed (apt-get install parallel)"
    exit 0
fi
gallerysim=${GALLERYSIM:-${CARGO_TARGET_DIR:-$repo/target}/release/gallerysim}
[ -x "$gallerysim" ] || (cd "$repo" && cargo build --release --quiet)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/my scenarios"
scenario="$work/my scenarios/campus plan.toml"
cp "${1:-$repo/scenarios/budget-montecarlo.toml}" "$scenario"
cd "$work"
"$gallerysim" run "$scenario" --runs 200 --out single -q
same() {
    if diff -r single "$1" >/dev/null; then echo "OK: $2: byte-identical to a single run"
    else echo "FAIL: $2: differs from a single run" >&2; exit 1; fi
}
export GALLERYSIM=$gallerysim JOBS=2

echo "== N=4, a scenario path with spaces"
"$here/run-shards.sh" "$scenario" 4 "results" --runs 200
same results "N=4"
echo "== the same output folder again with N=3"
"$here/run-shards.sh" "$scenario" 3 "results" --runs 200
same results "N=3 after N=4"
ls results.parts

echo "== N=5, shard 2 keeps failing"
cat >flaky <<WRAP
#!/bin/sh
case " \$* " in *" --shard 2/5 "*) echo "simulated crash of shard 2" >&2; exit 1 ;; esac
exec "$gallerysim" "\$@"
WRAP
chmod +x flaky
code=0
GALLERYSIM=$work/flaky RETRIES=1 "$here/run-shards.sh" "$scenario" 5 results5 --runs 200 \
    2>err || code=$?
cat err
if [ $code = 0 ] || ! grep -q -- "--shard 2/5" err || ! grep -q "run the same command again" err; then
    echo "FAIL: the failed shard was not named with its recovery (exit $code)" >&2; exit 1
fi
[ ! -e results5 ] || { echo "FAIL: results written despite a failed shard" >&2; exit 1; }
echo "== the same command again (the node is fixed): only the failed and unstarted shards run"
before=$(wc -l <results5.parts/n5-*/joblog)
"$here/run-shards.sh" "$scenario" 5 results5 --runs 200
after=$(wc -l <results5.parts/n5-*/joblog)
echo "joblog: $((after - before)) new job(s)"
same results5 "N=5 after resuming"

echo "== an input error"
code=0
"$here/run-shards.sh" "$scenario" 2 bad --runs 200 --set scenario.months=700 2>err || code=$?
cat err
if [ $code != 2 ] || ! grep -q "input error" err; then
    echo "FAIL: expected exit 2 named as an input error" >&2; exit 1
fi
echo "OK: GNU parallel check passed"
