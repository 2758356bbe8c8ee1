#!/usr/bin/env bash
# End-to-end check of the Slurm recipe on one machine: installs Debian's single-node Slurm
# (slurm-wlm, munge) if needed, starts slurmctld and slurmd on localhost, runs
# gallerysim-array.sbatch as an N-task array and the dependent merge job, and compares the
# merged folder with a single `gallerysim run`. Needs root (package install, daemons).
#
#   deploy/slurm/local-test.sh [SCENARIO] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
scenario=$(realpath "${1:-$repo/scenarios/budget-montecarlo.toml}")
n=${2:-4}
work=$(mktemp -d /tmp/gallerysim-slurm.XXXXXX)

if ! command -v slurmctld >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm >/dev/null
fi
gallerysim=${GALLERYSIM:-$repo/target/release/gallerysim}
[ -x "$gallerysim" ] || (cd "$repo" && cargo build --release --quiet)

# munge: the authentication Slurm daemons and clients share.
if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || mungekey --create --force >/dev/null 2>&1 \
        || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged --force
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=gallerysim-test
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
pkill -x slurmctld 2>/dev/null || true
pkill -x slurmd 2>/dev/null || true
sleep 1
slurmctld -c
slurmd -c
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed' && break; sleep 1; done
sinfo

cd "$work"
export GALLERYSIM=$gallerysim
jid=$(sbatch --parsable --array=1-"$n" --cpus-per-task=1 \
    --export=ALL,N="$n",SCENARIO="$scenario",PARTS="$work/parts",EXTRA="--runs 200" \
    "$here/gallerysim-array.sbatch")
mid=$(sbatch --parsable --dependency=afterok:"$jid" \
    --export=ALL,PARTS="$work/parts",OUT="$work/results" "$here/gallerysim-merge.sbatch")
echo "array job $jid ($n tasks), merge job $mid"
for _ in $(seq 600); do
    squeue -h -j "$jid,$mid" 2>/dev/null | grep -q . || break
    sleep 1
done
sacct -j "$jid,$mid" -X -o JobID,JobName,State,ExitCode 2>/dev/null || squeue
cat "$work"/gallerysim-merge-*.log
"$gallerysim" run "$scenario" --runs 200 --out "$work/single" -q
if diff -r "$work/single" "$work/results" >/dev/null; then
    echo "OK: the merged Slurm result is byte-identical to a single run ($work)"
else
    echo "DIFFERENT: compare $work/single and $work/results" >&2
    exit 1
fi
