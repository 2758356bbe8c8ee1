#!/usr/bin/env bash
# The 2-thread speed-up of one binary (issue 30): each case runs at 1 and at 2 threads back to
# back, REPEATS times, the order alternating (1-2, 2-1, ...), so every pair sees the same
# machine; the speed-up is the median of the pairs' ratios, never a ratio of times measured
# minutes apart. User+sys CPU seconds are printed too: with wall W1, W2 and CPU C1, C2, a
# serial share can be read off (2 x W2 - C2 is the wall no second core helped with).
#
#   benches/whole/threads.sh [BINARY] [REPEATS] [CASE...]
#
# A case is "LABS RUNS" (a generated fleet, `run` with --runs RUNS) or "tornado LABS" (a
# `tornado --per-image` of `generate --labs LABS --runs 20 --months 12`, beside one `run` of it).
# Default cases: "2000 1" and "200 100". Check `uptime` first: the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/gallerysim
fi
repeats=${2:-7}
shift $(($# > 2 ? 2 : $#))
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("2000 1" "200 100")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "binary $bin, $(uptime | sed 's/.*load/load/')"

timed() { # timed THREADS COMMAND... -> "wall cpu"
  local threads=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/t" "$@" --threads "$threads" --out "$work/out" -q
  awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$work/t"
}

for case in "${cases[@]}"; do
  set -- $case
  if [ "$1" = tornado ]; then
    fleet="$work/t$2.toml"
    [ -f "$fleet" ] || "$bin" generate --labs "$2" --runs 20 --months 12 --out "$fleet" >/dev/null
    a=(run "$fleet")
    b=(tornado "$fleet" --per-image)
    label="$2 labs: tornado --per-image / run, 2 threads"
  else
    fleet="$work/f$1.toml"
    [ -f "$fleet" ] || "$bin" generate --labs "$1" --runs 1 --out "$fleet" >/dev/null
    a=(run "$fleet" --runs "$2")
    b=()
    label="$1 labs x $2 run(s): 1 thread / 2 threads"
  fi
  echo "$label"
  : >"$work/ratios"
  for i in $(seq "$repeats"); do
    if [ ${#b[@]} -eq 0 ]; then
      if [ $((i % 2)) -eq 1 ]; then
        one=$(timed 1 "$bin" "${a[@]}"); two=$(timed 2 "$bin" "${a[@]}")
      else
        two=$(timed 2 "$bin" "${a[@]}"); one=$(timed 1 "$bin" "${a[@]}")
      fi
      # shellcheck disable=SC2086
      set -- $one $two
      ratio=$(awk -v x="$1" -v y="$3" 'BEGIN { printf "%.2f", x / y }')
      echo "  pair $i: 1t $1 s (cpu $2)  2t $3 s (cpu $4)  ratio ${ratio}x"
    else
      if [ $((i % 2)) -eq 1 ]; then
        one=$(timed 2 "$bin" "${a[@]}"); two=$(timed 2 "$bin" "${b[@]}")
      else
        two=$(timed 2 "$bin" "${b[@]}"); one=$(timed 2 "$bin" "${a[@]}")
      fi
      # shellcheck disable=SC2086
      set -- $one $two
      ratio=$(awk -v x="$3" -v y="$1" 'BEGIN { printf "%.2f", x / y }')
      echo "  pair $i: run $1 s (cpu $2)  tornado $3 s (cpu $4)  ratio ${ratio}x"
    fi
    echo "$ratio" >>"$work/ratios"
  done
  sort -n "$work/ratios" | awk '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "  median of %d pairs: %.2fx (range %.2f-%.2f)\n", NR, m, a[1], a[NR] }'
done
echo "$(uptime | sed 's/.*load/load/')"
