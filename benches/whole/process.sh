#!/usr/bin/env bash
# Whole-process timings of the release binary: one run of 2,000- and 8,000-lab fleets and 100
# runs of 200- and 2,000-lab fleets, at 1 and 2 threads, optionally against a baseline binary.
# The machine is shared and noisy (its speed drifts within minutes), so every repeat runs each
# binary at 1 and at 2 threads back to back, and the table gives the best and the median of
# the repeats and the speed-up of the medians (pairs measured minutes apart are not compared):
#
#   benches/whole/process.sh [BASELINE_BINARY] [REPEATS]
#
# Prints one line per case and binary: best and median wall seconds, peak RSS (MB) at 1 and 2
# threads, and the 2-thread speed-up (medians, and bests).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
new=target/release/gallerysim
base=${1:-}
repeats=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$new" generate --labs 200 --runs 1 --out "$work/fleet200.toml" >/dev/null
"$new" generate --labs 2000 --runs 1 --out "$work/fleet2000.toml" >/dev/null
"$new" generate --labs 8000 --runs 1 --out "$work/fleet8000.toml" >/dev/null

printf '%-24s %-9s %-19s %-19s %7s %7s %s\n' case binary "1 thread best/med" \
  "2 threads best/med" "1t MB" "2t MB" "speed-up med (best)"
for case in "fleet2000 1" "fleet8000 1" "fleet200 100" "fleet2000 100"; do
  set -- $case
  : >"$work/times"
  for _ in $(seq "$repeats"); do
    for bin in $new $base; do
      for threads in 1 2; do
        /usr/bin/time -f "%e %M" -o "$work/t" "$bin" run "$work/$1.toml" --threads "$threads" \
          --runs "$2" --out "$work/out" -q
        echo "$bin $threads $(cat "$work/t")" >>"$work/times"
      done
    done
  done
  for bin in $new $base; do
    awk -v bin="$bin" -v label="$([ "$bin" = "$new" ] && echo new || echo baseline)" \
      -v what="$1, $2 run(s)" '
      function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      }
      $1 == bin { n[$2]++; s[$2, n[$2]] = $3; if ($4 / 1024 > mb[$2]) mb[$2] = int($4 / 1024) }
      END {
        for (t = 1; t <= 2; t++) { best[t] = 1e9; for (i = 1; i <= n[t]; i++) { a[i] = s[t, i]; if (a[i] < best[t]) best[t] = a[i] }; med[t] = median(a, n[t]) }
        printf "%-24s %-9s %8.2f / %-8.2f %8.2f / %-8.2f %7d %7d %.2fx (%.2fx)\n", what, label, best[1], med[1], best[2], med[2], mb[1], mb[2], med[1] / med[2], best[1] / best[2]
      }' "$work/times"
  done
done
