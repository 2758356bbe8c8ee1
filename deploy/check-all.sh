#!/usr/bin/env bash
# Every check of the deploy recipes that this machine can run, each skipped with a message
# where its engine is missing (CI calls this; none of them fails for a missing engine):
#   ShellCheck of every script here           (where shellcheck is installed)
#   k8s/check.sh        manifests, one N, failure policy    (kubernetes-validate from PyPI)
#   container/check.sh  the image and the manifests' commands in it   (podman or docker)
#   parallel/check.sh   GNU parallel recipe and its failure paths     (GNU parallel)
#   slurm/local-test.sh private Slurm, a failed shard and its recovery
#                       (slurm-wlm and munge installed, root, and no Slurm running here)
# The container check builds the image from the binary cargo built (--prebuilt); where the
# build stage's base is neither reachable nor made yet, it makes it (make-local-builder.sh,
# about 2.5 min). DEPLOY_CHECKS="k8s parallel" runs only those.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checks=${DEPLOY_CHECKS:-shellcheck k8s container parallel slurm}
ok=0 skipped=0 failed=()
step() { # NAME COMMAND...
    local name=$1; shift
    echo "=== deploy check: $name"
    local start=$SECONDS out
    out=$("$@" 2>&1); local code=$?
    printf '%s\n' "$out" | tail -n 25
    if [ $code -ne 0 ]; then failed+=("$name"); echo "=== $name: FAILED (exit $code)"
    elif grep -q '^SKIP' <<<"$out"; then skipped=$((skipped + 1)); echo "=== $name: skipped"
    else ok=$((ok + 1)); echo "=== $name: ok ($((SECONDS - start)) s)"; fi
}
skip() { echo "SKIP $*"; }
for c in $checks; do
    case $c in
        shellcheck)
            if command -v shellcheck >/dev/null; then
                step shellcheck shellcheck -x "$here"/*.sh "$here"/*/*.sh "$here"/*/*.sbatch
            else step shellcheck skip "shellcheck is not installed"; fi ;;
        k8s)
            if command -v kubernetes-validate >/dev/null || pip install -q kubernetes-validate >/dev/null 2>&1; then
                step k8s "$here/k8s/check.sh"
            else step k8s skip "kubernetes-validate could not be installed from PyPI"; fi ;;
        container)
            # shellcheck source=container/engine.sh source-path=SCRIPTDIR
            . "$here/container/engine.sh"
            if ! container_engine >/dev/null; then
                step container skip "container check: $(container_engine)"
            else
                engine=$(container_engine)
                if [ -z "${BUILDER:-}" ] && ! "$engine" image inspect localhost/gallerysim-builder:bookworm >/dev/null 2>&1 \
                    && ! "$engine" pull -q docker.io/library/rust:1.95-slim-bookworm >/dev/null 2>&1; then
                    step builder "$here/container/make-local-builder.sh"
                fi
                step container "$here/container/check.sh"
            fi ;;
        parallel) step parallel "$here/parallel/check.sh" ;;
        slurm)
            if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
                step slurm skip "slurm-wlm and munge are not installed"
            elif [ "$(id -u)" != 0 ]; then step slurm skip "the local Slurm test needs root"
            elif pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
                step slurm skip "Slurm already runs on this machine (local-test.sh would refuse)"
            else step slurm "$here/slurm/local-test.sh"; fi ;;
        *) echo "unknown check $c" >&2; failed+=("$c") ;;
    esac
done
echo "deploy checks: $ok ok, $skipped skipped, ${#failed[@]} failing${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
