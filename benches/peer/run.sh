#!/usr/bin/env bash
# gallerysim against a SimPy model of the same fleet (benches/peer/model.py): 600 images,
# 36 months, deterministic. Both must give the same total to the cent (asserted) before a
# ratio is printed. Whole process for gallerysim (validate, simulate, price, write every
# file including a 27 MB versions.csv), best of 3; the peer only simulates and prints totals.
#
#   benches/peer/run.sh        (needs python3 with venv; installs simpy 4.1.2 from PyPI once)
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${PEER_VENV:-target/peer-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import simpy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet simpy==4.1.2
fi
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/peer/fleet.py "$work/fleet.toml" "$work/fleet.json"

best() { # best wall seconds of 3: best THREADS
  local b=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e" -o "$work/t" target/release/gallerysim run "$work/fleet.toml" \
      --threads "$1" --out "$work/out" -q
    s=$(cat "$work/t")
    if [ -z "$b" ] || awk "BEGIN{exit !($s < $b)}"; then b=$s; fi
  done
  echo "$b"
}
g1=$(best 1)
g2=$(best 2)
/usr/bin/time -f "%e" -o "$work/tp" "$venv/bin/python" benches/peer/model.py "$work/fleet.json" >"$work/peer.json"
peer=$(cat "$work/tp")

ours=$(awk -F, 'NR == 2 { print $3 }' "$work/out/runs.csv")
theirs=$("$venv/bin/python" -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['total_cost'])" "$work/peer.json")
awk -v a="$ours" -v b="$theirs" 'BEGIN { d = a - b; if (d < 0) d = -d; if (d >= 0.005) { printf "totals differ: gallerysim %s, SimPy %s\n", a, b; exit 1 } }'
echo "total cost: gallerysim $ours, SimPy $theirs (equal to the cent)"
printf 'SimPy peer:                  %6.2f s\n' "$peer"
printf 'gallerysim whole, 1 thread:  %6.2f s  (%.1fx)\n' "$g1" "$(awk "BEGIN{print $peer / $g1}")"
printf 'gallerysim whole, 2 threads: %6.2f s  (%.1fx)\n' "$g2" "$(awk "BEGIN{print $peer / $g2}")"
