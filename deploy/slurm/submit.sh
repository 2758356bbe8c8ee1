#!/usr/bin/env bash
# Submits a sharded simulation to Slurm: an array of N shard tasks, then the merge, which
# waits for every task to end (afterany) and names the shards that left no partial.
#
#   deploy/slurm/submit.sh [--shards LIST] SCENARIO N PARTS OUT [RUN OPTIONS...]
#
#   deploy/slurm/submit.sh campus.toml 16 /scratch/$USER/campus/parts /scratch/$USER/campus/results --runs 2000
#
# --shards 3,7 submits only those tasks of the N (the merge prints this command when shards
# failed). PARTS must be visible from every node; logs go to the current folder. Extra sbatch
# options for both jobs: SBATCH_OPTIONS="--partition=short --account=lab".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=''
if [ "${1:-}" = --shards ]; then list=${2:?--shards needs a list such as 3,7}; shift 2; fi
[ $# -ge 4 ] || { sed -n '5p' "$0" >&2; exit 2; }
scenario=$(realpath "$1") n=$2 parts=$(realpath -m "$3") out=$(realpath -m "$4"); shift 4
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a whole number, not '$n'" >&2; exit 2; }
[ -f "$scenario" ] || { echo "submit.sh: no scenario file $scenario" >&2; exit 2; }
mkdir -p "$parts"
read -r -a sbatch_options <<<"${SBATCH_OPTIONS:-}"
# The command that resubmits shards of this very run (the merge fills in @SHARDS@).
resubmit=$(printf '%q ' "$here/submit.sh" --shards @SHARDS@ "$scenario" "$n" "$parts" "$out" "$@")
resubmit="${SBATCH_OPTIONS:+SBATCH_OPTIONS=$(printf %q "$SBATCH_OPTIONS") }${resubmit% }"
export N=$n SCENARIO=$scenario PARTS=$parts OUT=$out EXTRA="$*" RESUBMIT=$resubmit
jid=$(sbatch --parsable --export=ALL "${sbatch_options[@]}" --array="${list:-1-$n}" \
    "$here/gallerysim-array.sbatch")
mid=$(sbatch --parsable --export=ALL "${sbatch_options[@]}" --dependency=afterany:"$jid" \
    "$here/gallerysim-merge.sbatch")
cat <<MSG
array job $jid (shards ${list:-1-$n} of $n), merge job $mid (after every task ends)
  progress: squeue -j $jid,$mid      logs: gallerysim-shard-${jid}_<shard>.log, gallerysim-merge-$mid.log
  partials: $parts      results: $out
MSG
