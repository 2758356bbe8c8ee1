#!/usr/bin/env bash
# Runs a sharded simulation on Kubernetes from start to finish, in order:
#   1. the volume (gallerysim-pvc.yaml, kept between runs);
#   2. the inputs copied onto it, /data/NAME/input/{scenario.toml,prices.csv}, through a
#      short-lived pod (no ConfigMap, so no 1 MiB limit);
#   3. the Indexed Job of SHARDS shards, watched until it is Complete or Failed;
#   4. only when Complete, the merge Job, watched the same way; the results are then in
#      /data/NAME/results on the volume (--fetch DIR copies them here).
#
#   deploy/k8s/submit.sh NAME SCENARIO SHARDS [--prices CATALOG.csv] [--parallelism P]
#       [--image IMAGE] [--fetch DIR] [-- RUN_OPTIONS...]
#
# Run it again with the same NAME after a failure: shards whose partial is on the volume exit
# at once, so only the failed ones compute. Change the inputs or N: use a new NAME.
# KUBECTL="kubectl --context=hpc -n sims" to choose the cluster and namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '9,10p' "$0" >&2; exit 2; }
[ $# -ge 3 ] || usage
name=$1 scenario=$2 shards=$3; shift 3
prices='' parallelism=$shards fetch='' image=${IMAGE:-registry.example.edu/gallerysim:latest}
while [ $# -gt 0 ]; do
    case $1 in
        --prices) prices=${2:?}; shift ;;
        --parallelism) parallelism=${2:?}; shift ;;
        --image) image=${2:?}; shift ;;
        --fetch) fetch=${2:?}; shift ;;
        --) shift; break ;;
        *) usage ;;
    esac
    shift
done
[ -f "$scenario" ] || { echo "submit.sh: no scenario file $scenario" >&2; exit 2; }
[ -z "$prices" ] || [ -f "$prices" ] || { echo "submit.sh: no catalog $prices" >&2; exit 2; }
read -r -a kubectl <<<"${KUBECTL:-kubectl}"
options="$*"
[ -z "$prices" ] || options="$options --prices /data/$name/input/prices.csv"
export NAME=$name SHARDS=$shards PARALLELISM=$parallelism IMAGE=$image RUN_OPTIONS=${options# }
render() { "$here/render.sh" "$1"; }
for t in pvc io shards merge; do render "gallerysim-$t.yaml" >/dev/null; done   # refuse early
shards_job=gallerysim-$name-shards merge_job=gallerysim-$name-merge io=gallerysim-$name-io

# Waits for Job $1 to be Complete (returns 0) or Failed (1), printing progress when it changes (polled every 20 s).
watch_job() {
    local job=$1 total=$2 last='' line ok failed active conds
    while :; do
        line=$("${kubectl[@]}" get job "$job" -o jsonpath='{.status.succeeded}|{.status.failed}|{.status.active}|{range .status.conditions[?(@.status=="True")]}{.type}={.reason} {end}')
        IFS='|' read -r ok failed active conds <<<"$line"
        if [ "$line" != "$last" ]; then
            echo "$(date +%H:%M:%S) $job: ${ok:-0}/$total succeeded, ${active:-0} running, ${failed:-0} failed pods ${conds}"
            last=$line
        fi
        case " $conds " in
            *" Complete="*) return 0 ;;
            *" Failed="*) return 1 ;;
        esac
        sleep 20
    done
}

echo "== volume and inputs"
render gallerysim-pvc.yaml | "${kubectl[@]}" apply -f -
render gallerysim-io.yaml | "${kubectl[@]}" apply -f -
"${kubectl[@]}" wait --for=condition=Ready "pod/$io" --timeout=10m
"${kubectl[@]}" exec "$io" -- mkdir -p "/data/$name/input"
"${kubectl[@]}" cp "$scenario" "$io:/data/$name/input/scenario.toml"
[ -z "$prices" ] || "${kubectl[@]}" cp "$prices" "$io:/data/$name/input/prices.csv"
"${kubectl[@]}" exec "$io" -- sh -c "ls /data/$name/parts 2>/dev/null | grep -c gsp || true" \
    | sed 's/^/partials already on the volume (kept): /'

echo "== $shards shards ($parallelism at a time)"
"${kubectl[@]}" delete job "$shards_job" "$merge_job" --ignore-not-found --wait=true
render gallerysim-shards.yaml | "${kubectl[@]}" apply -f -
if ! watch_job "$shards_job" "$shards"; then
    failed=$("${kubectl[@]}" get job "$shards_job" -o jsonpath='{.status.failedIndexes}')
    reason=$("${kubectl[@]}" get job "$shards_job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}')
    echo "FAILED: $shards_job ($reason); failed indexes (shard = index + 1): ${failed:-none recorded}" >&2
    echo "  logs:    ${kubectl[*]} logs -l job-name=$shards_job --tail=20 --prefix" >&2
    if [ "$reason" = PodFailurePolicy ]; then
        echo "  a shard exited 2: the inputs or options are invalid (the log names file, line and" >&2
        echo "  key). Fix them and submit again under a new NAME." >&2
    else
        echo "  shards crashed or were killed more than backoffLimitPerIndex times (memory? node?)." >&2
        echo "  Run the same command again: finished shards are kept, only the failed ones run." >&2
    fi
    "${kubectl[@]}" delete pod "$io" --wait=false
    exit 1
fi

echo "== merge"
render gallerysim-merge.yaml | "${kubectl[@]}" apply -f -
if ! watch_job "$merge_job" 1; then
    echo "FAILED: $merge_job; its log says why (a missing or foreign partial is named):" >&2
    "${kubectl[@]}" logs "job/$merge_job" --tail=20 >&2 || true
    "${kubectl[@]}" delete pod "$io" --wait=false
    exit 1
fi
echo "results: /data/$name/results on PersistentVolumeClaim gallerysim-data"
if [ -n "$fetch" ]; then
    "${kubectl[@]}" cp "$io:/data/$name/results" "$fetch"
    echo "copied to $fetch"
fi
"${kubectl[@]}" delete pod "$io" --wait=false
