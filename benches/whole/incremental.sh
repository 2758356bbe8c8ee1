#!/usr/bin/env bash
# Issue 30: what analyses cost against one run of the same fleet. Generated fleets of 200 and
# 2,000 labs (20 runs, 12 months); for each repeat, one after the other: `run`, `tornado
# --per-image`, `compare` of a variant that changes one image and `sweep` of one image's used
# size over five values, with the new binary and
# (when given) a baseline; then the same with the baseline. The machine is shared and noisy:
# read the ratios of each binary to its own `run` of the same repeat, medians and bests.
#
#   benches/whole/incremental.sh [BASELINE_BINARY] [REPEATS] [BASELINE_TORNADO_2000=no]
#
# The baseline's `tornado` of the 2,000-lab fleet re-simulates the whole fleet ~6,000 times
# (about an hour on two cores): it runs only when the third argument is `yes`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
new=target/release/gallerysim
base=${1:-}
repeats=${2:-3}
base_tornado_2000=${3:-no}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for labs in 200 2000; do
  "$new" generate --labs "$labs" --runs 20 --months 12 --out "$work/fleet$labs.toml" >/dev/null
done

: >"$work/times"
timed() { # label binary args...
  local label=$1 bin=$2
  shift 2
  /usr/bin/time -f "%e" -o "$work/t" "$bin" "$@" --out "$work/out" -q >/dev/null
  rm -rf "$work/out"
  echo "$label $bin $(cat "$work/t")" >>"$work/times"
}
for _ in $(seq "$repeats"); do
  for bin in $new $base; do
    for labs in 200 2000; do
      f="$work/fleet$labs.toml"
      timed "run$labs" "$bin" run "$f"
      timed "compare$labs" "$bin" compare "$f" --variant "v:image.inst0000-img00.used_gb=90"
      timed "sweep$labs" "$bin" sweep "$f" --param image.inst0000-img00.used_gb \
        --values 20,40,60,80,100
      if [ "$bin" = "$new" ] || [ "$labs" = 200 ] || [ "$base_tornado_2000" = yes ]; then
        # A binary before issue 30 lists every image's inputs without being asked.
        per_image=$("$bin" tornado --help | grep -q -- --per-image && echo --per-image || true)
        timed "tornado$labs" "$bin" tornado "$f" $per_image
      fi
    done
  done
done

for bin in $new $base; do
  awk -v bin="$bin" -v label="$([ "$bin" = "$new" ] && echo new || echo baseline)" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $2 == bin { n[$1]++; s[$1, n[$1]] = $3 }
    END {
      for (c in n) { best[c] = 1e9; for (i = 1; i <= n[c]; i++) { a[i] = s[c, i]; if (a[i] < best[c]) best[c] = a[i] }; med[c] = median(a, n[c]) }
      for (labs = 200; labs <= 2000; labs *= 10) {
        r = "run" labs
        printf "%-9s %5d labs: run %6.2f / %-6.2f s", label, labs, best[r], med[r]
        split("compare sweep tornado", kinds, " ")
        for (k = 1; k <= 3; k++) {
          c = kinds[k] labs
          if (n[c]) printf "   %s %7.2f / %-7.2f s (%.1fx / %.1fx of run)", (k == 3 ? "tornado --per-image" : kinds[k]), best[c], med[c], best[c] / best[r], med[c] / med[r]
        }
        printf "\n"
      }
    }' "$work/times"
done
