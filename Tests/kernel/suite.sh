#!/usr/bin/env bash
# Tests/kernel/suite.sh - the kernel test suite, run inside the VM by
#   scripts/vm --autoload --kernel K -- Tests/kernel/suite.sh
# pgm.ko is installed in the guest's module path but not loaded: the first
# test checks that socket() autoloads it.  Prints "ok/not ok" per test and a
# closing "kernel-VERSION: N passed, N failed" ("kernel-debug: ..." for the
# debug subset).
#
# PGM_SUITE=older (make check's stage on the older kernel, see the Makefile)
# runs every test of the module itself and the e2e cases PGM_E2E_CASES,
# but not the tools' own tests (tools.sh, pgmctl.sh, monitor.sh), one
# round of the fuzzer and six of the interop cases (PGM_INTEROP_CASES).
#
# PGM_SUITE=debug (make check-kernel-debug, on the debug kernel,
# which runs several times slower under emulation) runs a subset: the C
# tests, nl-smoke, a short e2e (PGM_E2E_COUNT APDUs, default 1000, cases
# PGM_E2E_CASES), the conformance scenarios, the attack tests (attack_src,
# attack_rcv; the fuzzer's timing checks do not fit the debug kernel's
# speed: `make fuzz-kernel K=debug` runs it), busy rmmod and PGM_RELOADS insmod/rmmod cycles
# (default 5); it clears kmemleak first and, with pgm.ko unloaded at the
# end, scans twice and fails on any suspected leak, printing the report.
# PGM_SUITE=debug-short (make check's debug stage: the debug kernel runs
# ~10x slower than the stock ones under emulation) is the debug subset
# without sock_test, lookup_test and the conformance scenarios (all three
# run on both stock kernels), with attack_fec's flood at a fifth
# (PGM_ATTACK_FEC_GROUPS 2000, as in the full debug suite), attack_rcv without the timing
# comparison per_packet_work_flat (PGM_TEST_SKIP), one e2e case (ring10: loss repaired by
# NAKs, the ring beside two recvmsg receivers) and three
# insmod/rmmod cycles.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/ktests
swiftbin=$top/.build/debug
kver=$(uname -r)
suite=${PGM_SUITE:-full}
case $suite in
full | older | debug | debug-short) ;;
*) echo "suite.sh: PGM_SUITE is full, older, debug or debug-short, not '$suite'" >&2; exit 2 ;;
esac
debug=0 short=0
case $suite in debug*) debug=1 ;; esac
[ $suite = debug-short ] && short=1
pass=0 fail=0

# The Swift tools run from the guest's tmpfs when make packed them
# (scripts/stage-guest-swift): over 9p, without a page cache, every start
# read the binary and the runtime's libraries again (2.5-3.6 s against
# 1.0 s for `pgmctl sockets` on 6.12).  Not when a tool was rebuilt after
# the pack: then the suite runs what .build/debug holds.  The debug kernel
# mounts the root with a cache and runs none of the tools' suites.
pack=$top/build/guest-swift.tar.zst
if [ $debug = 0 ] && [ -f "$pack" ] &&
	[ -z "$(find "$swiftbin" -maxdepth 1 -name 'pgm*' -type f -newer "$pack" -print -quit)" ]; then
	t0=$(date +%s)
	if zstd -dcq "$pack" | tar -C /tmp -xf -; then
		swiftbin=/tmp/guest-swift/bin
		export PGM_SWIFT_BIN=$swiftbin
		export LD_LIBRARY_PATH=/tmp/guest-swift/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		echo "# Swift tools unpacked into the guest's tmpfs in $(($(date +%s) - t0)) s"
	fi
fi

loaded() { grep -q '^pgm ' /proc/modules; }
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

# Run a program that ends with "NAME: N passed, N failed" and add its counts.
run_counted() {
	local name=$1 out line p f t0=$SECONDS
	shift
	out=$("$@" 2>&1)
	local rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	echo "    # $name took $((SECONDS - t0)) s"
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		notok "$name (no summary, exit $rc)"
		return
	fi
	p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\1/')
	f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\2/')
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		notok "$name (exit $rc)"
	fi
}

# kmemleak (the debug kernel): forget what is already suspected before the
# run, and at the end report anything the run leaked.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_clear() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	if [ ! -w $kmemleak ]; then
		echo "# kmemleak: not in this kernel"
		kmemleak=
		return
	fi
	# A scan first: "clear" greys only what has been reported.
	local t0=$SECONDS
	echo scan >$kmemleak && echo clear >$kmemleak
	echo "# kmemleak: scanned and cleared ($((SECONDS - t0)) s)"
}
kmemleak_check() {
	local report t0=$SECONDS
	if [ -z "$kmemleak" ]; then
		echo "    no /sys/kernel/debug/kmemleak: not the debug kernel?" >&2
		return 1
	fi
	# Objects freed after an RCU grace period (and netns teardown) are
	# still allocated for a while; kmemleak reports an object only when it
	# is unreferenced, older than 5 s and unchanged since the previous scan.
	sleep "${PGM_KMEMLEAK_WAIT:-10}"
	echo scan >$kmemleak
	sleep 5
	echo scan >$kmemleak
	if ! report=$(cat $kmemleak); then
		echo "    cannot read $kmemleak (kmemleak disabled itself? see dmesg)" >&2
		return 1
	fi
	echo "    kmemleak: two scans ($((SECONDS - t0)) s)"
	if [ -z "$report" ]; then
		return 0
	fi
	echo "    kmemleak report:"
	printf '%s\n' "$report" | head -n 400 | sed 's/^/      /'
	return 1
}

echo "# kernel $kver, suite $suite"
[ $debug = 1 ] && kmemleak_clear
# An interface with an address and a multicast route in the VM's own
# namespace, for connect() in sock_test.
# (A kernel with the dummy driver built in, as the debug kernel, has one.)
ip link show dummy0 >/dev/null 2>&1 || ip link add dummy0 type dummy
ip link set dummy0 up multicast on
ip addr add 10.98.0.1/24 dev dummy0
ip route add 224.0.0.0/4 dev dummy0

# 1. Autoload: the module is only in the module path (net-pf-2-proto-113-type-4).
autoload() {
	! loaded || { echo "    pgm was loaded before the first socket()" >&2; return 1; }
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RDM, 113).close()' &&
		loaded
}
check "socket() autoloads pgm.ko from the module path" autoload
# SOCK_STREAM with protocol 113 must not load anything or succeed.
stream_noload() {
	rmmod pgm || return 1
	python3 - <<'PY'
import errno, socket, sys
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 113)
except OSError as e:
    sys.exit(0 if e.errno == errno.EPROTONOSUPPORT else 1)
sys.exit(1)
PY
	local rc=$?
	! loaded && [ $rc -eq 0 ]
}
check "SOCK_STREAM/113 fails with EPROTONOSUPPORT and loads nothing" stream_noload
modprobe pgm || insmod "$PGM_KO"

# 2. Socket API and input path.
[ $short = 1 ] || run_counted sock_test "$bin/sock_test"
# The IPv6 socket (docs/ipv6.md): API, membership, a stream, NLA families.
run_counted sock6_test "$bin/sock6_test"
run_counted input_test "$bin/input_test"
# input_test over IPv6 (-6): a raw IPv6 socket to ::1, AF_INET6 receivers, AFI 2.
run_counted input_test6 "$bin/input_test" -6
# Which sockets a packet reaches among a thousand (the port hash).
[ $short = 1 ] || run_counted lookup_test "$bin/lookup_test"
run_counted src_test "$bin/src_test"
# src_test over IPv6 (-6): the group ff15::5 on dummy0, SOL_IPV6's options.
run_counted src_test6 "$bin/src_test" -6
# The debug kernel leaves out what only compares times (attack_rcv's
# per_packet_work_flat: KASAN's and lockdep's costs, not the module's, set
# them there); both stock kernels run it.
[ $debug = 1 ] && export PGM_TEST_SKIP=${PGM_TEST_SKIP-per_packet_work_flat}
# The source attacked: NAK floods, memory in a cgroup (issue 15).
run_counted attack_src "$bin/attack_src"
run_counted ring_test "$bin/ring_test"
# Hostile packets against a receiver: each bound of pgm(7) LIMITS (issue 15).
run_counted attack_rcv "$bin/attack_rcv"
# The same bounds on the IPv6 input path: session floods, reflection, NLAs.
run_counted attack6 "$bin/attack6"
if [ $debug = 1 ]; then
	PGM_ATTACK_FEC_GROUPS=${PGM_ATTACK_FEC_GROUPS:-2000} \
		run_counted attack_fec "$bin/attack_fec"
else
	run_counted attack_fec "$bin/attack_fec"
fi

run_counted nl-smoke python3 "$top/Tests/kernel/nl_smoke.py"
# The netns's multicast policy (issue 22): rules, refusals by user and
# group, the receive filter, netns and user-namespace isolation.
run_counted policy python3 "$top/Tests/kernel/policy_test.py"
# The network element (issue 23): a router netns between a source and two
# LANs, NAK elimination, constrained RDATA, crafted-packet scenarios and
# attacks (RFC 3208 sections 7 and 10).  On the debug kernel: fewer APDUs,
# and the paths driven rather than the stream's outcome (ne_test.py's SLOW).
if [ $debug = 1 ]; then
	PGM_NE_COUNT=300 PGM_NE_SLOW=1 run_counted ne python3 "$top/Tests/kernel/ne_test.py"
else
	run_counted ne python3 "$top/Tests/kernel/ne_test.py"
fi

# 3. End to end: a source and three receivers over a bridge, with loss.
#    The debug subset: fewer APDUs, and one case of each kind (loss
#    repaired by NAKs, which also checks the plain stream, loss reported,
#    two sources, the ring under loss).
#    The debug kernel under emulation moves 50-90 KB/s in all: at the stock
#    cases' 6 MB/s, the fragments of two sources' large APDUs, each copied
#    to four receivers by the bridge, overflow the guest's backlog
#    (netdev_max_backlog, seen in /proc/net/softnet_stat) so often that one
#    sqn's RDATA is dropped through all its NAK retries, which e2e counts as
#    the loss it is.  400 KB/s bounds those bursts (the debt of a 64 KiB
#    APDU is a pause of 0.16 s) and costs no time: the send is CPU-bound.
if [ $debug = 1 ]; then
	# shellcheck disable=SC2086
	PGM_E2E_RATE=${PGM_E2E_RATE:-400000} run_counted e2e "$top/Tests/kernel/e2e.sh" "${PGM_E2E_COUNT:-1000}" \
		${PGM_E2E_CASES:-$([ $short = 1 ] && echo ring10 || echo loss5 nonak multi ring10)}
else
	# PGM_E2E_CASES (make check: the older kernel's share of the matrix,
	# see the Makefile); all cases when unset or empty.  PGM_E2E_COUNT:
	# the Makefile's E2E_COUNT.
	# shellcheck disable=SC2086
	run_counted e2e "$top/Tests/kernel/e2e.sh" "${PGM_E2E_COUNT:-10000}" ${PGM_E2E_CASES:-}
fi

# 3b. The RFC 3208 conformance scenarios (Tests/conformance), the same ones
#     the model runs on the host, over IPv4 then IPv6; results in
#     $PGM_VM_OUT/conformance.json and conformance6.json.
[ $short = 1 ] || run_counted conformance "$top/Tests/kernel/conformance.sh"

# 3c. The input path under attack (docs/fuzzing.md): real streams to recvmsg
#     and ring receivers, native and in UDP, while mutated packets hit them
#     and their sources; a fixed seed range (seeds 1 and 2), ~40 s in all.
#     It ends with every socket closed, memory back and `rmmod pgm`.
if [ $debug = 0 ]; then
	run_counted fuzz-kernel "$bin/fuzz_kernel" --seconds "${PGM_FUZZ_SECONDS:-20}" \
		--rounds "$([ $suite = older ] && echo 1 || echo 2)" --seed 1 --rmmod
	loaded || modprobe pgm || insmod "$PGM_KO"
fi

# 4. The Swift library against the real module (kernel-gated tests are strict
#    here: PGM_VM=1 makes them require the module).
if [ $debug = 0 ]; then
	# dummy0 gets an IPv6 address (and ff15::/16) only now, for the
	# library's IPv6 test: the tests before see it as it always was.
	ip -6 addr replace fd00:98::1/64 dev dummy0 nodad 2>/dev/null &&
		ip -6 route replace ff15::/16 dev dummy0 2>/dev/null
	run_counted swift "$top/scripts/swift-test-summary" "$top/.build/debug/pgmPackageTests.xctest" --testing-library swift-testing --filter "PGMTests|PGMNetlinkTests"
	if [ $suite = full ]; then
		run_counted tools-vm "$top/Tests/kernel/tools.sh" "$swiftbin"
		run_counted pgmctl-vm "$top/Tests/kernel/pgmctl.sh" "$swiftbin"
		run_counted monitor-vm "$top/Tests/kernel/monitor.sh" "$swiftbin"
	fi
	run_counted sysctl-vm "$top/Tests/kernel/sysctl.sh" "$swiftbin"
	# The older kernel runs a representative share of the interop matrix:
	# OpenPGM both ways, natively and in UDP, each family once, ZeroMQ and
	# PGMCC between two kernels;
	# 6.12 runs it whole.
	if [ $suite = older ]; then
		PGM_INTEROP_CASES=${PGM_INTEROP_CASES:-'^(kernel-to-openpgm-native|openpgm-to-kernel-udp|openpgm-to-kernel-native6|kernel-to-openpgm-udp6|zmq-pub-to-kernel|kernel-pgmcc-to-kernel)$'} \
			run_counted interop "$top/Tests/interop/run.sh" "$top/build/interop"
	else
		run_counted interop "$top/Tests/interop/run.sh" "$top/build/interop"
	fi
fi
check "pgm-info opens a socket and reads every option" sh -c "'$swiftbin/pgm-info' --json | grep -q '\"TXW_SQNS\":8192'"

# 5. Unload is refused while a socket is open and succeeds after.
unload_busy() {
	python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
s.connect(("239.192.0.1", 7500))
r = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
r.bind(("239.192.0.1", 7500))
print("held", flush=True)
time.sleep(60)' >/tmp/held.out &
	local pid=$!
	for _ in $(seq 50); do grep -q held /tmp/held.out 2>/dev/null && break; sleep 0.1; done
	if rmmod pgm 2>/dev/null; then
		echo "    rmmod succeeded with sockets open" >&2
		kill $pid
		return 1
	fi
	kill $pid
	wait $pid 2>/dev/null
	rmmod pgm && ! loaded
}
check "rmmod refused while sockets are open, succeeds after close" unload_busy

# 6. insmod/rmmod PGM_RELOADS times (20; 5 in the debug subset) with sockets
#    opened and closed in between.
reloads=${PGM_RELOADS:-$([ $debug = 1 ] && { [ $short = 1 ] && echo 3 || echo 5; } || echo 20)}
reload_loop() {
	local i
	for i in $(seq "$reloads"); do
		insmod "$PGM_KO" || { echo "    insmod #$i failed" >&2; return 1; }
		"$bin/sock_test" --quick >/dev/null 2>&1 || { echo "    sock_test after insmod #$i failed" >&2; return 1; }
		rmmod pgm || { echo "    rmmod #$i failed" >&2; return 1; }
	done
	! loaded
}
check "insmod/rmmod $reloads times with sockets in between" reload_loop

# 7. The debug kernel: nothing leaked, now that pgm.ko is gone.
if [ $debug = 1 ]; then
	loaded && rmmod pgm
	check "kmemleak reports no leak after rmmod pgm" kmemleak_check
fi

if [ $debug = 1 ]; then
	echo "kernel-debug: $pass passed, $fail failed ($kver, suite $suite)"
else
	echo "kernel-$kver: $pass passed, $fail failed$([ $suite = older ] && echo " (suite older)")"
fi
[ "$fail" -eq 0 ]
