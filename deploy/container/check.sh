#!/usr/bin/env bash
# Runs the Kubernetes manifests' exact shard and merge commands inside the built image, on a
# host folder standing in for the shared volume, and checks that:
#   1. N shard containers (JOB_COMPLETION_INDEX 0..N-1) and the merge container give a folder
#      byte-identical to a single `gallerysim run` of the same inputs in the same image;
#   2. a resubmitted shard whose partial exists exits 0 at once;
#   3. an input error exits 2 and the Job's podFailurePolicy fails the Job (no retries), while
#      a killed shard (OOM, exit 137) is retried for its index only; a merge with a missing shard exits
#      2 naming the missing runs.
# Containers run as the image's non-root user on a read-only root, like the manifests ask.
# Skips (exit 0, with a message) where neither podman nor docker can run a container.
#
#   deploy/container/check.sh [--compile] [SCENARIO] [N]
#
# --compile builds the image from source (about 4 min on 2 cores); the default reuses the
# binary cargo built (build.sh --prebuilt). IMAGE=... uses an existing image instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
k8s=$repo/deploy/k8s
# shellcheck source=engine.sh source-path=SCRIPTDIR
. "$here/engine.sh"
mode=--prebuilt
if [ "${1:-}" = --compile ]; then mode=; shift; fi
scenario=${1:-$repo/scenarios/budget-montecarlo.toml}
n=${2:-4}
if ! engine=$(container_engine); then
    echo "SKIP deploy/container/check.sh: $engine"
    exit 0
fi
python3 -c 'import yaml' 2>/dev/null || pip install -q pyyaml
image=${IMAGE:-}
if [ -z "$image" ]; then
    image=localhost/gallerysim:check
    # shellcheck disable=SC2086  # $mode is empty or one option
    "$here/build.sh" $mode --tag "$image" | tail -1
fi
work=$(mktemp -d /var/tmp/gallerysim-check.XXXXXX)
trap 'rm -rf "$work"' EXIT
vol=$work/volume
mkdir -p "$vol/check/input"
cp "$scenario" "$vol/check/input/scenario.toml"
cp "$repo/data/prices.csv" "$vol/check/input/prices.csv"
chown -R 10001:10001 "$vol"
# The limits of this sandbox refuse podman's default rlimits; these are ample.
run=("$engine" run --rm --read-only --ulimit nofile=4096:4096 --ulimit nproc=4096:4096
     -v "$vol:/data")
render() { # NAME SHARDS RUN_OPTIONS TEMPLATE OUT
    NAME=$1 SHARDS=$2 RUN_OPTIONS=$3 IMAGE=$image "$k8s/render.sh" "$4" >"$5"
}
# Runs container $2 of rendered manifest $1 as the cluster would; extra args: podman options.
run_manifest() {
    local manifest=$1 container=$2; shift 2
    "$k8s/manifest-commands.py" "$manifest" "$container" "$work/argv" "$work/env"
    local argv=() envs=()
    mapfile -d '' argv <"$work/argv"
    while IFS= read -r line; do envs+=(-e "$line"); done <"$work/env"
    "${run[@]}" "${envs[@]}" "$@" "$image" "${argv[@]}"
}

opts="--runs 200 --prices /data/check/input/prices.csv"
render check "$n" "$opts" gallerysim-shards.yaml "$work/shards.yaml"
render check "$n" "$opts" gallerysim-merge.yaml "$work/merge.yaml"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
start=$(ms)
for ((i = 0; i < n; i++)); do
    run_manifest "$work/shards.yaml" shard -e JOB_COMPLETION_INDEX=$i
done
mid=$(ms)
run_manifest "$work/merge.yaml" merge
end=$(ms)
echo "$n shard containers one after another: $((mid - start)) ms; merge container: $((end - mid)) ms"
ls -l "$vol/check/parts"
# shellcheck disable=SC2086  # $opts is a list of options
"${run[@]}" "$image" gallerysim run /data/check/input/scenario.toml $opts --out /data/single -q
if diff -r "$vol/single" "$vol/check/results" >/dev/null; then
    echo "OK: manifests' commands in $image: merged folder byte-identical to a single run"
else
    diff -rq "$vol/single" "$vol/check/results" >&2 || true
    echo "FAIL: the merged folder differs from a single run" >&2
    exit 1
fi

echo "--- resubmission: a shard whose partial exists"
run_manifest "$work/shards.yaml" shard -e JOB_COMPLETION_INDEX=0

echo "--- input error in a shard"
mkdir -p "$vol/bad/input"
printf '[scenario]\nname = "bad"\nstart = "2026-01-01"\nmonths = 700\n' >"$vol/bad/input/scenario.toml"
chown -R 10001:10001 "$vol/bad"
render bad "$n" "" gallerysim-shards.yaml "$work/bad.yaml"
code=0; run_manifest "$work/bad.yaml" shard -e JOB_COMPLETION_INDEX=0 || code=$?
[ $code = 2 ] || { echo "FAIL: expected exit 2 from the bad scenario, got $code" >&2; exit 1; }
"$k8s/policy.py" "$work/bad.yaml" shard $code | tee "$work/policy"
grep -q FailJob "$work/policy"

echo "--- a shard killed (a 400-lab fleet needs ~66 MB; limit 16 MiB: an OOM kill, as a lost node)"
mkdir -p "$vol/oom/input"; chown -R 10001:10001 "$vol/oom"
"${run[@]}" "$image" gallerysim generate --labs 400 --runs 200 --out /data/oom/input/scenario.toml
render oom "$n" "" gallerysim-shards.yaml "$work/oom.yaml"
code=0; run_manifest "$work/oom.yaml" shard -e JOB_COMPLETION_INDEX=1 --memory=16m || code=$?
case $code in 0|2) echo "FAIL: expected a kill, got exit $code" >&2; exit 1 ;; esac
"$k8s/policy.py" "$work/oom.yaml" shard $code | tee "$work/policy"
grep -q "this index alone is retried" "$work/policy"

echo "--- merge with a missing shard"
rm "$vol/check/parts/partial-0002-of-$(printf %04d "$n").gsp" "$vol/check/results" -r
code=0; run_manifest "$work/merge.yaml" merge || code=$?
[ $code = 2 ] || { echo "FAIL: expected exit 2 from the merge, got $code" >&2; exit 1; }
"$k8s/policy.py" "$work/merge.yaml" merge $code
[ ! -e "$vol/check/results" ] || { echo "FAIL: the failed merge wrote results" >&2; exit 1; }
echo "OK: container check passed (image $image, $engine)"
