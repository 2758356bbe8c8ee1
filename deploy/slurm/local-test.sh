#!/usr/bin/env bash
# End-to-end check of the Slurm recipe on one machine, including a failed shard:
#   1. submit.sh runs an N-task array in which shard K fails (a wrapper exits 1 for it, as a
#      crashed node would) and the merge (afterany) that follows it;
#   2. the merge must run, fail with exit 2 and name shard K with the resubmit command;
#   3. that printed command is run (with the real binary): only shard K and a new merge;
#   4. the merged folder must be byte-identical to a single `gallerysim run`.
# Slurm here is private: Debian's slurm-wlm daemons (installed if missing) started with a
# config, state, ports (16817/16818) and munge socket and key in a temporary folder; nothing
# in /etc is written, and only the daemons this script started are stopped, by their PIDs.
# It refuses to run on a machine where slurmctld or slurmd already run. Needs root. The
# temporary folder is removed on success and kept (and named) on failure.
#
#   deploy/slurm/local-test.sh [SCENARIO] [N] [FAILING_SHARD]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
scenario=$(realpath "${1:-$repo/scenarios/budget-montecarlo.toml}")
n=${2:-4} bad=${3:-3}
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
    echo "local-test.sh: Slurm already runs on this machine; refusing to start a second one." >&2
    echo "  Submit the recipe to it instead: deploy/slurm/submit.sh SCENARIO N PARTS OUT" >&2
    exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi
gallerysim=${GALLERYSIM:-${CARGO_TARGET_DIR:-$repo/target}/release/gallerysim}
[ -x "$gallerysim" ] || (cd "$repo" && cargo build --release --quiet)
work=$(mktemp -d /tmp/gallerysim-slurm.XXXXXX)
stop() { # only the daemons this script started, by the PIDs they wrote
    local f
    for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
    done
    sleep 1
}
trap stop EXIT

# munge, private: its own key, socket and files in $work (Slurm is told the socket).
chmod 755 "$work"
mkdir -m 755 "$work/munge"
dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2>/dev/null
chmod 400 "$work/munge/munge.key"
chown -R munge:munge "$work/munge"
runuser -u munge -- /usr/sbin/munged --socket="$work/munge/munge.sock" \
    --key-file="$work/munge/munge.key" --pid-file="$work/munge/munged.pid" \
    --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p "$work/spool/ctld" "$work/spool/d"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=gallerysim-test
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=3600
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -c -f "$SLURM_CONF"
slurmd -c -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed' && break; sleep 1; done
sinfo

# A gallerysim that fails for shard $bad, as a crashed node would.
cat >"$work/flaky-gallerysim" <<WRAP
#!/bin/sh
case " \$* " in *" --shard $bad/$n "*) echo "simulated crash of shard $bad" >&2; exit 1 ;; esac
exec "$gallerysim" "\$@"
WRAP
chmod +x "$work/flaky-gallerysim"

wait_jobs() { # waits until none of the given jobs is in the queue
    for _ in $(seq 900); do squeue -h -j "$1" 2>/dev/null | grep -q . || return 0; sleep 1; done
    echo "jobs $1 still queued after 15 min" >&2; squeue; return 1
}
show_jobs() { scontrol show job "$1" 2>/dev/null | grep -oE '^JobId=[0-9]+|ArrayTaskId=[0-9]+|JobName=[^ ]+|JobState=[A-Z]+|ExitCode=[0-9:]+' | paste -sd' ' | sed 's/ JobId=/\nJobId=/g'; }

cd "$work"
echo "== 1. array of $n shards, shard $bad fails; merge afterany"
t0=$(date +%s)
GALLERYSIM=$work/flaky-gallerysim "$here/submit.sh" "$scenario" "$n" "$work/parts" "$work/results" --runs 200 \
    | tee "$work/submit.out"
jid=$(sed -n 's/^array job \([0-9]*\).*/\1/p' "$work/submit.out")
mid=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' "$work/submit.out")
wait_jobs "$jid,$mid"
echo "array and merge ended after $(( $(date +%s) - t0 )) s"
show_jobs "$jid"; show_jobs "$mid"
echo "-- merge log:"; cat "$work/gallerysim-merge-$mid.log"
grep -q "shard(s) $bad\$" "$work/gallerysim-merge-$mid.log" \
    || { echo "FAIL: the merge did not name shard $bad" >&2; exit 1; }
[ ! -e "$work/results" ] || { echo "FAIL: the failed merge wrote results" >&2; exit 1; }

echo "== 2. the printed resubmit command (real binary): shard $bad only, then the merge"
cmd=$(sed -n 's/^    \(.*--shards .*\)$/\1/p' "$work/gallerysim-merge-$mid.log")
echo "\$ $cmd"
GALLERYSIM=$gallerysim bash -c "$cmd" | tee "$work/resubmit.out"
jid2=$(sed -n 's/^array job \([0-9]*\).*/\1/p' "$work/resubmit.out")
mid2=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' "$work/resubmit.out")
wait_jobs "$jid2,$mid2"
show_jobs "$jid2"; show_jobs "$mid2"
cat "$work/gallerysim-merge-$mid2.log"
ls -l "$work/parts"
"$gallerysim" run "$scenario" --runs 200 --out "$work/single" -q
if diff -r "$work/single" "$work/results" >/dev/null; then
    echo "OK: after resubmitting shard $bad, the merged Slurm result is byte-identical to a single run"
    cd / && stop && trap - EXIT && rm -rf "$work"
else
    echo "DIFFERENT: compare $work/single and $work/results" >&2
    exit 1
fi
