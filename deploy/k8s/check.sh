#!/usr/bin/env bash
# Checks the Kubernetes templates offline, without a cluster:
#   - renders each with one N (render.sh) and validates it against the Kubernetes JSON
#     schemas with kubernetes-validate --strict (unknown fields rejected; the schemas ship with
#     the package from PyPI), for 1.29 (the first with backoffLimitPerIndex on by default)
#     and the package's newest;
#   - checks that N appears once as a parameter: completions = SHARDS = the shard count the
#     pods use, whatever N;
#   - evaluates the failure policy (policy.py): exit 2 (input error) fails the Job at once,
#     exit 1 and 137 (crash, OOM kill) retry that index only.
# deploy/container/check.sh runs the rendered commands for real inside the image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v kubernetes-validate >/dev/null || pip install -q kubernetes-validate
python3 -c 'import yaml' 2>/dev/null || pip install -q pyyaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 1 8 64; do
    for t in pvc io shards merge; do
        NAME=campus SHARDS=$n RUN_OPTIONS="--runs 2000 --prices /data/campus/input/prices.csv" \
            "$here/render.sh" "gallerysim-$t.yaml" >"$work/$t-$n.yaml"
    done
    python3 - "$work/shards-$n.yaml" "$n" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
n = int(sys.argv[2])
spec = job["spec"]
env = {e["name"]: e["value"] for e in spec["template"]["spec"]["containers"][0]["env"]}
assert spec["completions"] == n and env["SHARDS"] == str(n), (spec["completions"], env)
assert spec["completionMode"] == "Indexed" and "backoffLimit" not in spec
assert "--shard \"$k/$SHARDS\"" in spec["template"]["spec"]["containers"][0]["args"][0]
print(f"N={n}: completions {spec['completions']}, SHARDS {env['SHARDS']}, --shard k/$SHARDS")
PY
done
for v in 1.29.0 ""; do
    kubernetes-validate --strict ${v:+-k "$v"} "$work"/*-8.yaml | sed "s|$work/||"
done
for code in 2 1 137; do "$here/policy.py" "$work/shards-8.yaml" shard "$code"; done
"$here/policy.py" "$work/merge-8.yaml" merge 2
"$here/policy.py" "$work/shards-8.yaml" shard 2 | grep -q FailJob
"$here/policy.py" "$work/shards-8.yaml" shard 1 | grep -q "this index alone"
# A bad parameter is refused before anything reaches the cluster.
if NAME=Campus SHARDS=8 "$here/render.sh" gallerysim-shards.yaml >/dev/null 2>"$work/err"; then
    echo "FAIL: render.sh accepted NAME=Campus" >&2; exit 1
fi
cat "$work/err"
echo "OK: Kubernetes manifests valid, one N, exit 2 fails the Job, other failures retry per index"
