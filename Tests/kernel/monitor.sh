#!/usr/bin/env bash
# Tests/kernel/monitor.sh - pgmctl monitor names no session it did not
# announce, inside the test VM (pgm.ko loaded): RUNS times (default 6), a
# receiver and a source under 2% loss (netem on both ends), in two
# namespaces, with a monitor in each started with them (without waiting
# for it to join the events group), before them, or once the session
# runs; each monitor must print a session-start for a TSI (heard on the
# group, or "existing" from the dumps when the session began before the
# monitor joined) before any session-end of it, and the receiver's session
# must end; a monitor started mid-session prints it as existing.  Issue 17: in one of two runs a
# monitor started before the receiver printed session-end alone.
# Prints "monitor-vm: N passed, N failed".
#
#   monitor.sh [BIN] [RUNS]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/.build/debug}
runs=${2:-${PGM_MONITOR_RUNS:-6}}
ctl=$bin/pgmctl
out=${PGM_VM_OUT:-/tmp}/monitor
mkdir -p "$out"
rm -f "$out"/*
# shellcheck source=Tests/kernel/tap.sh
. "$top/Tests/kernel/tap.sh"
# shellcheck source=scripts/netns.sh
. "$top/scripts/netns.sh"
trap netns_cleanup EXIT

netns_pair msrc veth-ms 10.95.0.1 mrcv veth-mr 10.95.0.2
netns_netem msrc veth-ms loss 2%
netns_netem mrcv veth-mr loss 2%
# A silent source is forgotten in 2 s: an expiry ends some sessions too.
ip netns exec mrcv "$ctl" set peer-expiry 2000000 nak-bo-ivl 5000 nak-rpt-ivl 20000

# Every session-end of the monitor's output has a session-start of the
# same socket, role and TSI before it; the receiver's session ended.
paired() {	# EVENTS SEND-JSON WANT-RECEIVER-END WANT-EXISTING
	python3 - "$@" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
started, bad, ends = set(), [], 0
for e in ev:
    key = (e.get("inode"), e.get("role"), e.get("tsi"))
    if e["event"] == "session-start":
        started.add(key)
    elif e["event"] == "session-end":
        ends += 1
        if key not in started:
            bad.append(e)
        started.discard(key)
try:
    tsi = json.load(open(sys.argv[2]))["tsi"]
except Exception:
    tsi = None
mine = [e for e in ev if e.get("tsi") == tsi and e["event"] == "session-end"]
existing = sum(1 for e in ev if e.get("existing"))
print(f"    {len(ev)} events, {ends} session-end, {existing} existing; unpaired: {bad or 'none'}")
want_end = sys.argv[3] == "1"
# A monitor started mid-session prints it as existing, before its end.
want_existing = sys.argv[4] == "1"
sys.exit(1 if bad or (want_end and not mine) or (want_existing and not existing) else 0)
PY
}

for run in $(seq "$runs"); do
	# Runs 1, 4, ...: the monitors start with the receiver and the source,
	# not waiting to have joined; 2, 5, ...: with a head start; 3, 6, ...:
	# once the session runs, so that it is one of the existing sessions.
	late=$((run % 3 == 0))
	start_monitors() {
		ip netns exec mrcv "$ctl" monitor --json --timeout 45 >"$out/rcv-$run.json" 2>"$out/rcv-$run.err" &
		mpid=$!
		ip netns exec msrc "$ctl" monitor --json --timeout 45 >"$out/src-$run.json" 2>"$out/src-$run.err" &
		smpid=$!
	}
	[ $late = 1 ] || start_monitors
	[ $((run % 3)) = 2 ] && sleep 0.5
	ip netns exec mrcv "$bin/pgm-recv" --group 239.192.0.77 --port 7577 --interface 10.95.0.2 \
		--sessions 1 --timeout 40 --json >"$out/recv-$run.json" 2>"$out/recv-$run.err" &
	rpid=$!
	if [ $late = 1 ]; then
		for _ in $(seq 300); do grep -q '"ready"' "$out/recv-$run.json" 2>/dev/null && break; sleep 0.1; done
	fi
	ip netns exec msrc "$bin/pgm-send" --group 239.192.0.77 --port 7577 --interface 10.95.0.1 \
		--count $((late ? 6000 : 400)) --size 500 --rate 200000 --linger 1 --json \
		>"$out/send-$run.json" 2>"$out/send-$run.err" &
	sndpid=$!
	if [ $late = 1 ]; then
		# The receiver has the session once a peer dump lists it.
		for _ in $(seq 150); do
			ip netns exec mrcv "$ctl" peers | grep -q 10.95.0.1 && break
			sleep 0.2
		done
		start_monitors
		# Joined before the session ends: 15 s of stream, and the
		# monitors said "ready" (a 5 s one ended before two monitors
		# that take seconds each to start on an emulated guest had
		# joined: run 3 saw no session at all).
		for _ in $(seq 300); do
			grep -q '"ready"' "$out/rcv-$run.json" 2>/dev/null &&
				grep -q '"ready"' "$out/src-$run.json" 2>/dev/null && break
			sleep 0.1
		done
	fi
	wait $sndpid
	wait $rpid
	# The monitors have seen the ends once the receiver has: let them go.
	sleep 0.5
	kill $mpid $smpid 2>/dev/null
	wait $mpid $smpid 2>/dev/null
	check "run $run: the receiver's monitor pairs every session-end with a start" \
		paired "$out/rcv-$run.json" "$out/send-$run.json" 1 $late
	check "run $run: the source's monitor pairs every session-end with a start" \
		paired "$out/src-$run.json" "$out/send-$run.json" 0 $late
done
netns_cleanup

echo "monitor-vm: $pass passed, $fail failed"
[ $fail = 0 ]
