#!/usr/bin/env bash
# Proves the Slurm path end to end on this machine: starts a single-node Slurm cluster (Debian's
# slurm-wlm and munge, installed with apt-get if missing) under a temporary folder, runs the
# bundled scenarios as a job array of shards, merges the shards and checks that the merged
# folders equal an unsharded run byte for byte. Stops the daemons it started, even on failure.
#
#   bash scripts/slurm_check.sh            # SHARDS=4 TRIALS=2000 by default
#   KEEP=1 bash scripts/slurm_check.sh     # keep the temporary folder (logs, outputs)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
shards=${SHARDS:-4}
trials=${TRIALS:-2000}
started=$(date +%s)
say() { echo "slurm check [$(( $(date +%s) - started )) s]: $*"; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# The binary as `cargo test --release` builds it (with the test suite's feature set): after the
# test suite this is free, where `cargo build --release` would compile the crate again.
cargo test --release --no-run --quiet
bin=$repo/target/release/trialsim
work=$(mktemp -d /tmp/trialsim-slurm.XXXXXX)
chmod 755 "$work"
started_munge=""

job=""
stop_daemons() {
    local status=$?
    # Tasks still running (after a failure) are cancelled before the daemons stop.
    if [[ -n $job ]] && [[ -n $(squeue -h -j "$job" 2>/dev/null) ]]; then
        scancel "$job" 2>/dev/null || true
        for _ in $(seq 50); do [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && break; sleep 0.1; done
    fi
    for pid_file in "$work/slurmd.pid" "$work/slurmctld.pid" ${started_munge:+/run/munge/munged.pid}; do
        if [[ -s $pid_file ]]; then
            local pid
            pid=$(cat "$pid_file")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [[ $status -ne 0 ]]; then
        for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/logs/*; do
            [[ -f $log ]] && { echo "---- $log (last lines)"; tail -n 20 "$log"; }
        done
    fi
    if [[ -z ${KEEP:-} ]]; then rm -rf "$work"; else say "kept $work"; fi
    exit "$status"
}
trap stop_daemons EXIT

# munge: the key from the package (created if absent), the daemon as the munge user.
if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 755 /run/munge
if ! munge -n </dev/null >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
    for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n </dev/null | unmunge >/dev/null

# Slurm: one node named after this host, no cgroups, every path under $work.
host=$(hostname -s)
read -r cpus memory < <(slurmd -C | awk '/NodeName/ {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["CPUs"], v["RealMemory"] }')
mkdir -p "$work/state" "$work/spool" "$work/logs"
conf=$work/slurm.conf
cat >"$conf" <<CONF
ClusterName=trialsim-check
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${SLURMCTLD_PORT:-46817}
SlurmdPort=${SLURMD_PORT:-46818}
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=30 State=UP
CONF
export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf"

wait_for() { # seconds, description, command…
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        if ((SECONDS >= deadline)); then say "timed out after ${seconds} s waiting for $what"; return 1; fi
        sleep 0.2
    done
}
node_idle() { [[ $(sinfo -h -n "$host" -o %T 2>/dev/null) == idle ]]; }
wait_for 60 "the node to be idle" node_idle
say "cluster up: node $host idle"

scenarios=(scenarios/qls4131_escalation.toml scenarios/qls4131_full.toml scenarios/ql1706_es_sclc.toml scenarios/qls4131_sweep.toml scenarios/qls4131_dose_optimization.toml)
files=()
for s in "${scenarios[@]}"; do files+=("$repo/$s"); done

say "submitting $shards shards of ${#files[@]} scenario files, $trials trials each"
job=$(sbatch --parsable --array="1-$shards" --chdir="$work" --output="$work/logs/%A_%a.out" \
    --export="ALL,TRIALSIM=$bin,SHARDS=$shards,OUT=$work/shards" \
    scripts/trialsim-shards.sbatch "${files[@]}" --trials "$trials")
job=${job%%;*}
# Meanwhile, the unsharded run to compare with.
"$bin" run "${files[@]}" --trials "$trials" --out "$work/single" >"$work/logs/single.out"
array_done() { [[ -z $(squeue -h -j "$job" 2>/dev/null) ]]; }
say "unsharded run done"
wait_for 300 "job array $job" array_done
say "job array $job done"

"$bin" merge "$work/shards" --out "$work/merged" >"$work/logs/merge.out"
found=$(find "$work/shards" -name 'shard-*.json' | wc -l)
if [[ $found -ne $((shards * ${#files[@]})) ]]; then
    say "expected $((shards * ${#files[@]})) shard files, found $found"
    exit 1
fi
diff -r "$work/single" "$work/merged"
compared=$(find "$work/single" -type f | wc -l)
say "OK: job $job ($shards array tasks) merged equals the unsharded run ($compared files identical) in $(( $(date +%s) - started )) s"
