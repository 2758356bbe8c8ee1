#!/usr/bin/env bash
# gallerysim against a SimPy model of the same fleet (benches/peer/model.py): 600 images,
# 36 months, deterministic. Both must give the same total to the cent (asserted) before a
# ratio is printed. Whole process for gallerysim (validate, simulate, price, write every
# file including a 27 MB versions.csv); the peer only simulates and prints totals.
#
#   REPEATS=3 benches/peer/run.sh   (needs python3 with venv; installs simpy 4.1.2 from PyPI once)
#   GALLERYSIM=/path/to/older/gallerysim benches/peer/run.sh   (another binary, e.g. a baseline)
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${PEER_VENV:-target/peer-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import simpy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet simpy==4.1.2
fi
cargo build --release --quiet
bin=${GALLERYSIM:-target/release/gallerysim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/peer/fleet.py "$work/fleet.toml" "$work/fleet.json"

# The machine's speed drifts within minutes (SimPy alone took 3.5 s to 9 s on one day), so
# each of the REPEATS rounds times SimPy, then gallerysim at 1 and at 2 threads, back to back,
# and the ratios are of the same round; the medians of the rounds' ratios are the result,
# printed once the totals are checked equal.
repeats=${REPEATS:-3}
: >"$work/rounds"
: >"$work/report"
for round in $(seq "$repeats"); do
  /usr/bin/time -f "%e" -o "$work/tp" "$venv/bin/python" benches/peer/model.py "$work/fleet.json" >"$work/peer.json"
  for threads in 1 2; do
    /usr/bin/time -f "%e" -o "$work/t$threads" "$bin" run "$work/fleet.toml" \
      --threads "$threads" --out "$work/out" -q
  done
  peer=$(cat "$work/tp"); g1=$(cat "$work/t1"); g2=$(cat "$work/t2")
  echo "$peer $g1 $g2" >>"$work/rounds"
  printf 'round %d: SimPy %6.2f s, gallerysim %5.2f s at 1 thread (%5.1fx), %5.2f s at 2 (%5.1fx)\n' \
    "$round" "$peer" "$g1" "$(awk "BEGIN{print $peer / $g1}")" "$g2" "$(awk "BEGIN{print $peer / $g2}")" \
    >>"$work/report"
done
ours=$(awk -F, 'NR == 2 { print $3 }' "$work/out/runs.csv")
theirs=$("$venv/bin/python" -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['total_cost'])" "$work/peer.json")
awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; if (d >= 0.005) { printf "totals differ: gallerysim %s, SimPy %s\n", a, b; exit 1 } }'
echo "total cost: gallerysim $ours, SimPy $theirs (equal to the cent)"
cat "$work/report"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
r1=$(awk '{ print $1 / $2 }' "$work/rounds" | median)
r2=$(awk '{ print $1 / $3 }' "$work/rounds" | median)
printf 'median of %d rounds: %.1fx at 1 thread, %.1fx at 2 threads\n' "$repeats" "$r1" "$r2"
