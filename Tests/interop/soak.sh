#!/usr/bin/env bash
# Tests/interop/soak.sh - repeated kernel source -> OpenPGM receivers runs
# under loss and CPU load, with a capture of every packet, for
# investigating what a receiver delivered (Tests/interop/soak-check.py
# compares the capture and the receivers' records with stream.h).  Inside
# the test VM only (pgm.ko loaded).  A source and N OpenPGM receivers on a
# bridge; netem loss on each receiver's switch port (data) and on each
# receiver's eth0 (NAKs); one dumpcap in the switch namespace captures the
# source's port (everything sent) and every receiver's port (what reached
# it, after the loss).  Outputs in $PGM_VM_OUT/soak/runN-*.  $SOAK_OPGM_ENV
# is put in the OpenPGM receivers' environment (e.g. "PGM_MIN_LOG_LEVEL=TRACE
# PGM_LOG_MASK=0x100": libpgm's receive-window trace on stderr, kept in the
# guest's tmpfs during the run).
#
#   soak.sh [BUILD-DIR] [RUNS] [COUNT] [LOSS%] [RECEIVERS] [BUSY-LOOPS] [RATE]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/interop}
runs=${2:-2}
count=${3:-5000}
loss=${4:-5}
nrcv=${5:-2}
busy=${6:-1}
rate=${7:-1000000}
out=${PGM_VM_OUT:-/tmp}/soak
# Only scripts/vm's output directory is writable in the guest.
mkdir -p "$out" 2>/dev/null && [ -w "$out" ] || out=$top/build/vm/$(uname -r)/soak
mkdir -p "$out" || exit 1
echo "# outputs in $out"

# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
busy_pids=()
cleanup() {
	local p
	for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null; done
	netns_cleanup
}
trap cleanup EXIT

rcvs=()
for ((i = 1; i <= nrcv; i++)); do rcvs+=("r$i"); done
netns_bridge sw 10.95.0 src "${rcvs[@]}"
for r in "${rcvs[@]}"; do
	netns_netem sw "p-$r" loss "$loss%"
	netns_netem "$r" eth0 loss "$loss%"
done
for ((i = 0; i < busy; i++)); do
	yes >/dev/null &
	busy_pids+=($!)
done
G=239.192.0.95 S=10.95.0.1
echo "# soak: $runs runs, $count messages, loss $loss% each way, $nrcv OpenPGM receivers, $busy busy loops, source rate $rate B/s"
for ((run = 1; run <= runs; run++)); do
	port=$((7700 + run))
	pfx=$out/run$run
	ifs=(-i p-src)
	for r in "${rcvs[@]}"; do ifs+=(-i "p-$r"); done
	# The capture goes to the guest's tmpfs first (fewer drops than over 9p).
	ip netns exec sw dumpcap -q "${ifs[@]}" -B 64 -f "ip proto 113" -w "/tmp/soak$run.pcapng" \
		2>"$pfx.dumpcap.err" &
	cap=$!
	sleep 2
	rpids=()
	i=2
	for r in "${rcvs[@]}"; do
		# shellcheck disable=SC2086	# words of the environment
		ip netns exec "$r" timeout 200 env ${SOAK_OPGM_ENV:-} "$bin/opgm" recv $G $port 10.95.0.$i "$count" --timeout 90 \
			>"$pfx-$r.recv" 2>"/tmp/soak$run-$r.recv.err" &
		rpids+=($!)
		i=$((i + 1))
	done
	for r in "${rcvs[@]}"; do
		for _ in $(seq 100); do grep -q ready "/tmp/soak$run-$r.recv.err" 2>/dev/null && break; sleep 0.1; done
	done
	# The receivers' raw sockets' drop counters (/proc/net/raw), each second.
	( while :; do
		for r in "${rcvs[@]}"; do
			echo "$(date +%s.%N) $r $(ip netns exec "$r" awk 'NR > 1 { printf "%s ", $NF }' /proc/net/raw)"
		done
		sleep 1
	done ) >"$pfx.rawdrops" 2>/dev/null &
	sampler=$!
	ip netns exec src timeout 200 "$bin/kpeer" send $G $port $S "$count" --rate "$rate" \
		>"$pfx-src.send" 2>"$pfx-src.send.err"
	rc_s=$?
	rcs=()
	for p in "${rpids[@]}"; do wait "$p"; rcs+=($?); done
	kill $sampler; wait $sampler 2>/dev/null
	sleep 1
	kill -INT $cap; wait $cap
	cp "/tmp/soak$run.pcapng" "$pfx.pcapng" && rm -f "/tmp/soak$run.pcapng"
	for r in "${rcvs[@]}"; do mv "/tmp/soak$run-$r.recv.err" "$pfx-$r.recv.err"; done
	echo "run $run: sender exit $rc_s: $(tail -n 1 "$pfx-src.send.err")"
	k=0
	for r in "${rcvs[@]}"; do
		echo "run $run: $r exit ${rcs[$k]}: $(grep -c 'session reset' "$pfx-$r.recv.err") reset lines; $(tail -n 1 "$pfx-$r.recv.err")"
		k=$((k + 1))
	done
done
