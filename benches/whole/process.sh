#!/usr/bin/env bash
# Whole-process timings of the release binary: one run of 2,000- and 8,000-lab fleets and 100
# runs of 200- and 2,000-lab fleets, at 1 and 2 threads, best of N alternating (the machine is shared
# and noisy: read the ratios measured in the same sitting). Optionally against a baseline
# binary measured in the same sitting:
#
#   benches/whole/process.sh [BASELINE_BINARY] [REPEATS]
#
# Prints one line per case: wall seconds (best), peak RSS (MB), and the 2-thread speed-up.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
new=target/release/gallerysim
base=${1:-}
repeats=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$new" generate --labs 200 --runs 1 --out "$work/fleet200.toml" >/dev/null
"$new" generate --labs 2000 --runs 1 --out "$work/fleet2000.toml" >/dev/null
"$new" generate --labs 8000 --runs 1 --out "$work/fleet8000.toml" >/dev/null

# best wall seconds and its peak RSS in MB of `repeats` runs: measure BIN SCENARIO THREADS RUNS
measure() {
  local bin=$1 scenario=$2 threads=$3 runs=$4 best="" mem=""
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$bin" run "$scenario" --threads "$threads" \
      --runs "$runs" --out "$work/out" -q
    read -r s kb <"$work/t"
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; mem=$((kb / 1024)); fi
  done
  echo "$best $mem"
}

printf '%-34s %-10s %9s %9s %9s %9s %8s\n' case binary "1t s" "1t MB" "2t s" "2t MB" "speedup"
for case in "fleet2000 1" "fleet8000 1" "fleet200 100" "fleet2000 100"; do
  set -- $case
  for bin in $new $base; do
    read -r s1 m1 < <(measure "$bin" "$work/$1.toml" 1 "$2")
    read -r s2 m2 < <(measure "$bin" "$work/$1.toml" 2 "$2")
    printf '%-34s %-10s %9s %9s %9s %9s %8s\n' "$1, $2 run(s), whole process" \
      "$([ "$bin" = "$new" ] && echo new || echo baseline)" "$s1" "$m1" "$s2" "$m2" \
      "$(awk "BEGIN{printf \"%.2fx\", $s1 / $s2}")"
  done
done
