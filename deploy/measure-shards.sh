#!/usr/bin/env bash
# Measures what shard size costs: for each N, runs every shard of a scenario one after another
# on one thread (so the times add up to the CPU a cluster spends), then the merge, and prints
# one row per N: CPU seconds of all shards, of the slowest shard, partial sizes, merge time
# and memory. Compare the first row (N=1) with the rest for the overhead of sharding.
#
#   deploy/measure-shards.sh SCENARIO RUNS "1 2 4 8 16" [OUTDIR]
#   deploy/measure-shards.sh <(gallerysim generate --labs 2000) 64 "1 4 16 64"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gallerysim=${GALLERYSIM:-${CARGO_TARGET_DIR:-$here/../target}/release/gallerysim}
scenario=${1:?scenario} runs=${2:?runs} ns=${3:?list of N}
work=${4:-$(mktemp -d)}
mkdir -p "$work"
cp "$scenario" "$work/scenario.toml"
t() { /usr/bin/time -f '%U %S %e %M' -o "$work/time" "$@"; read -r u s e m <"$work/time"; }
t "$gallerysim" run "$work/scenario.toml" --runs "$runs" --threads 1 --out "$work/single" -q
printf 'single run (%s runs, 1 thread): %.2f s CPU, %.2f s wall, %d MB\n' "$runs" "$(echo "$u + $s" | bc)" "$e" $((m / 1024))
printf 'N\truns/shard\tCPU all shards s\tslowest shard s\tshard max MB\tpartial 1 MB\tother partial MB\tall partials MB\tmerge s\tmerge MB\tidentical\n'
for n in $ns; do
    rm -rf "$work/parts" "$work/merged"
    cpu=0 slow=0 smem=0
    for ((k = 1; k <= n; k++)); do
        t "$gallerysim" run "$work/scenario.toml" --runs "$runs" --shard "$k/$n" --threads 1 --out "$work/parts" -q
        c=$(echo "$u + $s" | bc); cpu=$(echo "$cpu + $c" | bc)
        if [ "$(echo "$c > $slow" | bc)" = 1 ]; then slow=$c; fi
        if [ "$m" -gt "$smem" ]; then smem=$m; fi
    done
    p1=$(stat -c %s "$work/parts/partial-0001-of-$(printf %04d "$n").gsp")
    other=$( (find "$work/parts" -name 'partial-*.gsp' ! -name 'partial-0001-*' -printf '%s\n'; echo 0) | sort -n | tail -1)
    all=$(du -cb "$work"/parts/*.gsp | tail -1 | cut -f1)
    t "$gallerysim" merge "$work/parts" --out "$work/merged" -q
    same=no; diff -r "$work/single" "$work/merged" >/dev/null && same=yes
    printf '%d\t%s\t%.2f\t%.2f\t%d\t%.1f\t%.2f\t%.1f\t%.2f\t%d\t%s\n' "$n" "$(( (runs + n - 1) / n ))" \
        "$cpu" "$slow" $((smem / 1024)) "$(echo "$p1 / 1000000" | bc -l)" "$(echo "$other / 1000000" | bc -l)" \
        "$(echo "$all / 1000000" | bc -l)" "$(echo "$u + $s" | bc)" $((m / 1024)) "$same"
done
