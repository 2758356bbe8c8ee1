#!/usr/bin/env bash
# GNU parallel over a few machines (or the cores of one): N shards, then the merge.
#
#   deploy/parallel/run-shards.sh campus.toml 8 results            # this machine
#   SSHLOGINS=2/node1,2/node2 deploy/parallel/run-shards.sh campus.toml 8 results
#
# With SSHLOGINS, gallerysim must be on every node's PATH and PARTS (default ./parts) on a
# shared filesystem. Extra run options (the same for every shard) follow the first three.
set -euo pipefail
scenario=${1:?scenario file} n=${2:?number of shards} out=${3:?output folder}
shift 3
parts=${PARTS:-$PWD/parts}
command -v parallel >/dev/null || { echo "GNU parallel is needed (apt-get install parallel)" >&2; exit 1; }
remote=()
if [ -n "${SSHLOGINS:-}" ]; then remote=(--sshlogin "$SSHLOGINS" --workdir "$PWD"); fi
seq 1 "$n" | parallel --halt now,fail=1 "${remote[@]}" \
    gallerysim run "$scenario" --shard {}/"$n" --out "$parts" "$@"
gallerysim merge "$parts" --out "$out"
