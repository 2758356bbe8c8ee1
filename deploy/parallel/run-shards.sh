#!/usr/bin/env bash
# GNU parallel over the cores of one machine or over several by ssh: N shards, then the merge.
#
#   deploy/parallel/run-shards.sh SCENARIO N OUT [RUN OPTIONS...]
#   deploy/parallel/run-shards.sh campus.toml 8 results --runs 2000
#   SSHLOGINS=2/node1,2/node2 deploy/parallel/run-shards.sh campus.toml 8 results
#
# Partials go to PARTS (default OUT.parts)/n<N>-<key>, where key is a hash of the scenario's
# and the catalog's content, N and the options: a run with another N or other inputs gets its
# own folder, so partials of an earlier run never mix into this merge. A joblog in that folder
# lets the same command resume: shards that finished are not run again, failed ones are
# (--resume-failed); each shard is retried RETRIES times (default 2) before the run stops.
# JOBS shards run at once (default: one per core), each with THREADS threads (default 1).
# With SSHLOGINS, gallerysim must be on every node's PATH and PARTS on a shared filesystem.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '4p' "$0" >&2; exit 2; }
scenario=$1 n=$2 out=$3
shift 3
command -v parallel >/dev/null || { echo "GNU parallel is needed (apt-get install parallel)" >&2; exit 1; }
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "run-shards.sh: N must be a whole number, not '$n'" >&2; exit 2; }
[ -f "$scenario" ] || { echo "run-shards.sh: no scenario file $scenario" >&2; exit 2; }
gallerysim=${GALLERYSIM:-gallerysim}
# The key: everything that changes the partials' content.
{
    printf 'n=%s\n' "$n"; printf 'opt=%s\n' "$@"; cat "$scenario"
    prev=''
    for a in "$@"; do
        case $prev in --prices) cat "$a" ;; esac
        case $a in --prices=*) cat "${a#--prices=}" ;; esac
        prev=$a
    done
} >"${TMPDIR:-/tmp}/gallerysim-key.$$"
key=$(sha256sum "${TMPDIR:-/tmp}/gallerysim-key.$$" | cut -c1-12)
rm -f "${TMPDIR:-/tmp}/gallerysim-key.$$"
parts=${PARTS:-$out.parts}/n$n-$key
mkdir -p "$parts"
parts=$(cd "$parts" && pwd)
remote=()
if [ -n "${SSHLOGINS:-}" ]; then remote=(--sshlogin "$SSHLOGINS" --workdir "$PWD"); fi
progress=()
if [ -t 2 ]; then progress=(--bar); fi
done_before=0
if [ -f "$parts/joblog" ]; then done_before=$(awk -F'\t' 'NR > 1 && $7 == 0' "$parts/joblog" | wc -l); fi
echo "shards: $parts ($done_before of $n done before; joblog: $parts/joblog)"
status=0
# -q quotes every word, so paths with spaces pass through the shell(s) parallel starts.
seq 1 "$n" | parallel -q --joblog "$parts/joblog" --resume-failed --retries "${RETRIES:-2}" \
    --halt soon,fail=1 --jobs "${JOBS:-100%}" "${progress[@]}" "${remote[@]}" \
    "$gallerysim" run "$scenario" --shard "{}/$n" --out "$parts" --threads "${THREADS:-1}" -q "$@" \
    || status=$?
if [ $status -ne 0 ]; then
    failed=$(awk -F'\t' 'NR > 1 && $7 != 0 {print $9 " (exit " $7 ")"}' "$parts/joblog" \
        | grep -oE -- '--shard [0-9]+/[0-9]+ .*\(exit [0-9]+\)' | sed 's/ --out.*(exit/ (exit/' \
        | sort -u | paste -sd, -)
    echo "run-shards.sh: shards failed: ${failed:-see $parts/joblog}" >&2
    if awk -F'\t' 'NR > 1 && $7 == 2 {f = 1} END {exit !f}' "$parts/joblog"; then
        echo "  exit 2 is an input error (the message above names the file, line and key): fix the" >&2
        echo "  scenario or options and run again; changed inputs get a fresh partials folder." >&2
    else
        echo "  run the same command again: finished shards are kept, only failed and unstarted" >&2
        echo "  ones run (--resume-failed, joblog $parts/joblog)." >&2
    fi
    exit "$status"
fi
"$gallerysim" merge "$parts" --out "$out"
